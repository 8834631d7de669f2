// Runs the compiled tests under whichever Node runs this script. `node --test dist/` finds the
// tests in a directory on Node 20, but Node 22 and later read the arguments as glob patterns and
// try to run the directory itself, so the test files are listed here for every version alike.
// Usage: node scripts/run-tests.mjs [dir or test file …] [!test file to leave out …] [-- extra node --test flags]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const split = args.indexOf('--');
const picked = split < 0 ? args : args.slice(0, split);
const dirs = picked.filter((a) => !a.startsWith('!'));
const left = new Set(picked.filter((a) => a.startsWith('!')).map((a) => path.normalize(a.slice(1))));
const extra = split < 0 ? [] : args.slice(split + 1);

const files = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.js')) files.push(p);
  }
};
for (const d of dirs.length ? dirs : ['dist']) {
  if (!fs.existsSync(d)) {
    console.error(`run-tests: ${d} does not exist; build first with: npm run build`);
    process.exit(2);
  }
  if (fs.statSync(d).isDirectory()) walk(d);
  else files.push(d);
}
files.sort();
const run = files.filter((f) => !left.has(path.normalize(f)));

const child = spawn(process.execPath, ['--test', '--test-concurrency=4', '--test-force-exit', ...extra, ...run], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
