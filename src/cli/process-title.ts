// What `ps` shows for a running gateway: upstream's title `openclaw-gateway`, followed by the
// command as the user would type it, so the guides' `ps aux | grep openclaw`,
// `ps aux | grep "openclaw gateway"` and `pkill -f openclaw` all find it whatever path node ran
// (dist/cli/main.cjs for `gateway start`). Secrets given as flags are not shown.
import { GATEWAY_PROCESS_TITLE } from '../infra/proc.js';

const SECRET_FLAGS = new Set(['--token', '--password']);

/** The title for a gateway started with these CLI arguments (process.argv after the script). */
export function gatewayProcessTitle(args: readonly string[]): string {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    if (eq > 0 && SECRET_FLAGS.has(a.slice(0, eq))) shown.push(`${a.slice(0, eq)}=***`);
    else if (SECRET_FLAGS.has(a) && i + 1 < args.length) shown.push(a, '***'), i++;
    else shown.push(a);
  }
  return `${GATEWAY_PROCESS_TITLE}: openclaw ${shown.join(' ')}`;
}

/** Linux keeps the title within the original argv's bytes; libuv truncates what does not fit. */
export function setGatewayProcessTitle(argv = process.argv): void {
  try {
    process.title = gatewayProcessTitle(argv.slice(2));
  } catch {
    // A title is cosmetic; never fail a start over it.
  }
}
