// Who is listening on a TCP port: /proc/net/tcp{,6} gives the socket inode, /proc/<pid>/fd maps the
// inode to a process. Only processes we may inspect are found (same user, or root).
import fs from 'node:fs';
import net from 'node:net';
import { listPids, readCmdline } from './proc.js';

export interface PortOwner {
  pid: number;
  /** The command line, shortened for messages. */
  command: string;
  argv: string[];
}

const TCP_LISTEN = '0A';

/** Inodes of sockets in LISTEN state on `port` (any address). */
export function listeningInodes(port: number, tables = ['/proc/net/tcp', '/proc/net/tcp6']): Set<string> {
  const inodes = new Set<string>();
  for (const table of tables) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const localPort = parseInt(cols[1].split(':')[1] ?? '', 16);
      if (localPort === port && cols[3] === TCP_LISTEN && cols[9] !== '0') inodes.add(cols[9]);
    }
  }
  return inodes;
}

export function findPortOwner(port: number): PortOwner | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const pid of listPids()) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        const argv = readCmdline(pid) ?? [];
        return { pid, argv, command: shortCommand(argv) };
      }
    }
  }
  return undefined;
}

function shortCommand(argv: string[]): string {
  const text = argv.join(' ') || 'unknown command';
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}

/** A port that is free on `host` right now (the OS picks it). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function isPortInUse(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (v: boolean) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
