// Frame schemas (closed objects: unknown keys are rejected). Server and Node clients validate
// with these; the UI only builds frames and does not pull zod in.
import { z } from 'zod';
import { GATEWAY_CLIENT_IDS, GATEWAY_CLIENT_MODES } from './constants.js';

export const ErrorShapeSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().int().min(0).optional(),
});

export const RequestFrameSchema = z.strictObject({
  type: z.literal('req'),
  id: z.string().min(1).max(256),
  method: z.string().min(1).max(256),
  params: z.unknown().optional(),
  traceparent: z.string().max(128).optional(),
  /** Upstream's multi-profile guard; this gateway has one profile, so it is accepted and unused. */
  expectedProfileId: z.string().min(1).max(128).optional(),
});
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

export const ResponseFrameSchema = z.strictObject({
  type: z.literal('res'),
  id: z.string().min(1),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: ErrorShapeSchema.optional(),
});
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;

export const EventFrameSchema = z.strictObject({
  type: z.literal('event'),
  event: z.string().min(1),
  payload: z.unknown().optional(),
  seq: z.number().int().min(0).optional(),
  stateVersion: z.strictObject({ presence: z.number().int(), health: z.number().int() }).optional(),
});
export type EventFrame = z.infer<typeof EventFrameSchema>;

export const FrameSchema = z.discriminatedUnion('type', [RequestFrameSchema, ResponseFrameSchema, EventFrameSchema]);
export type Frame = z.infer<typeof FrameSchema>;

/** A closed set matched case-insensitively; the value is kept as sent because it is part of the signed payload. */
const caseInsensitiveEnum = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().refine((s) => (values as readonly string[]).includes(s.toLowerCase()), { message: `expected one of ${values.join('|')}` });

export const ConnectParamsSchema = z.strictObject({
  minProtocol: z.number().int().min(1),
  maxProtocol: z.number().int().min(1),
  client: z.strictObject({
    id: caseInsensitiveEnum(GATEWAY_CLIENT_IDS),
    displayName: z.string().max(256).optional(),
    version: z.string().max(128),
    /** Sent by the official Control UI. */
    buildId: z.string().min(1).max(96).optional(),
    platform: z.string().max(128),
    deviceFamily: z.string().max(128).optional(),
    modelIdentifier: z.string().max(128).optional(),
    instanceId: z.string().max(256).optional(),
    /** Self-reported IANA zone (official Control UI). */
    timeZone: z.string().min(1).max(64).optional(),
    mode: caseInsensitiveEnum(GATEWAY_CLIENT_MODES),
  }),
  role: z.string().max(64).optional(),
  scopes: z.array(z.string().max(128)).max(64).optional(),
  caps: z.array(z.string().max(128)).max(128).optional(),
  commands: z.array(z.string().max(256)).max(512).optional(),
  permissions: z.record(z.string(), z.boolean()).optional(),
  pathEnv: z.string().max(8192).optional(),
  auth: z
    .strictObject({
      token: z.string().max(4096).optional(),
      bootstrapToken: z.string().max(4096).optional(),
      deviceToken: z.string().max(4096).optional(),
      password: z.string().max(4096).optional(),
      approvalRuntimeToken: z.string().max(4096).optional(),
      agentRuntimeIdentityToken: z.string().max(4096).optional(),
    })
    .optional(),
  device: z
    .strictObject({
      id: z.string().max(256),
      publicKey: z.string().max(4096),
      signature: z.string().max(1024),
      signedAt: z.number().int(),
      nonce: z.string().max(256),
    })
    .optional(),
  locale: z.string().max(64).optional(),
  userAgent: z.string().max(1024).optional(),
  // Upstream's remaining closed-set keys: accepted so official clients that send them connect;
  // this gateway has no computer-use, worker or per-connect model-catalog features yet.
  computerUse: z.unknown().optional(),
  workerRuns: z
    .strictObject({
      bundleHash: z.string().regex(/^[a-f0-9]{64}$/),
      openclawVersion: z.string().min(1).max(128),
      protocolFeatures: z.array(z.string().min(1).max(128)).max(64),
      bundlePrewarm: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    })
    .optional(),
  modelCatalog: z
    .union([
      z.strictObject({ agentId: z.string().min(1).max(256).optional(), sessionKey: z.string().min(1).max(512).optional() }),
      z.strictObject({ agentId: z.string().min(1).max(256).optional(), shortId: z.string().min(1).max(256), slugHint: z.string().min(1).max(256).optional() }),
    ])
    .optional(),
  /** Ours (ignored by upstream-only clients): resume a previous session's event stream. */
  resume: z
    .strictObject({
      sessionId: z.string().max(256),
      lastSeq: z.number().int().min(0),
    })
    .optional(),
});
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

/** Formats zod issues the way we show them: `path: problem; path: problem`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export type ParsedFrame = { ok: true; frame: Frame } | { ok: false; error: string };

/** Parses one text frame. Never throws. */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = FrameSchema.safeParse(value);
  if (!r.success) return { ok: false, error: formatIssues(r.error) };
  return { ok: true, frame: r.data };
}
