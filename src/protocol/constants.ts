// Protocol constants shared by server, CLI, SDK and UI. Values follow the upstream v4 wire.

export const PROTOCOL_VERSION = 4;
/** Authenticated nodes and probes may speak N-1. */
export const MIN_NODE_PROTOCOL_VERSION = 3;
export const MIN_PROBE_PROTOCOL_VERSION = 3;

export const DEFAULT_GATEWAY_PORT = 18789;
export const DEFAULT_GATEWAY_HOST = '127.0.0.1';

export const MAX_PREAUTH_PAYLOAD_BYTES = 64 * 1024;
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
export const MAX_BUFFERED_BYTES = 50 * 1024 * 1024;

export const TICK_INTERVAL_MS = 30_000;
/** Client reconnect policy, shared by the Node client (src/client) and the Control UI: backoff 1 s → 30 s, pairing polled every 2 s. */
export const RECONNECT_BACKOFF_MIN_MS = 1000;
export const RECONNECT_BACKOFF_MAX_MS = 30_000;
export const PAIRING_POLL_MS = 2000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000;
export const DEVICE_SIGNATURE_SKEW_MS = 120_000;
export const PENDING_PAIRING_TTL_MS = 5 * 60_000;
export const IDEMPOTENCY_TTL_MS = 5 * 60_000;
export const IDEMPOTENCY_MAX_ENTRIES = 1000;
/** WS ping interval default (gateway.websocket.keepAlive, seconds); no pong within two intervals closes 4008. */
export const DEFAULT_KEEPALIVE_SECONDS = 30;
export const CLOSE_REASON_MAX_BYTES = 120;

export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;
export const ATTACHMENT_MAX_IMAGE_BYTES = 6 * 1024 * 1024;

export const GATEWAY_CLIENT_IDS = [
  'webchat-ui',
  'openclaw-control-ui',
  'openclaw-tui',
  'webchat',
  'cli',
  'gateway-client',
  'openclaw-macos',
  'openclaw-ios',
  'openclaw-watchos',
  'openclaw-android',
  'node-host',
  'openclaw-worker',
  'test',
  'fingerprint',
  'openclaw-probe',
] as const;
export type GatewayClientId = (typeof GATEWAY_CLIENT_IDS)[number];

export const GATEWAY_CLIENT_MODES = ['webchat', 'cli', 'ui', 'backend', 'node', 'worker', 'probe', 'test'] as const;
export type GatewayClientMode = (typeof GATEWAY_CLIENT_MODES)[number];

export const ROLES = ['operator', 'node', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** Clients that are browser UIs (origin + secure-context rules apply). */
export const BROWSER_UI_CLIENT_IDS: ReadonlySet<string> = new Set(['openclaw-control-ui', 'webchat-ui', 'webchat']);
