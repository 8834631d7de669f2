// One WebSocket connection's state machine: challenge → connect (first-frame rule, pre-auth size
// cap, handshake timeout) → open (req/res, events with seq, backpressure) → closed. Decisions
// about auth live in handshake.ts and what to do after admission in the hub (index.ts).
import crypto from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import { parseFrame, type RequestFrame } from '../../protocol/frames.js';
import { MAX_BUFFERED_BYTES, MAX_PREAUTH_PAYLOAD_BYTES } from '../../protocol/constants.js';
import { truncateCloseReason } from '../../protocol/close-codes.js';
import { rejectionClose, rejectionError, Rejections, type RejectionContext, type RejectionId } from '../../protocol/errors.js';
import type { Logger } from '../../logging/types.js';
import type { PeerInfo, Session } from './handshake.js';

/** What a connection needs from the control plane that owns it. */
export interface ConnectionHost {
  log: Logger;
  /** Runs the connect pipeline synchronously; on success sends hello-ok and calls conn.open(). */
  connect(conn: Connection, frame: RequestFrame): void;
  /** Handles one post-hello request and sends its res. */
  request(conn: Connection, frame: RequestFrame): void;
  closed(conn: Connection): void;
}

export type ConnectionState = 'handshake' | 'open' | 'closing' | 'closed';

/** Grace for the close handshake before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

export class Connection {
  readonly connId = crypto.randomUUID();
  readonly nonce = crypto.randomUUID();
  state: ConnectionState = 'handshake';
  session?: Session;
  /** Per-connection event counter (non-resume clients). */
  seq = 0;
  /** Last sign of life (pong or any frame), for the keep-alive sweep. */
  lastSeenAt = Date.now();
  private handshakeTimer: NodeJS.Timeout | null;
  private terminateTimer: NodeJS.Timeout | null = null;
  /** A rejection is being held (rejectAfter): nothing more is read from this peer before it. */
  private held = false;

  constructor(
    readonly ws: WebSocket,
    readonly peer: PeerInfo,
    private readonly host: ConnectionHost,
    handshakeTimeoutMs: number,
  ) {
    this.handshakeTimer = setTimeout(() => this.reject('HANDSHAKE_TIMEOUT'), handshakeTimeoutMs);
    this.handshakeTimer.unref?.();
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.lastSeenAt = Date.now()));
    ws.on('close', () => this.onClose());
    ws.on('error', () => {
      // ws reports protocol errors (bad frames, oversize after hello) and then closes; nothing to add
    });
    this.sendJson({ type: 'event', event: 'connect.challenge', payload: { nonce: this.nonce, ts: Date.now() } });
  }

  get authenticated(): boolean {
    return this.state === 'open' && this.session !== undefined;
  }

  /** Called by the host once hello-ok is sent: later frames are requests. */
  open(session: Session): void {
    this.session = session;
    this.state = 'open';
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }

  private sendJson(frame: unknown): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    try {
      this.ws.send(JSON.stringify(frame));
    } catch {
      // a socket that died between the check and the send: its close handler cleans up
    }
  }

  sendRes(id: string, result: { ok: true; payload: unknown } | { ok: false; error: unknown }): void {
    let text: string;
    try {
      text = JSON.stringify(result.ok ? { type: 'res', id, ok: true, payload: result.payload } : { type: 'res', id, ok: false, error: result.error });
    } catch (err) {
      // A result JSON cannot carry (BigInt, cycles) must still answer the request, not hang it.
      const detail = `result is not serializable: ${err instanceof Error ? err.message : String(err)}`;
      text = JSON.stringify({ type: 'res', id, ok: false, error: rejectionError('INTERNAL_ERROR', { detail }) });
    }
    if (this.ws.readyState !== this.ws.OPEN) return;
    try {
      this.ws.send(text);
    } catch {
      // died meanwhile; the close handler cleans up
    }
  }

  /**
   * Sends an event unless the client is too slow: over MAX_BUFFERED_BYTES a droppable event is
   * skipped (returns false), anything else closes the connection `1008 slow consumer`.
   */
  sendEvent(frame: { event: string; payload?: unknown; seq?: number; stateVersion?: unknown }, dropIfSlow = false): boolean {
    return this.sendEventText(encodeEvent(frame.event, JSON.stringify(frame.payload), frame.seq, frame.stateVersion), dropIfSlow);
  }

  /** sendEvent for a frame already encoded (broadcasts serialize the payload once for everyone). */
  sendEventText(text: string, dropIfSlow = false): boolean {
    if (this.state !== 'open') return false;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      if (!dropIfSlow) {
        this.host.log.warn(`closing slow consumer ${this.peer.clientIp ?? 'unknown'} (${this.ws.bufferedAmount} bytes queued)`, { connId: this.connId });
        this.closeWith('SLOW_CONSUMER');
      }
      return false;
    }
    try {
      this.ws.send(text);
    } catch {
      return false; // died between the check and the send: its close handler cleans up
    }
    return true;
  }

  /** Rejects the handshake: res (when the table says so and there is a request), close, log once. */
  reject(id: RejectionId, ctx: RejectionContext = {}, reqId?: string, extraDetails?: Record<string, unknown>): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const r = Rejections[id];
    if (reqId && !('closeOnly' in r && r.closeOnly)) this.sendRes(reqId, { ok: false, error: rejectionError(id, ctx, extraDetails) });
    this.host.log.warn(`connect rejected: ${r.detailCode} from ${this.peer.clientIp ?? this.peer.remoteAddress ?? 'unknown'}`, {
      connId: this.connId,
      code: r.detailCode,
    });
    this.closeWith(id, ctx);
  }

  /** reject(), after `delayMs`; frames the peer sends meanwhile are ignored (one guess per hold). */
  rejectAfter(delayMs: number, id: RejectionId, ctx: RejectionContext, reqId?: string, extraDetails?: Record<string, unknown>): void {
    this.held = true;
    const timer = setTimeout(() => this.reject(id, ctx, reqId, extraDetails), delayMs);
    this.ws.once('close', () => clearTimeout(timer));
  }

  /** Closes with the code and reason of a table entry (no res). */
  closeWith(id: RejectionId, ctx: RejectionContext = {}): void {
    const c = rejectionClose(id, ctx);
    this.close(c?.code ?? 1008, c?.reason ?? '');
  }

  close(code: number, reason: string): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    try {
      this.ws.close(code, truncateCloseReason(reason));
    } catch {
      this.ws.terminate();
    }
    this.terminateTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
    this.terminateTimer.unref?.();
  }

  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastSeenAt = Date.now();
    if (this.state === 'closing' || this.state === 'closed') return;
    if (this.state === 'handshake') return this.onPreauthFrame(data, isBinary);
    const text = isBinary ? null : rawToString(data);
    const parsed = text === null ? { ok: false as const, error: 'binary frames are not supported' } : parseFrame(text);
    if (!parsed.ok || parsed.frame.type !== 'req') {
      const detail = parsed.ok ? `expected type "req", got "${parsed.frame.type}"` : parsed.error;
      this.sendRes(echoId(text), { ok: false, error: rejectionError('INVALID_FRAME_AFTER_HELLO', { detail }) });
      return;
    }
    this.host.request(this, parsed.frame);
  }

  private onPreauthFrame(data: RawData, isBinary: boolean): void {
    if (this.held) return;
    if (rawLength(data) > MAX_PREAUTH_PAYLOAD_BYTES) return this.reject('PREAUTH_PAYLOAD_TOO_LARGE');
    const parsed = isBinary ? null : parseFrame(rawToString(data));
    if (!parsed?.ok || parsed.frame.type !== 'req') return this.reject('INVALID_REQUEST_FRAME');
    const frame = parsed.frame;
    if (frame.method !== 'connect') return this.reject('FIRST_REQUEST_NOT_CONNECT', {}, frame.id);
    // Decided synchronously: afterwards the connection is open (or closing), so frames the client
    // pipelined behind connect are handled as requests, in order.
    this.host.connect(this, frame);
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.terminateTimer) clearTimeout(this.terminateTimer);
    this.host.closed(this);
  }
}

/** An event frame's JSON with a pre-serialized payload (same bytes as JSON.stringify of the frame). */
export function encodeEvent(event: string, payloadJson: string | undefined, seq?: number, stateVersion?: unknown): string {
  let text = `{"type":"event","event":${JSON.stringify(event)}`;
  if (payloadJson !== undefined) text += `,"payload":${payloadJson}`;
  if (seq !== undefined) text += `,"seq":${seq}`;
  if (stateVersion !== undefined) text += `,"stateVersion":${JSON.stringify(stateVersion)}`;
  return text + '}';
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** The id of a bad frame when it has a usable one, else "invalid". */
function echoId(text: string | null): string {
  if (text === null) return 'invalid';
  try {
    const v = JSON.parse(text) as { id?: unknown };
    if (typeof v?.id === 'string' && v.id.length > 0 && v.id.length <= 256) return v.id;
  } catch {
    // not JSON
  }
  return 'invalid';
}
