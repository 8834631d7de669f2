// The readiness check behind "ready means the WebSocket accepts handshakes": a fresh connection to
// our own port must be upgraded and then greeted with connect.challenge. Spoken over a raw socket,
// not the ws client: the probe needs one unmasked server frame, and the client's HTTP machinery
// (loaded only for this) is ~9 ms of the gateway's start.
import crypto from 'node:crypto';
import net from 'node:net';

/** What the bytes received so far amount to. */
export type ProbeProgress =
  | { state: 'more' }
  | { state: 'challenge' }
  | { state: 'failed'; reason: string };

const HEADER_END = '\r\n\r\n';

/** Reads the upgrade response and the first frame (pure: all bytes so far in, verdict out). */
export function readProbeResponse(bytes: Buffer): ProbeProgress {
  const end = bytes.indexOf(HEADER_END);
  if (end < 0) return bytes.length > 16 * 1024 ? { state: 'failed', reason: 'oversized upgrade response' } : { state: 'more' };
  const statusLine = bytes.subarray(0, bytes.indexOf('\r\n')).toString('latin1');
  if (!/^HTTP\/1\.1 101\b/.test(statusLine)) return { state: 'failed', reason: `upgrade refused (${statusLine})` };
  const frame = readFrame(bytes.subarray(end + HEADER_END.length));
  if (frame === undefined) return { state: 'more' };
  if (frame.opcode === 0x8) return { state: 'failed', reason: 'closed before connect.challenge' };
  if (frame.opcode !== 0x1) return { state: 'failed', reason: `unexpected frame opcode ${frame.opcode}` };
  try {
    const msg = JSON.parse(frame.payload.toString('utf8')) as { type?: unknown; event?: unknown };
    if (msg.type === 'event' && msg.event === 'connect.challenge') return { state: 'challenge' };
  } catch {
    // fall through
  }
  return { state: 'failed', reason: 'first frame was not connect.challenge' };
}

/** One complete server frame (RFC 6455 §5.2: servers do not mask), or undefined if incomplete. */
function readFrame(b: Buffer): { opcode: number; payload: Buffer } | undefined {
  if (b.length < 2) return undefined;
  const opcode = b[0] & 0x0f;
  let length = b[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (b.length < 4) return undefined;
    length = b.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (b.length < 10) return undefined;
    length = Number(b.readBigUInt64BE(2));
    offset = 10;
  }
  if (b.length < offset + length) return undefined;
  return { opcode, payload: b.subarray(offset, offset + length) };
}

/** Resolves once `host:port` upgrades a WebSocket and sends connect.challenge; rejects with why not. */
export function probeHandshake(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = Buffer.alloc(0);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error('no connect.challenge')), timeoutMs);
    socket.on('connect', () => {
      const hostHeader = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      socket.write(
        `GET / HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const progress = readProbeResponse(received);
      if (progress.state === 'challenge') finish();
      else if (progress.state === 'failed') finish(new Error(progress.reason));
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('closed before connect.challenge')));
  });
}
