// `postprepare`: builds dist/ after `npm install` in a git checkout, which is also how npm installs
// the package from a git URL (it clones, runs `npm install`, then packs). Not `prepare`: npm 11
// lists a `prepare` script as an unreviewed install script on every `npm install -g <tarball>`,
// though it never runs there. Registry and tarball installs carry a built dist/ (`prepack`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

if (fs.existsSync('.git') && fs.existsSync('src')) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
