// The gateway's port is held by some other process (EADDRINUSE on start): name it.
import { inspectPidFile } from '../../gateway/pidfile.js';
import { findPortOwner, isPortInUse } from '../../infra/port-owner.js';
import { type Check, error, isFinding, ok, settingsOf } from '../types.js';

export const portOwner: Check = {
  id: 'port-owner',
  title: 'Gateway port is free or ours',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    const port = s.port;
    const host = s.host === '0.0.0.0' || s.host === '::' ? '127.0.0.1' : s.host;
    if (!(await isPortInUse(port, host))) return ok(`Port ${port} is free for the gateway.`);
    const pid = inspectPidFile(ctx.paths.pidFile);
    const ours = pid.state === 'running' ? pid.record.pid : undefined;
    const owner = findPortOwner(port);
    if (ours !== undefined && (!owner || owner.pid === ours)) return ok(`Port ${port} is held by our gateway (pid ${ours}).`);
    const other = `openclaw config set gateway.port ${port + 1}`;
    if (!owner) return error(`Port ${port} is in use by a process we cannot inspect (another user's or a container's), so the gateway cannot bind it (EADDRINUSE).`, `sudo ss -ltnp 'sport = :${port}'  # stop it, or: ${other}`);
    return error(`Port ${port} is held by pid ${owner.pid} (${owner.command}), not by this state dir's gateway, so start fails with "another gateway instance is already listening".`, `kill ${owner.pid}  # or: ${other}`);
  },
};
