// A pid file whose process is gone (or whose pid now belongs to another program) makes
// `gateway start/stop/status` lie; removing it is safe.
import fs from 'node:fs';
import { locateGateway } from '../../gateway/locate.js';
import { inspectPidFile, writePidFile } from '../../gateway/pidfile.js';
import { backupFile } from '../backup.js';
import { type Check, ok, warn } from '../types.js';

export const pidFile: Check = {
  id: 'pid-file',
  title: 'Gateway pid file is current',
  async run(ctx) {
    const file = ctx.paths.pidFile;
    const s = inspectPidFile(file);
    if (s.state !== 'running') {
      const found = await locateGateway(ctx.env);
      if (found.state === 'running') return warn(`No current pid file, but gateway pid ${found.record.pid} listens on port ${found.record.port}; gateway stop and restart find it by its port, doctor --fix writes the pid file again.`, 'openclaw doctor --fix', true);
    }
    if (s.state === 'absent') return ok('No gateway pid file (no daemon gateway for this state dir).');
    if (s.state === 'running') return ok(`The pid file names a live gateway (pid ${s.record.pid}).`);
    const why = s.pid === undefined ? 'is unreadable' : `names pid ${s.pid}, which is no longer that gateway (it crashed or was killed)`;
    return warn(`${file} ${why}, so gateway status and stop cannot be trusted.`, 'openclaw doctor --fix', true);
  },
  async fix(ctx) {
    const file = ctx.paths.pidFile;
    const found = await locateGateway(ctx.env);
    if (found.state === 'running' && found.via === 'port') {
      const backupPath = fs.existsSync(file) ? backupFile(file) : undefined;
      writePidFile(file, found.record);
      return { summary: `Wrote ${file} for the running gateway (pid ${found.record.pid}).`, changed: [{ path: file, ...(backupPath ? { backupPath } : {}) }] };
    }
    if (inspectPidFile(file).state !== 'stale') return { summary: 'The pid file needed no repair.', changed: [] };
    const backupPath = backupFile(file);
    fs.rmSync(file, { force: true });
    return { summary: `Removed the stale pid file ${file}.`, changed: [{ path: file, backupPath }] };
  },
};
