// Every error and close reason the gateway can send, written once. Each entry carries a stable
// detail code, one sentence of cause and the exact fix, so the server, CLI, UI and
// docs/troubleshooting.md all say the same thing. Pure: no Node-only APIs (the UI imports this).
import { CloseCodes } from './close-codes.js';

/** Top-level `error.code` values. */
export const ErrorCodes = {
  NOT_LINKED: 'NOT_LINKED',
  NOT_PAIRED: 'NOT_PAIRED',
  AGENT_TIMEOUT: 'AGENT_TIMEOUT',
  INVALID_REQUEST: 'INVALID_REQUEST',
  FORBIDDEN: 'FORBIDDEN',
  APPROVAL_NOT_FOUND: 'APPROVAL_NOT_FOUND',
  UNAVAILABLE: 'UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export type RecommendedNextStep =
  | 'retry_with_device_token'
  | 'update_auth_configuration'
  | 'update_auth_credentials'
  | 'wait_then_retry'
  | 'review_auth_configuration'
  | 'fix_client'
  | 'fix_network'
  | 'update_model_configuration';

/** Wire shape of `res.error`. */
export interface ErrorShape {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** Values a rejection's message, reason and fix may interpolate. */
export interface RejectionContext {
  /** client hint for auth failures (depends on client kind, see authHint()). */
  hint?: string;
  requestId?: string;
  origin?: string;
  port?: number;
  host?: string;
  scope?: string;
  method?: string;
  detail?: string;
  deviceId?: string;
  retryAfterMs?: number;
  expectedProtocol?: number;
  /** Model errors: provider id, model id, its index in models.providers.<p>.models, key env var. */
  provider?: string;
  model?: string;
  modelIndex?: number;
  envVar?: string;
  /** STATE_DISK_FULL: the gateway's state dir. */
  stateDir?: string;
}

export interface Rejection {
  /** Stable `details.code` (also the key of this table). */
  detailCode: string;
  errorCode: ErrorCode;
  /** `res.error.message`. */
  message: (c: RejectionContext) => string;
  /** Close code after the `res` (undefined: the socket stays open). */
  closeCode?: number;
  /** Close reason; defaults to the message (truncated to 120 bytes by the sender). */
  closeReason?: (c: RejectionContext) => string;
  /** No `res` is sent, only the close (e.g. an unparseable first frame). */
  closeOnly?: boolean;
  recommendedNextStep: RecommendedNextStep;
  /** One sentence: why this happened. */
  cause: string;
  /** The exact command or config line that fixes it. */
  fix: (c: RejectionContext) => string;
  /** Authentication reason (`details.authReason`) where upstream defines one. */
  authReason?: string;
  retryable?: boolean;
}

const P = CloseCodes.POLICY_VIOLATION;
const cmdApprove = (c: RejectionContext) => `openclaw devices approve ${c.requestId ?? '<requestId>'}`;
const origins = (c: RejectionContext) => `openclaw config set gateway.controlUi.allowedOrigins '["${c.origin ?? 'https://your-host'}"]'`;

/** Hint appended to auth failures, chosen by client kind (upstream wording). */
export function authHint(clientKind: 'cli' | 'control-ui' | 'other', secret: 'token' | 'password' = 'token'): string {
  if (clientKind === 'cli') return secret === 'token' ? 'set gateway.remote.token to match gateway.auth.token' : 'set gateway.remote.password to match gateway.auth.password';
  if (clientKind === 'control-ui') return `open the dashboard URL and paste the ${secret} in Control UI settings`;
  return `provide gateway auth ${secret}`;
}

const withHint = (base: string) => (c: RejectionContext) => (c.hint ? `${base} (${c.hint})` : base);

export const Rejections = {
  // ---- first frame / framing -------------------------------------------------------------
  INVALID_REQUEST_FRAME: {
    detailCode: 'INVALID_REQUEST_FRAME', errorCode: 'INVALID_REQUEST', closeOnly: true, closeCode: P,
    message: () => 'invalid request frame',
    recommendedNextStep: 'fix_client',
    cause: 'The first frame was not a JSON request frame; only a `connect` request may open a session.',
    fix: () => 'Use an OpenClaw protocol v4 client (openclaw gateway call health) or check what is talking to the gateway port.',
  },
  FIRST_REQUEST_NOT_CONNECT: {
    detailCode: 'FIRST_REQUEST_NOT_CONNECT', errorCode: 'INVALID_REQUEST', closeCode: P,
    message: () => 'invalid handshake: first request must be connect',
    recommendedNextStep: 'fix_client',
    cause: 'The client sent a request before authenticating with `connect`.',
    fix: () => 'Send {"type":"req","method":"connect",...} as the first frame (see docs/protocol.md).',
  },
  INVALID_CONNECT_PARAMS: {
    detailCode: 'INVALID_CONNECT_PARAMS', errorCode: 'INVALID_REQUEST', closeCode: P,
    message: (c) => `invalid connect params: ${c.detail ?? ''}`.trimEnd(),
    recommendedNextStep: 'fix_client',
    cause: 'The connect request did not match the protocol v4 schema.',
    fix: () => 'Update the client to protocol v4 (docs/protocol.md lists every field).',
  },
  PREAUTH_PAYLOAD_TOO_LARGE: {
    detailCode: 'PREAUTH_PAYLOAD_TOO_LARGE', errorCode: 'INVALID_REQUEST', closeOnly: true, closeCode: CloseCodes.MESSAGE_TOO_BIG,
    message: () => 'preauth payload too large',
    recommendedNextStep: 'fix_client',
    cause: 'A frame larger than 64 KiB arrived before the handshake finished.',
    fix: () => 'Keep the connect frame under 64 KiB; large payloads are allowed only after hello-ok.',
  },
  PROTOCOL_MISMATCH: {
    detailCode: 'PROTOCOL_MISMATCH', errorCode: 'INVALID_REQUEST', closeCode: CloseCodes.PROTOCOL_MISMATCH,
    message: () => 'protocol mismatch',
    recommendedNextStep: 'fix_client',
    cause: 'The client and the gateway share no protocol version (the gateway speaks v4).',
    fix: (c) => `Update the client so its protocol range includes ${c.expectedProtocol ?? 4}.`,
  },
  INVALID_ROLE: {
    detailCode: 'INVALID_ROLE', errorCode: 'INVALID_REQUEST', closeCode: P,
    message: () => 'invalid role',
    recommendedNextStep: 'fix_client',
    cause: 'The connect request asked for a role other than operator or node.',
    fix: () => 'Connect with role "operator" (CLI, UI) or "node" (capability hosts).',
  },
  HANDSHAKE_TIMEOUT: {
    detailCode: 'HANDSHAKE_TIMEOUT', errorCode: 'INVALID_REQUEST', closeOnly: true, closeCode: P,
    message: () => 'handshake timeout',
    recommendedNextStep: 'fix_network',
    cause: 'The client did not complete `connect` within the handshake timeout (15 s by default).',
    fix: () => 'Check the client and any proxy between it and the gateway; raise OPENCLAW_HANDSHAKE_TIMEOUT_MS only for very slow links.',
  },
  GATEWAY_STARTING: {
    detailCode: 'GATEWAY_STARTING', errorCode: 'UNAVAILABLE', closeCode: CloseCodes.TRY_AGAIN_LATER, retryable: true,
    message: () => 'gateway starting',
    recommendedNextStep: 'wait_then_retry',
    cause: 'The gateway is still starting up.',
    fix: () => 'Retry after retryAfterMs; `openclaw gateway status` shows when it is ready.',
  },

  // ---- browser origin / secure context -------------------------------------------------------
  CONTROL_UI_ORIGIN_NOT_ALLOWED: {
    detailCode: 'CONTROL_UI_ORIGIN_NOT_ALLOWED', errorCode: 'INVALID_REQUEST', closeCode: P,
    message: () => 'origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)',
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The browser page that opened this connection is served from an origin the gateway does not allow.',
    fix: origins,
  },
  CONTROL_UI_DEVICE_IDENTITY_REQUIRED: {
    detailCode: 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED', errorCode: 'INVALID_REQUEST', closeCode: P,
    message: () => 'control ui requires HTTPS or localhost (secure context)',
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The Control UI was opened over plain HTTP from another machine, where browsers give it no device identity.',
    fix: (c) => `Use HTTPS, or an SSH tunnel (ssh -N -L ${c.port ?? 18789}:127.0.0.1:${c.port ?? 18789} user@gateway-host) and open http://127.0.0.1:${c.port ?? 18789}/; on a trusted LAN only: openclaw config set gateway.controlUi.allowInsecureAuth true`,
  },
  DEVICE_IDENTITY_REQUIRED: {
    detailCode: 'DEVICE_IDENTITY_REQUIRED', errorCode: 'NOT_PAIRED', closeCode: P,
    message: () => 'device identity required',
    recommendedNextStep: 'fix_client',
    cause: 'The client connected without a signed device identity and without a shared secret that allows that.',
    fix: () => 'Connect with the gateway token (openclaw config get gateway.auth.token --show-secrets) or a client that signs connect.challenge.',
  },

  // ---- shared-secret auth -------------------------------------------------------------------
  AUTH_TOKEN_MISSING: {
    detailCode: 'AUTH_TOKEN_MISSING', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'token_missing',
    message: withHint('unauthorized: gateway token missing'),
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The gateway requires a token and the client sent none.',
    fix: () => 'openclaw dashboard  (opens the Control UI already signed in); for scripts: export OPENCLAW_GATEWAY_TOKEN=<token from openclaw config get gateway.auth.token --show-secrets>',
  },
  AUTH_TOKEN_MISMATCH: {
    detailCode: 'AUTH_TOKEN_MISMATCH', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'token_mismatch',
    message: withHint('unauthorized: gateway token mismatch'),
    recommendedNextStep: 'update_auth_credentials',
    cause: 'The client sent a token that differs from gateway.auth.token (often a regenerated or drifted token).',
    fix: () => 'openclaw doctor  (shows where the tokens differ); then openclaw dashboard, or openclaw config set gateway.remote.token <gateway.auth.token>',
  },
  AUTH_TOKEN_NOT_CONFIGURED: {
    detailCode: 'AUTH_TOKEN_NOT_CONFIGURED', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'token_missing_config',
    message: () => 'unauthorized: gateway token not configured on gateway (set gateway.auth.token)',
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The gateway is in token mode but has no token configured.',
    fix: () => 'openclaw doctor --generate-gateway-token --fix',
  },
  AUTH_PASSWORD_MISSING: {
    detailCode: 'AUTH_PASSWORD_MISSING', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'password_missing',
    message: withHint('unauthorized: gateway password missing'),
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The gateway is in password mode and the client sent no password.',
    fix: () => 'Enter the gateway password in the Control UI, or export OPENCLAW_GATEWAY_PASSWORD=<password> for the CLI.',
  },
  AUTH_PASSWORD_MISMATCH: {
    detailCode: 'AUTH_PASSWORD_MISMATCH', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'password_mismatch',
    message: withHint('unauthorized: gateway password mismatch'),
    recommendedNextStep: 'update_auth_credentials',
    cause: 'The password the client sent differs from gateway.auth.password.',
    fix: () => 'openclaw config set gateway.auth.password <new-password>  (then use it in every client)',
  },
  AUTH_PASSWORD_NOT_CONFIGURED: {
    detailCode: 'AUTH_PASSWORD_NOT_CONFIGURED', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'password_missing_config',
    message: () => 'unauthorized: gateway password not configured on gateway (set gateway.auth.password)',
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The gateway is in password mode but has no password configured.',
    fix: () => 'openclaw config set gateway.auth.password <password>',
  },
  AUTH_TRUSTED_PROXY: {
    detailCode: 'AUTH_UNAUTHORIZED', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'trusted_proxy',
    message: (c) => `unauthorized: trusted proxy ${c.detail ?? 'rejected the request'}`,
    recommendedNextStep: 'review_auth_configuration',
    cause: 'gateway.auth.mode is trusted-proxy but the request did not come through a configured proxy with the identity header.',
    fix: (c) =>
      c.detail === 'rejected a loopback source'
        ? 'openclaw config set gateway.auth.trustedProxy.allowLoopback true  (the proxy runs on this host)'
        : `openclaw config set gateway.trustedProxies '["<proxy ip>"]'  and make the proxy set gateway.auth.trustedProxy.userHeader`,
  },
  AUTH_RATE_LIMITED: {
    detailCode: 'AUTH_RATE_LIMITED', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'rate_limited', retryable: true,
    message: () => 'unauthorized: too many failed authentication attempts (retry later)',
    recommendedNextStep: 'wait_then_retry',
    cause: 'Too many wrong credentials came from this address: 10 a minute lock a remote address (or a browser origin) out for 5 minutes; on loopback, too many wrong answers are still being held.',
    fix: (c) => `Wait ${Math.ceil((c.retryAfterMs ?? 300_000) / 1000)} s, then retry with the right token (openclaw config get gateway.auth.token --show-secrets).`,
  },

  // ---- device proof -------------------------------------------------------------------------
  DEVICE_AUTH_DEVICE_ID_MISMATCH: {
    detailCode: 'DEVICE_AUTH_DEVICE_ID_MISMATCH', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'device-id-mismatch',
    message: () => 'device identity mismatch',
    recommendedNextStep: 'fix_client',
    cause: 'device.id is not the SHA-256 of the device public key.',
    fix: () => 'Send device.id = hex(sha256(raw 32-byte Ed25519 public key)).',
  },
  DEVICE_AUTH_SIGNATURE_EXPIRED: {
    detailCode: 'DEVICE_AUTH_SIGNATURE_EXPIRED', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'device-signature-stale',
    message: () => 'device signature expired',
    recommendedNextStep: 'fix_client',
    cause: 'device.signedAt is more than 2 minutes away from the gateway clock.',
    fix: () => 'Sync the clock of the client and the gateway host (timedatectl set-ntp true), or sign with the challenge ts.',
  },
  DEVICE_AUTH_NONCE_REQUIRED: {
    detailCode: 'DEVICE_AUTH_NONCE_REQUIRED', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'device-nonce-missing',
    message: () => 'device nonce required',
    recommendedNextStep: 'fix_client',
    cause: 'The device proof did not include the connect.challenge nonce.',
    fix: () => 'Wait for connect.challenge and send its nonce as device.nonce (and in the signed payload).',
  },
  DEVICE_AUTH_NONCE_MISMATCH: {
    detailCode: 'DEVICE_AUTH_NONCE_MISMATCH', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'device-nonce-mismatch',
    message: () => 'device nonce mismatch',
    recommendedNextStep: 'fix_client',
    cause: 'device.nonce is not the nonce this connection was challenged with.',
    fix: () => 'Sign the nonce from this socket\'s connect.challenge, not a cached one.',
  },
  DEVICE_AUTH_SIGNATURE_INVALID: {
    detailCode: 'DEVICE_AUTH_SIGNATURE_INVALID', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'device-signature',
    message: () => 'device signature invalid',
    recommendedNextStep: 'fix_client',
    cause: 'The Ed25519 signature does not verify against the v3 (or v2) connect payload.',
    fix: () => 'Sign v3|deviceId|clientId|clientMode|role|scopes|signedAt|token|nonce|platform|deviceFamily (docs/protocol.md).',
  },
  DEVICE_AUTH_PUBLIC_KEY_INVALID: {
    detailCode: 'DEVICE_AUTH_PUBLIC_KEY_INVALID', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'device-public-key',
    message: () => 'device public key invalid',
    recommendedNextStep: 'fix_client',
    cause: 'device.publicKey is not a 32-byte Ed25519 key in base64url (or PEM).',
    fix: () => 'Send the raw 32-byte Ed25519 public key, base64url without padding.',
  },

  // ---- device tokens and pairing -------------------------------------------------------------
  AUTH_DEVICE_TOKEN_MISMATCH: {
    detailCode: 'AUTH_DEVICE_TOKEN_MISMATCH', errorCode: 'INVALID_REQUEST', closeCode: CloseCodes.IDLE_OR_DEVICE_TOKEN, authReason: 'device_token_mismatch',
    message: () => 'connect failed — device token mismatch',
    recommendedNextStep: 'update_auth_credentials',
    cause: 'The device presented a device token that was rotated, revoked or issued by another gateway.',
    fix: (c) => `Reconnect with the gateway token (the client drops its cached device token), or re-pair: openclaw devices remove ${c.deviceId ?? '<deviceId>'}`,
  },
  AUTH_SCOPE_MISMATCH: {
    detailCode: 'AUTH_SCOPE_MISMATCH', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'scope_mismatch',
    message: () => 'unauthorized: device token does not cover the requested role or scopes',
    recommendedNextStep: 'review_auth_configuration',
    cause: 'The device token is valid but was issued for fewer scopes or another role than requested.',
    fix: (c) => `openclaw devices rotate --device ${c.deviceId ?? '<deviceId>'} --role operator --scope ${c.scope ?? 'operator.read'}`,
  },
  PAIRING_REQUIRED: {
    detailCode: 'PAIRING_REQUIRED', errorCode: 'NOT_PAIRED', closeCode: P,
    // detail: the upgrade variant (role, scopes, metadata); absent for a device that never paired.
    message: (c) => `pairing required: ${c.detail ?? 'device is not approved yet'}`,
    closeReason: (c) => (c.requestId ? `pairing required: ${c.detail ?? 'device is not approved yet'} (requestId: ${c.requestId})` : c.detail ? `pairing required: ${c.detail}` : 'pairing required'),
    // Official clients keep retrying on wait_then_retry and get in by themselves once approved.
    recommendedNextStep: 'wait_then_retry',
    cause: 'This device is new to the gateway (or asks for more than it was approved for) and waits for an operator to approve it.',
    fix: cmdApprove,
  },

  // ---- after hello --------------------------------------------------------------------------
  UNKNOWN_METHOD: {
    detailCode: 'UNKNOWN_METHOD', errorCode: 'INVALID_REQUEST',
    message: (c) => `unknown method: ${c.method ?? ''}`,
    recommendedNextStep: 'fix_client',
    cause: 'The gateway does not implement this method.',
    fix: () => 'openclaw gateway call health --json  shows features.methods in hello-ok; use one of those.',
  },
  INVALID_PARAMS: {
    detailCode: 'INVALID_PARAMS', errorCode: 'INVALID_REQUEST',
    message: (c) => `invalid ${c.method ?? 'request'} params: ${c.detail ?? ''}`.trimEnd(),
    recommendedNextStep: 'fix_client',
    cause: 'The request parameters did not match the method schema.',
    fix: () => 'See docs/protocol.md for the method parameters.',
  },
  INVALID_FRAME_AFTER_HELLO: {
    detailCode: 'INVALID_REQUEST_FRAME', errorCode: 'INVALID_REQUEST',
    message: (c) => `invalid request frame: ${c.detail ?? 'not a request'}`,
    recommendedNextStep: 'fix_client',
    cause: 'After the handshake a client sent something that is not a request frame.',
    fix: () => 'Send {"type":"req","id":"…","method":"…"} frames only.',
  },
  MISSING_SCOPE: {
    detailCode: 'MISSING_SCOPE', errorCode: 'FORBIDDEN',
    message: (c) => `missing scope: ${c.scope ?? ''}`,
    recommendedNextStep: 'review_auth_configuration',
    cause: 'The connection was not granted the scope this method needs.',
    fix: (c) => `openclaw devices rotate --device ${c.deviceId ?? '<deviceId>'} --role operator --scope ${c.scope ?? '<scope>'}  (or reconnect asking for that scope and approve the upgrade)`,
  },
  UNAUTHORIZED_ROLE: {
    detailCode: 'UNAUTHORIZED_ROLE', errorCode: 'INVALID_REQUEST',
    message: (c) => `unauthorized role: ${c.detail ?? ''}`,
    recommendedNextStep: 'fix_client',
    cause: 'This method is reserved for another role (for example node-only methods).',
    fix: () => 'Call it from a client connected with the right role.',
  },
  METHOD_RATE_LIMITED: {
    detailCode: 'METHOD_RATE_LIMITED', errorCode: 'UNAVAILABLE', retryable: true,
    message: (c) => `rate limit exceeded for ${c.method ?? 'method'}; retry after ${Math.ceil((c.retryAfterMs ?? 0) / 1000)}s`,
    recommendedNextStep: 'wait_then_retry',
    cause: 'Too many control-plane writes in a short time.',
    fix: (c) => `Wait ${Math.ceil((c.retryAfterMs ?? 0) / 1000)} s and retry.`,
  },
  STATE_DISK_FULL: {
    detailCode: 'STATE_DISK_FULL', errorCode: 'UNAVAILABLE', retryable: true,
    message: (c) => `no space left on the disk of ${c.stateDir ?? '<state dir>'}: the gateway could not save ${c.detail ?? 'its state'}, so this operation failed`,
    recommendedNextStep: 'wait_then_retry',
    cause: 'A durable write (transcript, replay log, idempotency record) failed with ENOSPC or EDQUOT; only that operation failed, the gateway keeps serving and /ready reports the degraded subsystem.',
    fix: (c) => `free space in ${c.stateDir ?? '<state dir>'} (df -h ${c.stateDir ?? '<state dir>'}), then retry`,
  },
  INTERNAL_ERROR: {
    detailCode: 'INTERNAL_ERROR', errorCode: 'UNAVAILABLE',
    message: (c) => c.detail ?? 'internal error',
    recommendedNextStep: 'wait_then_retry',
    cause: 'The method failed inside the gateway.',
    fix: () => 'openclaw logs --tail 50  shows the failure; report it with that output.',
  },

  // ---- closes without a res -------------------------------------------------------------------
  CLOSED_IDLE: {
    detailCode: 'CLOSED_IDLE', errorCode: 'UNAVAILABLE', closeOnly: true, closeCode: CloseCodes.IDLE_OR_DEVICE_TOKEN,
    message: () => 'closed idle',
    recommendedNextStep: 'fix_network',
    cause: 'The peer did not answer WebSocket pings for two keep-alive intervals (half-open socket, or a proxy that drops pings).',
    fix: () => 'The client reconnects by itself; if it repeats, lower the interval below your proxy idle timeout: openclaw config set gateway.websocket.keepAlive 20',
  },
  SLOW_CONSUMER: {
    detailCode: 'SLOW_CONSUMER', errorCode: 'UNAVAILABLE', closeOnly: true, closeCode: P,
    message: () => 'slow consumer',
    recommendedNextStep: 'fix_network',
    cause: 'The client read too slowly and more than 50 MiB of events queued up.',
    fix: () => 'The client reconnects and resumes; check the client machine and network.',
  },
  GOING_AWAY: {
    detailCode: 'GOING_AWAY', errorCode: 'UNAVAILABLE', closeOnly: true, closeCode: CloseCodes.GOING_AWAY,
    message: () => 'going away',
    recommendedNextStep: 'wait_then_retry',
    cause: 'The gateway was stopped (openclaw gateway stop, SIGTERM) and accepts no connections until it is started again; clients reconnect by themselves then.',
    fix: () => 'openclaw gateway start',
  },
  SERVICE_RESTART: {
    detailCode: 'SERVICE_RESTART', errorCode: 'UNAVAILABLE', closeOnly: true, closeCode: CloseCodes.SERVICE_RESTART,
    message: () => 'service restart',
    recommendedNextStep: 'wait_then_retry',
    cause: 'The gateway is restarting; clients reconnect and resume.',
    fix: () => 'Nothing to do; if it does not come back: openclaw gateway status',
  },

  // ---- control plane: bootstrap codes, idempotency, method targets ----------------------------
  AUTH_BOOTSTRAP_TOKEN_INVALID: {
    detailCode: 'AUTH_BOOTSTRAP_TOKEN_INVALID', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'bootstrap_token_invalid',
    message: () => 'unauthorized: bootstrap token invalid or expired',
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The dashboard sign-in code was already used, has expired (10 minutes) or was never issued by this gateway.',
    fix: () => 'openclaw dashboard  (opens the Control UI with a fresh code)',
  },
  IDEMPOTENCY_KEY_REQUIRED: {
    detailCode: 'IDEMPOTENCY_KEY_REQUIRED', errorCode: 'INVALID_REQUEST',
    message: (c) => `invalid ${c.method ?? 'request'} params: idempotencyKey (string) is required`,
    recommendedNextStep: 'fix_client',
    cause: 'This method changes state, so every call needs an idempotency key that makes retries safe.',
    fix: () => 'Send params.idempotencyKey = a fresh UUID per logical call (reuse it only when retrying that call).',
  },
  PAIRING_REQUEST_NOT_FOUND: {
    detailCode: 'PAIRING_REQUEST_NOT_FOUND', errorCode: 'INVALID_REQUEST',
    message: (c) => `unknown pairing request: ${c.requestId ?? ''}`.trimEnd(),
    recommendedNextStep: 'fix_client',
    cause: 'No pending pairing request matches this id (it was approved, rejected or expired after 5 minutes).',
    fix: () => 'openclaw devices list  (then reconnect the device to create a fresh request)',
  },
  DEVICE_NOT_FOUND: {
    detailCode: 'DEVICE_NOT_FOUND', errorCode: 'INVALID_REQUEST',
    message: (c) => `unknown device: ${c.deviceId ?? ''}`.trimEnd(),
    recommendedNextStep: 'fix_client',
    cause: 'No paired device (or no token for that role) matches this id.',
    fix: () => 'openclaw devices list',
  },
  CONFIG_BASE_HASH_MISMATCH: {
    detailCode: 'CONFIG_BASE_HASH_MISMATCH', errorCode: 'INVALID_REQUEST',
    message: () => 'config changed since it was read (baseHash mismatch); re-read it and retry',
    recommendedNextStep: 'fix_client',
    cause: 'Someone else changed the config file after this client read it, so writing would lose their change.',
    fix: () => 'openclaw config get --json  (take the new hash), then apply your change again',
  },
  CONFIG_WRITE_INVALID: {
    detailCode: 'CONFIG_WRITE_INVALID', errorCode: 'INVALID_REQUEST',
    message: (c) => `invalid config: ${c.detail ?? ''}`.trimEnd(),
    recommendedNextStep: 'fix_client',
    cause: 'The new config did not parse or failed validation, so it was not written.',
    fix: () => 'openclaw config validate  (shows every issue with its path)',
  },
  CONFIG_WRITE_REFUSED: {
    detailCode: 'CONFIG_WRITE_REFUSED', errorCode: 'INVALID_REQUEST',
    message: (c) => c.detail ?? 'refusing to write the config',
    recommendedNextStep: 'fix_client',
    cause: 'The new config would drop gateway.mode or shrink the file by more than half, which looks like an accidental clobber.',
    fix: () => 'Check the new config; to write it anyway send force: true (CLI: --force)',
  },
  CONFIG_WRITE_AUTH_UNUSABLE: {
    detailCode: 'CONFIG_WRITE_AUTH_UNUSABLE', errorCode: 'INVALID_REQUEST',
    message: (c) => `Not written: the running gateway would lock every client out: ${c.detail ?? 'the new auth mode has no usable credential'}`,
    recommendedNextStep: 'fix_client',
    cause: 'The edit switches the running gateway into an auth mode without its credential (password mode without a password, trusted-proxy without trustedProxy.userHeader or gateway.trustedProxies, or a same-host proxy without trustedProxy.allowLoopback), so every client would be refused.',
    fix: (c) => c.hint ?? 'Set the missing credential first (e.g. openclaw config set gateway.auth.password "<a long passphrase>"), then repeat the edit; the CLI writes it anyway with --force',
  },

  // ---- model providers, routing and chat (src/models) -----------------------------------------
  MODEL_REQUIRES_STRING_CONTENT: {
    detailCode: 'MODEL_REQUIRES_STRING_CONTENT', errorCode: 'INVALID_REQUEST',
    message: (c) => `${modelRef(c)} rejected structured content: ${c.detail ?? 'messages[...].content: invalid type: sequence, expected a string'}`,
    recommendedNextStep: 'update_model_configuration',
    cause: 'The local backend only accepts string message content, not structured content parts.',
    fix: (c) => `openclaw config set models.providers.${c.provider ?? '<provider>'}.models[${c.modelIndex ?? 0}].compat.requiresStringContent true`,
  },
  MODEL_TOOLS_UNSUPPORTED: {
    detailCode: 'MODEL_TOOLS_UNSUPPORTED', errorCode: 'INVALID_REQUEST',
    message: (c) => `${modelRef(c)} rejected tools: ${c.detail ?? 'tools are not supported'}`,
    recommendedNextStep: 'update_model_configuration',
    cause: 'The backend does not accept tool definitions for this model.',
    fix: (c) => `openclaw config set models.providers.${c.provider ?? '<provider>'}.models[${c.modelIndex ?? 0}].compat.supportsTools false`,
  },
  MODEL_LONG_CONTEXT_REJECTED: {
    detailCode: 'MODEL_LONG_CONTEXT_REJECTED', errorCode: 'RATE_LIMITED',
    message: (c) => `${modelRef(c)}: ${c.detail ?? 'HTTP 429: rate_limit_error: Extra usage is required for long context requests'}`,
    recommendedNextStep: 'update_model_configuration',
    cause: 'The model runs with params.context1m but the credential is not eligible for long-context requests.',
    fix: (c) => `openclaw config set 'agents.defaults.models["${modelRef(c)}"].params.context1m' false  (or use an Anthropic API key, or add fallbacks: openclaw config set agents.defaults.model.fallbacks '["<provider>/<model>"]')`,
  },
  MODEL_CONTEXT_LENGTH_EXCEEDED: {
    detailCode: 'MODEL_CONTEXT_LENGTH_EXCEEDED', errorCode: 'INVALID_REQUEST',
    message: (c) => `${modelRef(c)}: ${c.detail ?? "HTTP 400: This model's maximum context length is exceeded"}`,
    recommendedNextStep: 'update_model_configuration',
    cause: 'The conversation is longer than the model\'s context window (OpenAI code context_length_exceeded).',
    fix: () => `Add a fallback with a larger context window: openclaw config set agents.defaults.model.fallbacks '["<provider>/<model>"]'  (or start a fresh session: /new in openclaw tui, sessions.reset over WS)`,
  },
  MODEL_RATE_LIMITED: {
    detailCode: 'MODEL_RATE_LIMITED', errorCode: 'RATE_LIMITED', retryable: true,
    message: (c) => `${modelRef(c)} is rate limited: ${c.detail ?? 'HTTP 429'}`,
    recommendedNextStep: 'wait_then_retry',
    cause: 'The provider answered 429 Too Many Requests.',
    fix: () => `Retry later, or add fallbacks so runs continue: openclaw config set agents.defaults.model.fallbacks '["<provider>/<model>"]'`,
  },
  MODEL_UPSTREAM_ERROR: {
    detailCode: 'MODEL_UPSTREAM_ERROR', errorCode: 'UNAVAILABLE', retryable: true,
    message: (c) => `${modelRef(c)} failed upstream: ${c.detail ?? 'HTTP 500'}`,
    recommendedNextStep: 'wait_then_retry',
    cause: 'The provider answered with a server error (5xx).',
    fix: () => 'openclaw models status  (shows which providers answer); add fallbacks with openclaw config set agents.defaults.model.fallbacks \'["<provider>/<model>"]\'',
  },
  MODEL_TIMEOUT: {
    detailCode: 'MODEL_TIMEOUT', errorCode: 'AGENT_TIMEOUT', retryable: true,
    message: (c) => `${modelRef(c)} timed out: ${c.detail ?? 'no response'}`,
    recommendedNextStep: 'wait_then_retry',
    cause: 'The provider did not answer (or stopped streaming) within its timeout.',
    fix: () => 'openclaw models status  (is the backend overloaded?); or raise the limit: openclaw config set agents.defaults.timeoutSeconds 300',
  },
  MODEL_UNREACHABLE: {
    detailCode: 'MODEL_UNREACHABLE', errorCode: 'UNAVAILABLE', retryable: true,
    message: (c) => `${modelRef(c)} is unreachable: ${c.detail ?? 'connection failed'}`,
    recommendedNextStep: 'fix_network',
    cause: 'The provider base URL did not accept a connection.',
    fix: (c) => `Start the backend or fix its URL: openclaw config set models.providers.${c.provider ?? '<provider>'}.baseUrl http://127.0.0.1:<port>/v1  (check with openclaw models status)`,
  },
  MODEL_AUTH_FAILED: {
    detailCode: 'MODEL_AUTH_FAILED', errorCode: 'INVALID_REQUEST',
    message: (c) => `${modelRef(c)} rejected the API key: ${c.detail ?? 'HTTP 401'}`,
    recommendedNextStep: 'update_auth_credentials',
    cause: 'The provider did not accept the configured API key.',
    fix: (c) => (c.envVar ? `export ${c.envVar}=<valid key>  (then openclaw models status)` : `openclaw config set models.providers.${c.provider ?? '<provider>'}.apiKey <valid key>`),
  },
  MODEL_API_KEY_MISSING: {
    detailCode: 'MODEL_API_KEY_MISSING', errorCode: 'INVALID_REQUEST',
    message: (c) => `no API key for provider ${c.provider ?? '<provider>'}${c.envVar ? ` (${c.envVar} is not set)` : ''}`,
    recommendedNextStep: 'update_auth_configuration',
    cause: 'The provider needs an API key and neither apiKey nor its apiKeyEnv variable is set.',
    fix: (c) => (c.envVar ? `export ${c.envVar}=<key>` : `openclaw config set models.providers.${c.provider ?? '<provider>'}.apiKey <key>`),
  },
  MODEL_BAD_REQUEST: {
    detailCode: 'MODEL_BAD_REQUEST', errorCode: 'INVALID_REQUEST',
    message: (c) => `${modelRef(c)} rejected the request: ${c.detail ?? 'HTTP 400'}`,
    recommendedNextStep: 'update_model_configuration',
    cause: 'The provider refused the request as invalid (unknown model id, unsupported parameter, …).',
    fix: (c) => `openclaw infer model run --model ${modelRef(c)} --prompt "hi" --json  (reproduces it); openclaw models status lists the ids the backend serves`,
  },
  MODEL_NOT_CONFIGURED: {
    detailCode: 'MODEL_NOT_CONFIGURED', errorCode: 'INVALID_REQUEST',
    message: (c) => (c.provider ? `unknown model ${modelRef(c)} (not in models.providers)` : 'no model configured (agents.defaults.model.primary is not set)'),
    recommendedNextStep: 'update_model_configuration',
    cause: 'The requested model is not one of the configured providers\' models.',
    fix: () => 'openclaw models scan --apply  (adds local backends), then openclaw config set agents.defaults.model.primary <provider>/<model>  (openclaw models list shows the choices)',
  },
  MODEL_ALL_FAILED: {
    detailCode: 'MODEL_ALL_FAILED', errorCode: 'UNAVAILABLE', retryable: true,
    message: (c) => `all models failed: ${c.detail ?? ''}`.trimEnd(),
    recommendedNextStep: 'wait_then_retry',
    cause: 'The primary model and every fallback failed; each one\'s reason is listed.',
    fix: () => 'openclaw models status  (shows which providers answer), then fix the first one listed or add fallbacks',
  },
  AGENT_NOT_FOUND: {
    detailCode: 'AGENT_NOT_FOUND', errorCode: 'INVALID_REQUEST',
    message: (c) => `unknown agent: ${c.detail ?? ''}`.trimEnd(),
    recommendedNextStep: 'fix_client',
    cause: 'The agent id is not in agents.list (and is not "main").',
    fix: () => 'openclaw config get agents.list  (use one of those ids, or omit the agent for the default)',
  },
  HTTP_UNAUTHORIZED: {
    detailCode: 'HTTP_UNAUTHORIZED', errorCode: 'INVALID_REQUEST',
    message: () => 'Unauthorized',
    recommendedNextStep: 'update_auth_credentials',
    cause: 'The HTTP request carried no bearer token, or one that is not the gateway token, password or a paired device token.',
    fix: () => 'Send Authorization: Bearer <token>  (openclaw config get gateway.auth.token --show-secrets)',
  },
  HTTP_PAYLOAD_TOO_LARGE: {
    detailCode: 'HTTP_PAYLOAD_TOO_LARGE', errorCode: 'INVALID_REQUEST',
    message: () => 'Payload too large',
    recommendedNextStep: 'fix_client',
    cause: 'The request body is larger than 20 MB.',
    fix: () => 'Send smaller requests (trim the history or attachments).',
  },
  HTTP_BODY_TIMEOUT: {
    detailCode: 'HTTP_BODY_TIMEOUT', errorCode: 'INVALID_REQUEST',
    message: () => 'Request body timeout',
    recommendedNextStep: 'wait_then_retry',
    cause: 'The client sent the request headers but not the whole body within 30 s (a stalled upload or a proxy buffering the body).',
    fix: () => 'Retry the request; behind a proxy, let it stream request bodies (nginx: proxy_request_buffering off).',
  },
  HTTP_INVALID_REQUEST: {
    detailCode: 'HTTP_INVALID_REQUEST', errorCode: 'INVALID_REQUEST',
    message: (c) => c.detail ?? 'invalid request',
    recommendedNextStep: 'fix_client',
    cause: 'The request body did not match the OpenAI API shape.',
    fix: () => 'See docs/models.md for the /v1 request shapes.',
  },
  HTTP_NOT_FOUND: {
    detailCode: 'HTTP_NOT_FOUND', errorCode: 'INVALID_REQUEST',
    message: (c) => (c.model ? `The model '${c.model}' does not exist` : `Unknown request URL: ${c.detail ?? ''}`.trimEnd()),
    recommendedNextStep: 'fix_client',
    cause: 'The /v1 route or model id is not served by this gateway.',
    fix: () => 'curl -H "Authorization: Bearer <token>" http://127.0.0.1:18789/v1/models  (lists the model ids; routes are /v1/models, /v1/chat/completions, /v1/embeddings)',
  },
  HTTP_METHOD_NOT_ALLOWED: {
    detailCode: 'HTTP_METHOD_NOT_ALLOWED', errorCode: 'INVALID_REQUEST',
    message: () => 'Method Not Allowed',
    recommendedNextStep: 'fix_client',
    cause: 'The /v1 route does not accept this HTTP method (see the Allow header).',
    fix: () => 'Use GET for /v1/models and POST for /v1/chat/completions and /v1/embeddings.',
  },
  PROXY_ATTRIBUTION_REQUIRED: {
    detailCode: 'PROXY_ATTRIBUTION_REQUIRED', errorCode: 'INVALID_REQUEST', authReason: 'proxy_attribution_required',
    message: () => 'forwarded request refused: the real client behind this same-host proxy is unknown because gateway.trustedProxies does not list the proxy',
    recommendedNextStep: 'review_auth_configuration',
    cause: 'A loopback peer sent X-Forwarded-For, Forwarded or X-Real-IP, but gateway.trustedProxies does not name it, so every remote client would look local.',
    fix: () => `openclaw config set gateway.trustedProxies '["127.0.0.1"]'  (list only your proxy, and have it overwrite X-Forwarded-For)`,
  },
  HTTP_BUSY: {
    detailCode: 'HTTP_BUSY', errorCode: 'UNAVAILABLE', retryable: true,
    message: (c) => `gateway busy: ${c.detail ?? 'too many requests in flight'}; retry after ${Number.isFinite(c.retryAfterMs) ? Math.ceil(c.retryAfterMs! / 1000) : '<n>'}s`,
    recommendedNextStep: 'wait_then_retry',
    cause: 'Too many connections from one address, or too many large request bodies at once, were in flight.',
    fix: (c) => `Wait ${Number.isFinite(c.retryAfterMs) ? Math.ceil(c.retryAfterMs! / 1000) : '<n>'} s and retry; send fewer parallel requests (each client address may hold 64 connections).`,
  },
  HTTP_HEADERS_TOO_LARGE: {
    detailCode: 'HTTP_HEADERS_TOO_LARGE', errorCode: 'INVALID_REQUEST',
    message: () => 'Request Header Fields Too Large',
    recommendedNextStep: 'fix_client',
    cause: 'The request headers are larger than 16 KB (often a cookie jar that grew for localhost).',
    fix: () => 'Clear the cookies for this host, or send fewer/smaller headers.',
  },
  HTTP_BAD_REQUEST: {
    detailCode: 'HTTP_BAD_REQUEST', errorCode: 'INVALID_REQUEST',
    message: () => 'Bad Request',
    recommendedNextStep: 'fix_client',
    cause: 'The bytes sent were not a valid HTTP/1.1 request (a request line or header the parser rejects).',
    fix: () => 'Send a well-formed HTTP request; check what a proxy in between rewrites (openclaw doctor --url <url>).',
  },
  HTTP_REQUEST_TIMEOUT: {
    detailCode: 'HTTP_REQUEST_TIMEOUT', errorCode: 'INVALID_REQUEST',
    message: () => 'Request Timeout',
    recommendedNextStep: 'wait_then_retry',
    cause: 'The client opened a connection but did not send complete request headers in time.',
    fix: () => 'Retry the request; a client or proxy that opens idle connections should send its request right away.',
  },
  HTTP_BAD_URL: {
    detailCode: 'HTTP_BAD_URL', errorCode: 'INVALID_REQUEST',
    message: () => 'Bad Request: the URL is not valid percent-encoding',
    recommendedNextStep: 'fix_client',
    cause: 'The request path contains a % that is not followed by two hex digits of valid UTF-8.',
    fix: () => 'Percent-encode the path correctly (encodeURIComponent), e.g. /v1/models/<url-encoded id>.',
  },
  DIAG_RATE_LIMITED: {
    detailCode: 'DIAG_RATE_LIMITED', errorCode: 'RATE_LIMITED', retryable: true,
    // The docs generator passes placeholder text, not a number: show "<n>" there instead of NaN.
    message: (c) => `too many diagnostics requests; retry after ${Number.isFinite(c.retryAfterMs) ? Math.ceil(c.retryAfterMs! / 1000) : '<n>'}s`,
    recommendedNextStep: 'wait_then_retry',
    cause: 'One address asked /__openclaw__/diag more often than the unauthenticated per-IP limit allows.',
    fix: (c) => `Wait ${Number.isFinite(c.retryAfterMs) ? Math.ceil(c.retryAfterMs! / 1000) : '<n>'} s, then run openclaw doctor --url <url> again.`,
  },
} as const satisfies Record<string, Rejection>;

function modelRef(c: RejectionContext): string {
  return c.provider ? `${c.provider}/${c.model ?? '<model>'}` : '<provider>/<model>';
}

export type RejectionId = keyof typeof Rejections;

/** Builds the wire `res.error` for a rejection, with code, cause and fix in details. */
export function rejectionError(id: RejectionId, ctx: RejectionContext = {}, extraDetails: Record<string, unknown> = {}): ErrorShape {
  const r: Rejection = Rejections[id];
  const details: Record<string, unknown> = {
    code: r.detailCode,
    recommendedNextStep: r.recommendedNextStep,
    cause: r.cause,
    fix: r.fix(ctx),
    ...(r.authReason ? { authReason: r.authReason } : {}),
    ...extraDetails,
  };
  const err: ErrorShape = { code: r.errorCode, message: r.message(ctx), details };
  if (r.retryable) err.retryable = true;
  if (ctx.retryAfterMs !== undefined) err.retryAfterMs = ctx.retryAfterMs;
  return err;
}

/** Close code + reason for a rejection, or null when the socket stays open. */
export function rejectionClose(id: RejectionId, ctx: RejectionContext = {}): { code: number; reason: string } | null {
  const r: Rejection = Rejections[id];
  if (r.closeCode === undefined) return null;
  return { code: r.closeCode, reason: (r.closeReason ?? r.message)(ctx) };
}

/** Looks a rejection up by the detail code a client received (for CLI/UI explanations). */
export function findRejectionByDetailCode(detailCode: string | undefined): Rejection | undefined {
  if (!detailCode) return undefined;
  return (Object.values(Rejections) as Rejection[]).find((r) => r.detailCode === detailCode);
}

/** The rejection a close code and reason came from (the reason's start, without its "(…)" details). */
export function findRejectionByClose(code: number, reason: string): Rejection | undefined {
  return (Object.values(Rejections) as Rejection[]).find((r) => r.closeCode === code && reason.startsWith((r.closeReason ?? r.message)({}).replace(/ \(.*$/, '')));
}

/** Looks a rejection up from a close code and reason (for 1006-style closes without a res). */
export function explainClose(code: number, reason: string): { cause: string; fix: string } {
  if (code === CloseCodes.ABNORMAL) {
    return {
      cause: 'The connection dropped without a close frame: the gateway stopped, or a proxy in between does not pass WebSocket upgrades.',
      fix: 'openclaw gateway status; behind nginx add `proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";` (docs/reverse-proxy.md)',
    };
  }
  const match = findRejectionByClose(code, reason);
  if (match) return { cause: match.cause, fix: match.fix({}) };
  return { cause: `The gateway closed the connection (${code}${reason ? `: ${reason}` : ''}).`, fix: 'openclaw logs --tail 50' };
}

// ---- gateway process failures (printed by `openclaw gateway run|start|stop`, never on the wire) ----

/** Values a process failure's message and fix may interpolate. */
export interface ProcessFailureContext {
  host?: string;
  port?: number;
  pid?: number;
  command?: string;
  freePort?: number;
  timeoutSec?: number;
  detail?: string;
}

export interface ProcessFailure {
  /** The exact text printed (may span lines). */
  message: (c: ProcessFailureContext) => string;
  /** 78 = configuration problem: supervisors (systemd RestartPreventExitStatus=78) stop retrying. */
  exitCode: 1 | 78;
  cause: string;
  fix: (c: ProcessFailureContext) => string;
}

export const ProcessFailures = {
  START_BLOCKED_MODE_UNSET: {
    message: () => 'gateway start blocked: set gateway.mode=local (current: unset)\n  or pass --allow-unconfigured',
    exitCode: 78,
    cause: 'gateway.mode is not set, and the gateway will not guess which interfaces to expose.',
    fix: () => 'openclaw config set gateway.mode local',
  },
  BIND_WITHOUT_AUTH: {
    message: (c) => `refusing to bind gateway to ${c.host}:${c.port} without auth (set gateway.auth.token/password, or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD)`,
    exitCode: 78,
    cause: 'A gateway reachable from other machines must require a token, a password or a trusted proxy.',
    fix: () => 'openclaw doctor --generate-gateway-token --fix  (or keep it local: openclaw config set gateway.bind loopback)',
  },
  TOKEN_NOT_CONFIGURED: {
    message: () => 'gateway auth mode is token, but no token was configured (set gateway.auth.token or OPENCLAW_GATEWAY_TOKEN).',
    exitCode: 78,
    cause: 'gateway.auth.mode is token but neither the config nor the environment provides one.',
    fix: () => 'openclaw doctor --generate-gateway-token --fix',
  },
  ALREADY_RUNNING: {
    message: (c) => `another gateway instance is already listening on ws://${c.host}:${c.port} (pid ${c.pid})`,
    exitCode: 78,
    cause: 'A gateway for this state directory (or on this port) is already running.',
    fix: () => 'openclaw gateway status  (or stop it first: openclaw gateway stop)',
  },
  PORT_IN_USE: {
    message: (c) => `port ${c.port} is already in use by pid ${c.pid} (${c.command}); pick another port: openclaw config set gateway.port ${c.freePort}`,
    exitCode: 1,
    cause: 'Another program listens on the gateway port.',
    fix: (c) => `openclaw config set gateway.port ${c.freePort}  (or stop pid ${c.pid})`,
  },
  PORT_IN_USE_UNKNOWN_OWNER: {
    message: (c) => `port ${c.port} is already in use by another process; pick another port: openclaw config set gateway.port ${c.freePort}`,
    exitCode: 1,
    cause: 'Another program (one this user may not inspect) listens on the gateway port.',
    fix: (c) => `openclaw config set gateway.port ${c.freePort}`,
  },
  BIND_FAILED: {
    message: (c) => `failed to bind gateway socket on ws://${c.host}:${c.port}: ${c.detail ?? 'unknown error'}`,
    exitCode: 1,
    cause: 'The operating system refused the listen address (address not available, or no permission for a port below 1024).',
    fix: () => 'openclaw config set gateway.bind loopback  (or pick a port above 1024: openclaw config set gateway.port 18789)',
  },
  NOT_READY: {
    message: (c) => `gateway did not become ready within ${c.timeoutSec}s`,
    exitCode: 1,
    cause: 'The gateway process did not answer /ready in time (it exited, or startup is stuck).',
    fix: () => 'openclaw logs --tail 50',
  },
  STOP_FAILED: {
    message: (c) => `gateway (pid ${c.pid}) did not release port ${c.port} after SIGKILL`,
    exitCode: 1,
    cause: 'The gateway process did not exit, or another process took over its port.',
    fix: (c) => `openclaw gateway status --deep  (then kill ${c.pid})`,
  },
} as const satisfies Record<string, ProcessFailure>;

export type ProcessFailureId = keyof typeof ProcessFailures;
