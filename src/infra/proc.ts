// Facts about processes, read from /proc (Linux). Everything returns undefined where /proc is
// missing or unreadable, so callers degrade to "unknown" instead of failing.
import fs from 'node:fs';

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Fields of /proc/<pid>/stat after the `(comm)` part: index 0 is field 3 (state). */
function statFields(pid: number): string[] | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot): with the pid, a unique process id. */
export function readProcStartTime(pid: number): number | undefined {
  const n = Number(statFields(pid)?.[22 - 3]);
  return Number.isFinite(n) ? n : undefined;
}

/** True when the pid exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return statFields(pid)?.[0] !== 'Z';
}

/** The argv of a process, or undefined when unreadable. */
export function readCmdline(pid: number): string[] | undefined {
  const raw = readProc(pid, 'cmdline');
  if (!raw) return undefined;
  return raw.split('\0').filter((s) => s.length > 0);
}

/** Resident set size in bytes (VmRSS). */
export function readRssBytes(pid: number): number | undefined {
  const m = readProc(pid, 'status')?.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) * 1024 : undefined;
}

export function listPids(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

/** /proc/stat `btime`: when the system booted, in ms since the epoch. */
export function readSystemBootTimeMs(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The process title a running gateway sets (what `ps` shows); see cli/process-title.ts. */
export const GATEWAY_PROCESS_TITLE = 'openclaw-gateway';

/** Whether an argv is an `openclaw gateway run` (or bare `openclaw gateway`) process. */
export function isGatewayCmdline(argv: readonly string[]): boolean {
  if (argv[0]?.startsWith(`${GATEWAY_PROCESS_TITLE}:`) || argv[0] === GATEWAY_PROCESS_TITLE) return true;
  const i = argv.findIndex((a) => a === 'gateway');
  if (i < 0) return false;
  const next = argv[i + 1];
  const launchedByCli = argv.slice(0, i).some((a) => /openclaw|cli[\\/]main\.c?js$/.test(a));
  return launchedByCli && (next === undefined || next === 'run' || next.startsWith('-'));
}

/** CPU time (user + system) a process has used so far, in ms; /proc counts it in 10 ms ticks (USER_HZ 100). */
export function readCpuMs(pid: number): number | undefined {
  const f = statFields(pid);
  const ticks = Number(f?.[14 - 3]) + Number(f?.[15 - 3]);
  return Number.isFinite(ticks) ? ticks * 10 : undefined;
}
