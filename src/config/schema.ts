// The one schema of openclaw.json. Strict objects, so a typo is an error with its key path; the
// sections owned by other subsystems (agents, meta) stay loose until those subsystems land.
// No defaults here: the file type is what the user wrote; defaults live in resolve.ts.
import { z } from 'zod';
import { channelsSchema } from '../channels/config.js';
import { heartbeatConfigSchema } from '../channels/heartbeat/schedule.js';
import { addDescriptions } from './schema-descriptions.js';

export const BIND_MODES = ['loopback', 'lan', 'tailnet', 'auto', 'custom'] as const;

/** A literal `HOST` or `HOST:PORT` (`0.0.0.0:18790`, `[::1]:18789`): the deprecated bind alias. */
export const BIND_LITERAL_RE = /^(?:\[[0-9a-fA-F:.]+\]|[0-9a-fA-F]*:[0-9a-fA-F:.]*|[A-Za-z0-9][A-Za-z0-9.-]*)(?::\d{1,5})?$/;

const port = z.number()
  .int('expected an integer port')
  .min(1, 'expected a port between 1 and 65535')
  .max(65535, 'expected a port between 1 and 65535');
const positiveInt = z.number().int().positive();
const stringList = z.array(z.string());

const BIND_EXPECTED = `expected one of ${BIND_MODES.join('|')}, or a literal HOST or HOST:PORT`;
const bind = z.union([z.enum(BIND_MODES), z.string().regex(BIND_LITERAL_RE, BIND_EXPECTED)], { error: () => BIND_EXPECTED });

const rateLimit = z.strictObject({
  maxAttempts: positiveInt.optional(),
  windowMs: positiveInt.optional(),
  lockoutMs: z.number().int().nonnegative().optional(),
  exemptLoopback: z.boolean().optional(),
});

const trustedProxyAuth = z.strictObject({
  userHeader: z.string().min(1),
  requiredHeaders: stringList.optional(),
  allowUsers: stringList.optional(),
  allowLoopback: z.boolean().optional(),
  deviceAutoApprove: z.strictObject({ enabled: z.boolean().optional(), scopes: stringList.optional() }).optional(),
});

const auth = z.strictObject({
  mode: z.enum(['none', 'token', 'password', 'trusted-proxy']).optional(),
  token: z.string().optional(),
  password: z.string().optional(),
  allowTailscale: z.boolean().optional(),
  rateLimit: rateLimit.optional(),
  trustedProxy: trustedProxyAuth.optional(),
  identityScopes: z.record(z.string(), stringList).optional(),
});

const remote = z.strictObject({
  url: z.string().optional(),
  transport: z.enum(['ssh', 'direct']).optional(),
  token: z.string().optional(),
  password: z.string().optional(),
  tlsFingerprint: z.string().optional(),
  sshTarget: z.string().optional(),
  sshIdentity: z.string().optional(),
  remotePort: port.optional(),
});

const controlUi = z.strictObject({
  enabled: z.boolean().optional(),
  basePath: z.string().startsWith('/', 'expected a path starting with "/"').optional(),
  root: z.string().optional(),
  allowedOrigins: stringList.optional(),
  allowInsecureAuth: z.boolean().optional(),
  dangerouslyAllowHostHeaderOriginFallback: z.boolean().optional(),
  /** Retired: accepted so old files load, ignored with a warning. */
  dangerouslyDisableDeviceAuth: z.boolean().optional(),
});

const tls = z.strictObject({
  enabled: z.boolean().optional(),
  autoGenerate: z.boolean().optional(),
  certPath: z.string().optional(),
  keyPath: z.string().optional(),
  caPath: z.string().optional(),
});

const loose = z.looseObject({});

const http = z.strictObject({
  endpoints: z.strictObject({
    chatCompletions: z.looseObject({ enabled: z.boolean().optional() }).optional(),
    responses: z.looseObject({ enabled: z.boolean().optional(), maxUrlParts: positiveInt.optional() }).optional(),
  }).optional(),
  securityHeaders: z.looseObject({ strictTransportSecurity: z.union([z.string(), z.boolean()]).optional() }).optional(),
});

const allowDeny = z.strictObject({ allow: stringList.optional(), deny: stringList.optional() });

const gateway = z.strictObject({
  mode: z.enum(['local', 'remote', 'hybrid']).optional(),
  bind: bind.optional(),
  /** Deprecated alias for a custom bind host. */
  host: z.string().min(1).optional(),
  port: port.optional(),
  customBindHost: z.string().optional(),
  publicOrigin: z.string().optional(),
  auth: auth.optional(),
  /** Deprecated: use gateway.auth.token. */
  token: z.string().optional(),
  remote: remote.optional(),
  trustedProxies: stringList.optional(),
  allowRealIpFallback: z.boolean().optional(),
  controlUi: controlUi.optional(),
  websocket: z.strictObject({ keepAlive: z.number().positive('expected a positive number of seconds').optional() }).optional(),
  tls: tls.optional(),
  http: http.optional(),
  reload: z.strictObject({
    mode: z.enum(['off', 'hot', 'restart', 'hybrid']).optional(),
    debounceMs: z.number().int().nonnegative().optional(),
  }).optional(),
  nodes: z.strictObject({
    pairing: z.strictObject({
      autoApproveLocal: z.boolean().optional(),
      autoApproveCidrs: stringList.optional(),
      sshVerify: z.boolean().optional(),
    }).optional(),
    commands: allowDeny.optional(),
  }).optional(),
  tailscale: z.strictObject({ mode: z.enum(['off', 'serve', 'funnel']).optional(), resetOnExit: z.boolean().optional() }).optional(),
  tools: allowDeny.optional(),
  push: loose.optional(),
});

const modelDef = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  contextWindow: positiveInt.optional(),
  maxTokens: positiveInt.optional(),
  compat: z.looseObject({
    requiresStringContent: z.boolean().optional(),
    supportsTools: z.boolean().optional(),
  }).optional(),
});

const provider = z.strictObject({
  baseUrl: z.string().optional(),
  apiKey: z.string().optional(),
  apiKeyEnv: z.string().optional(),
  api: z.enum(['openai-completions', 'anthropic-messages']).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  models: z.array(modelDef).optional(),
});

const models = z.strictObject({
  mode: z.enum(['merge', 'replace']).optional(),
  providers: z.record(z.string(), provider).optional(),
});

const modelRef = z.union([z.string(), z.looseObject({ primary: z.string().optional(), fallbacks: stringList.optional() })]);

const agents = z.strictObject({
  defaults: z.looseObject({
    model: modelRef.optional(),
    models: z.record(z.string(), z.looseObject({ alias: z.string().optional(), params: z.record(z.string(), z.unknown()).optional() })).optional(),
    heartbeat: heartbeatConfigSchema.optional(),
    timeoutSeconds: z.number().positive().optional(),
    systemPrompt: z.string().optional(),
  }).optional(),
  list: z.array(loose).optional(),
});

const logging = z.strictObject({
  level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  maxFileBytes: positiveInt.optional(),
  maxFiles: positiveInt.optional(),
  file: z.string().optional(),
  redactSensitive: z.enum(['off', 'tools']).optional(),
});

const env = z.looseObject({
  vars: z.record(z.string(), z.string()).optional(),
  shellEnv: z.strictObject({ enabled: z.boolean().optional(), timeoutMs: positiveInt.optional() }).optional(),
});

/** Upstream's session block: we act on dmScope; its other keys (reset, compaction…) are kept. */
const session = z.looseObject({
  dmScope: z.enum(['main', 'per-peer', 'per-channel-peer', 'per-account-channel-peer']).optional(),
});

const commands = z.looseObject({
  /** Command owners, `<channel>:<senderId>` (`telegram:123456789`). */
  ownerAllowFrom: z.array(z.union([z.string(), z.number()])).optional(),
});

const messages = z.looseObject({
  groupChat: z.looseObject({
    mentionPatterns: z.array(z.string()).optional(),
    historyLimit: z.number().int().nonnegative().optional(),
  }).optional(),
});

export const OpenClawConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  gateway: gateway.optional(),
  models: models.optional(),
  agents: agents.optional(),
  channels: channelsSchema.optional(),
  session: session.optional(),
  commands: commands.optional(),
  messages: messages.optional(),
  logging: logging.optional(),
  meta: loose.optional(),
  env: env.optional(),
});

export type OpenClawConfig = z.infer<typeof OpenClawConfigSchema>;
export type GatewayConfig = NonNullable<OpenClawConfig['gateway']>;

/** JSON Schema (draft 2020-12) of openclaw.json, for editors (`$schema`) and `openclaw config schema`. */
export function configJsonSchema(): object {
  return addDescriptions(z.toJSONSchema(OpenClawConfigSchema, { target: 'draft-2020-12', unrepresentable: 'any' }));
}

/** `string`, `number`, `array`, `null`… the way a person names a JSON value's type. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The known keys of the object schema at `path` (for "did you mean" hints), or [] if not an object. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let cur: z.ZodType = OpenClawConfigSchema;
  for (const seg of path) {
    cur = unwrap(cur);
    if (cur instanceof z.ZodObject) {
      const next = (cur.shape as Record<string, z.ZodType>)[String(seg)];
      if (!next) return [];
      cur = next;
    } else if (cur instanceof z.ZodRecord) cur = cur._zod.def.valueType as z.ZodType;
    else if (cur instanceof z.ZodArray) cur = cur._zod.def.element as z.ZodType;
    else return [];
  }
  cur = unwrap(cur);
  return cur instanceof z.ZodObject ? Object.keys(cur.shape) : [];
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur = t;
  while (cur instanceof z.ZodOptional) cur = cur._zod.def.innerType as z.ZodType;
  return cur;
}
