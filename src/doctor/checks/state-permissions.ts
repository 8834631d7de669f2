// The state dir holds tokens and device keys: it must be ours, 0700, with secrets 0600.
import fs from 'node:fs';
import path from 'node:path';
import { type Check, type DoctorContext, error, ok, warn } from '../types.js';


interface PermProblem {
  path: string;
  mode: number;
  want: number;
  wrongOwner: boolean;
}

function listFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? [p, ...listFiles(p)] : e.isFile() ? [p] : [];
    });
  } catch {
    return [];
  }
}

/** The state dir, the config, and everything under identity/ and devices/, with their wanted modes. */
function sensitivePaths(ctx: DoctorContext): { path: string; want: number }[] {
  const { stateDir, configPath, identityDir, devicesDir, credentialsDir } = ctx.paths;
  const out = [{ path: stateDir, want: 0o700 }, { path: configPath, want: 0o600 }];
  for (const dir of [identityDir, devicesDir, credentialsDir]) {
    out.push({ path: dir, want: 0o700 });
    for (const p of listFiles(dir)) out.push({ path: p, want: fs.statSync(p).isDirectory() ? 0o700 : 0o600 });
  }
  return out;
}

export function permissionProblems(ctx: DoctorContext): PermProblem[] {
  const uid = process.getuid?.();
  return sensitivePaths(ctx).flatMap(({ path: p, want }) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return [];
    }
    const mode = st.mode & 0o777;
    const wrongOwner = uid !== undefined && st.uid !== uid;
    return (mode & 0o077) !== 0 || wrongOwner ? [{ path: p, mode, want, wrongOwner }] : [];
  });
}

const octal = (m: number) => m.toString(8).padStart(4, '0');

export const statePermissions: Check = {
  id: 'state-permissions',
  title: 'State dir ownership and permissions',
  async run(ctx) {
    const problems = permissionProblems(ctx);
    if (problems.length === 0) return ok(`${ctx.paths.stateDir} and its secrets are private to this user.`);
    const foreign = problems.filter((p) => p.wrongOwner);
    if (foreign.length) {
      const user = process.env.USER ?? String(process.getuid?.());
      return error(`${foreign.map((p) => p.path).join(', ')} ${foreign.length === 1 ? 'belongs' : 'belong'} to another user, so the gateway cannot rewrite ${foreign.length === 1 ? 'it' : 'them'} (often after running openclaw with sudo).`, `sudo chown -R ${user} ${ctx.paths.stateDir}`);
    }
    const list = problems.slice(0, 3).map((p) => `${p.path} is ${octal(p.mode)}`).join(', ');
    const more = problems.length > 3 ? ` and ${problems.length - 3} more` : '';
    return warn(`${list}${more}: other users can read the gateway's secrets (want 0700 dirs, 0600 files).`, 'openclaw doctor --fix', true);
  },
  async fix(ctx) {
    const changed = permissionProblems(ctx).filter((p) => !p.wrongOwner).map((p) => {
      fs.chmodSync(p.path, p.want);
      return { path: p.path };
    });
    return { summary: `Restricted permissions on ${changed.length} path${changed.length === 1 ? '' : 's'} (chmod only, contents unchanged).`, changed };
  },
};
