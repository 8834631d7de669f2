// WebSocket close codes we send, named once. See errors.ts for the reasons that go with them.
import { CLOSE_REASON_MAX_BYTES } from './constants.js';

export const CloseCodes = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_MISMATCH: 1002,
  ABNORMAL: 1006,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  /** Ours: idle timeout (no pong) and stale device token. Upstream's 4000 is client-side only. */
  IDLE_OR_DEVICE_TOKEN: 4008,
  /** Client-side tick watchdog (reference client). */
  TICK_TIMEOUT: 4000,
} as const;
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

/** Close reasons are limited to 120 UTF-8 bytes, cut on a character boundary. */
export function truncateCloseReason(reason: string, maxBytes = CLOSE_REASON_MAX_BYTES): string {
  const text = reason.length === 0 ? 'invalid handshake' : reason;
  const enc = new TextEncoder();
  if (enc.encode(text).length <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = enc.encode(ch).length;
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * What a close without a handshake rejection means, for the Node client and the Control UI alike:
 * `gateway stop` sends 1001 "going away", a restart (config reload, SIGUSR1) 1012 "service
 * restart", and a crash or a cut network gives 1006 (no close frame).
 */
export type CloseKind = 'stopped' | 'restarting' | 'lost' | 'idle' | 'device-token' | 'other';

export function classifyClose(code: number, reason: string): CloseKind {
  switch (code) {
    case CloseCodes.GOING_AWAY:
      return 'stopped';
    case CloseCodes.SERVICE_RESTART:
      return 'restarting';
    case CloseCodes.ABNORMAL:
      return 'lost';
    case CloseCodes.IDLE_OR_DEVICE_TOKEN:
      return /device token/.test(reason) ? 'device-token' : 'idle';
    default:
      return 'other';
  }
}

/** A session that was up ended without a close frame (kill -9, a crash, a cut network). */
export const CONNECTION_LOST = {
  cause: 'The connection dropped without a close frame: the gateway crashed or was killed, or the network between here and the gateway dropped.',
  fix: 'openclaw gateway status',
} as const;
