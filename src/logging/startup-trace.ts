// OPENCLAW_STARTUP_TRACE=1 prints `startup +<ms> cpu <ms> <phase>` lines to stderr: wall time since
// the process started (performance.now()) and CPU time used so far (robust on a busy machine), to
// see where time goes on the way to /ready. Unset, a mark costs one boolean check.
const enabled = process.env.OPENCLAW_STARTUP_TRACE === '1';

export function startupMark(phase: string): void {
  if (!enabled) return;
  const cpu = process.cpuUsage();
  process.stderr.write(`startup +${performance.now().toFixed(1)}ms cpu ${((cpu.user + cpu.system) / 1000).toFixed(1)}ms ${phase}\n`);
}
