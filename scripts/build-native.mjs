// Builds the optional native addon dist/native/malloc-trim.node from native/malloc-trim.c with the
// system C compiler (`CC`, else `cc`). Optional on purpose: without a compiler, or off Linux, the
// build says so and goes on, and the gateway simply skips returning freed heap pages to the OS
// (src/infra/memory-compaction.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const out = path.join('dist', 'native', 'malloc-trim.node');
if (process.platform !== 'linux') {
  process.stdout.write(`note: ${out} is only built on Linux (glibc's malloc_trim); skipped\n`);
  process.exit(0);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
const cc = process.env.CC || 'cc';
const tmp = `${out}.tmp`;
const r = spawnSync(cc, ['-O2', '-shared', '-fPIC', '-o', tmp, path.join('native', 'malloc-trim.c')], { encoding: 'utf8' });
if (r.status !== 0) {
  fs.rmSync(tmp, { force: true });
  const why = r.error ? `${cc} not found` : (r.stderr || '').trim().split('\n')[0];
  process.stdout.write(`note: ${out} not built (${why}); the gateway runs without returning freed heap pages (install a C compiler and run npm run build to get it)\n`);
  process.exit(0);
}
fs.renameSync(tmp, out);
process.stdout.write(`built ${out}\n`);
