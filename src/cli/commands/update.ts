// `openclaw update [--check] [--tag <tag>]`: thin over src/service/update.ts.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { eprintln, printJson, println } from '../output.js';
import { parsePositive } from '../parse.js';

interface UpdateCliOptions {
  check?: boolean;
  tag: string;
  registry?: string;
  timeout: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('update')
    .description('Update this openclaw from the npm registry (the global npm prefix it was installed into), restarting a running gateway; a failed start rolls back.')
    .option('--check', 'only compare this version with the registry')
    .option('--tag <tag>', 'dist-tag to follow', 'latest')
    .option('--registry <url>', 'npm registry to ask (default: npm config get registry)')
    .option('--timeout <seconds>', 'how long the restarted gateway has to become ready', parsePositive, 30)
    .option('--json', 'machine-readable result')
    .action(async (opts: UpdateCliOptions) => {
      const update = await import('../../service/update.js');
      const { locateGateway } = await import('../../gateway/locate.js');
      const say = opts.json ? eprintln : println;
      try {
        if (opts.check) {
          const c = update.checkForUpdate({ tag: opts.tag, registry: opts.registry });
          if (opts.json) return printJson({ ok: true, ...c });
          return println(c.updateAvailable ? `Update available: ${update.PACKAGE_NAME} ${c.current} → ${c.available} (tag ${c.tag}); install it with: openclaw update${opts.tag === 'latest' ? '' : ` --tag ${opts.tag}`}` : `Up to date: ${update.PACKAGE_NAME} ${c.current} (tag ${c.tag} is ${c.available}).`);
        }
        const r = await update.runUpdate({ tag: opts.tag, registry: opts.registry, timeoutSec: opts.timeout }, {
          gatewayRunning: async () => (await locateGateway(process.env)).state === 'running',
          runInstalled: (packageDir, args) => {
            const child = spawnSync(process.execPath, [path.join(packageDir, 'bin', 'openclaw.cjs'), ...args], { env: process.env, encoding: 'utf8', timeout: (opts.timeout + 30) * 1000 });
            return { ok: child.status === 0, output: `${child.stderr}\n${child.stdout}` };
          },
          log: say,
        });
        if (opts.json) return printJson({ ok: true, ...r });
        if (r.status === 'up-to-date') return println(`Up to date: ${update.PACKAGE_NAME} ${r.current} (tag ${r.tag} is ${r.available}).`);
        println(`Updated ${update.PACKAGE_NAME} ${r.current} → ${r.available} in ${r.prefix}.${r.restarted ? ' The gateway runs on it (restarted).' : ' No gateway was running; start it with: openclaw gateway start'}`);
      } catch (err) {
        if (err instanceof update.UpdateError) throw new CliError(err.message, { fix: err.fix });
        throw err;
      }
    });
}
