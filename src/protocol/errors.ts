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
  | 'approve_pairing'
  | 'fix_client'
  | 'fix_network';

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
    closeReason: () => 'invalid connect params',
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
    fix: () => `openclaw config set gateway.trustedProxies '["<proxy ip>"]'  and make the proxy set gateway.auth.trustedProxy.userHeader`,
  },
  AUTH_RATE_LIMITED: {
    detailCode: 'AUTH_RATE_LIMITED', errorCode: 'INVALID_REQUEST', closeCode: P, authReason: 'rate_limited', retryable: true,
    message: () => 'unauthorized: too many failed authentication attempts (retry later)',
    recommendedNextStep: 'wait_then_retry',
    cause: 'Too many wrong credentials came from this address (10 per minute); it is locked out for 5 minutes.',
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
    message: () => 'pairing required',
    closeReason: (c) => (c.requestId ? `pairing required: device is not approved yet (requestId: ${c.requestId})` : 'pairing required'),
    recommendedNextStep: 'approve_pairing',
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
    cause: 'The gateway is shutting down.',
    fix: () => 'openclaw gateway start',
  },
  SERVICE_RESTART: {
    detailCode: 'SERVICE_RESTART', errorCode: 'UNAVAILABLE', closeOnly: true, closeCode: CloseCodes.SERVICE_RESTART,
    message: () => 'service restart',
    recommendedNextStep: 'wait_then_retry',
    cause: 'The gateway is restarting; clients reconnect and resume.',
    fix: () => 'Nothing to do; if it does not come back: openclaw gateway status',
  },
} as const satisfies Record<string, Rejection>;

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

/** Looks a rejection up from a close code and reason (for 1006-style closes without a res). */
export function explainClose(code: number, reason: string): { cause: string; fix: string } {
  if (code === CloseCodes.ABNORMAL) {
    return {
      cause: 'The connection dropped without a close frame: the gateway stopped, or a proxy in between does not pass WebSocket upgrades.',
      fix: 'openclaw gateway status; behind nginx add `proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";` (docs/reverse-proxy.md)',
    };
  }
  const all = Object.values(Rejections) as Rejection[];
  const match = all.find((r) => r.closeCode === code && reason.startsWith((r.closeReason ?? r.message)({}).replace(/ \(.*$/, '')));
  if (match) return { cause: match.cause, fix: match.fix({}) };
  return { cause: `The gateway closed the connection (${code}${reason ? `: ${reason}` : ''}).`, fix: 'openclaw logs --tail 50' };
}
