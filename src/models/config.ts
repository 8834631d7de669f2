// The `models` and `agents` sections of openclaw.json with defaults applied (the file itself is
// read and validated by src/config/load.ts; models/runtime.ts re-reads it when it changes).
import { z } from 'zod';

export const ModelCompatSchema = z.object({
  /** The backend accepts only string `content` (llama.cpp-style servers): flatten parts. */
  requiresStringContent: z.boolean().optional(),
  /** false: the backend rejects `tools`, so they are stripped. */
  supportsTools: z.boolean().optional(),
}).passthrough();

export const ModelEntrySchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  contextWindow: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
  compat: ModelCompatSchema.optional(),
}).passthrough();

export const ProviderApis = ['openai-completions', 'anthropic-messages'] as const;
export type ProviderApi = (typeof ProviderApis)[number];

export const ProviderConfigSchema = z.object({
  baseUrl: z.string().optional(),
  apiKey: z.string().optional(),
  apiKeyEnv: z.string().optional(),
  api: z.enum(ProviderApis).default('openai-completions'),
  headers: z.record(z.string(), z.string()).optional(),
  models: z.array(ModelEntrySchema).default([]),
}).passthrough();
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

const ModelSelectionSchema = z.union([
  z.string(),
  z.object({ primary: z.string().optional(), fallbacks: z.array(z.string()).optional() }).passthrough(),
]);

const AgentEntrySchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  default: z.boolean().optional(),
  model: ModelSelectionSchema.optional(),
  systemPrompt: z.string().optional(),
}).passthrough();

export const ModelsSectionSchema = z.object({
  providers: z.record(z.string(), ProviderConfigSchema).default({}),
}).passthrough();

export const AgentsSectionSchema = z.object({
  defaults: z.object({
    model: ModelSelectionSchema.optional(),
    models: z.record(z.string(), z.object({ alias: z.string().optional(), params: z.record(z.string(), z.unknown()).optional() }).passthrough()).optional(),
    timeoutSeconds: z.number().positive().optional(),
    systemPrompt: z.string().optional(),
  }).passthrough().optional(),
  list: z.array(AgentEntrySchema).optional(),
}).passthrough();

export interface ModelsConfig {
  providers: Record<string, ProviderConfig>;
  agents: z.infer<typeof AgentsSectionSchema>;
}

/** Thrown when the models/agents sections do not validate. */
export class ModelsConfigError extends Error {
  constructor(message: string, readonly configPath: string) {
    super(message);
    this.name = 'ModelsConfigError';
  }
}

/** Validates the `models` and `agents` sections of a parsed config object. */
export function parseModelsConfig(raw: unknown, configPath = 'openclaw.json'): ModelsConfig {
  const root = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const models = ModelsSectionSchema.safeParse(root.models ?? {});
  if (!models.success) throw new ModelsConfigError(`invalid models config in ${configPath}: ${formatIssue(models.error, 'models')}`, configPath);
  const agents = AgentsSectionSchema.safeParse(root.agents ?? {});
  if (!agents.success) throw new ModelsConfigError(`invalid agents config in ${configPath}: ${formatIssue(agents.error, 'agents')}`, configPath);
  return { providers: models.data.providers, agents: agents.data };
}

function formatIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${[prefix, ...issue.path.map(String)].join('.')}: ${issue.message}`;
}
