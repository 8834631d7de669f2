// The hello-ok payload (reference §3.5), exactly: official clients parse it.
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_IMAGE_BYTES, MAX_BUFFERED_BYTES, MAX_PAYLOAD_BYTES, TICK_INTERVAL_MS } from '../../protocol/constants.js';
import type { HealthSnapshot } from '../methods/runtime.js';
import type { PresenceEntry } from './presence.js';
import type { Session } from './handshake.js';

export interface HelloInput {
  session: Session;
  connId: string;
  version: string;
  methods: string[];
  events: string[];
  presence: PresenceEntry[];
  health: HealthSnapshot;
  stateVersion: { presence: number; health: number };
  uptimeMs: number;
  /** Shown to operator.admin only: paths on the gateway host are nobody else's business. */
  configPath: string;
  stateDir: string;
  authMode: string;
  /** The default agent (agents.list default, else the first, else "main"). */
  defaultAgentId?: string;
  /** Only for clients that sent caps:["resume"]. */
  resume?: { sessionId: string; cursor: number; replayed: number };
}

/** Our auth methods as upstream's hello-ok `auth.method` names them. */
const HELLO_AUTH_METHOD: Record<Session['authMethod'], string> = {
  none: 'none',
  token: 'token',
  password: 'password',
  'trusted-proxy': 'trusted-proxy',
  'device-token': 'device-token',
  bootstrap: 'bootstrap-token',
};

export function buildHelloOk(h: HelloInput): Record<string, unknown> {
  const token = h.session.deviceToken;
  // auth.scopes are what this session was granted (upstream's shape), not everything the token
  // could grant: a client asking for less gets less, and sees so.
  const auth: Record<string, unknown> = { method: HELLO_AUTH_METHOD[h.session.authMethod], role: h.session.role, scopes: h.session.scopes };
  if (token) {
    auth.deviceToken = token.token;
    auth.issuedAtMs = token.rotatedAtMs ?? token.createdAtMs;
  }
  const isAdmin = h.session.scopes.includes('operator.admin');
  const agentId = h.defaultAgentId ?? 'main';
  const hello: Record<string, unknown> = {
    type: 'hello-ok',
    protocol: h.session.protocol,
    server: { version: h.version, connId: h.connId },
    features: { methods: h.methods, events: h.events, capabilities: ['resume'] },
    snapshot: {
      presence: h.presence,
      health: h.health,
      stateVersion: h.stateVersion,
      uptimeMs: h.uptimeMs,
      ...(isAdmin ? { configPath: h.configPath, stateDir: h.stateDir } : {}),
      sessionDefaults: { defaultAgentId: agentId, mainKey: 'main', mainSessionKey: `agent:${agentId}:main`, scope: 'per-sender' },
      authMode: h.authMode,
    },
    auth,
    policy: {
      maxPayload: MAX_PAYLOAD_BYTES,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      tickIntervalMs: TICK_INTERVAL_MS,
      attachments: { maxBytes: ATTACHMENT_MAX_BYTES, maxImageBytes: ATTACHMENT_MAX_IMAGE_BYTES },
    },
  };
  if (h.resume) hello.resume = h.resume;
  return hello;
}
