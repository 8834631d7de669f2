// The models runtime the gateway holds: live config, provider clients, transcripts and chat runs.
// Config is re-read when openclaw.json changes (mtime/size), so edits apply to the next run; a
// broken edit keeps the last good models config and logs why.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { GatewayServices } from '../gateway/methods/types.js';
import type { Logger } from '../logging/types.js';
import { adoptMainAliases, mainSessionKey } from '../sessions/keys.js';
import { SessionStore } from '../sessions/store.js';
import { ChatRuns } from './chat-runs.js';
import { parseModelsConfig, type ModelsConfig } from './config.js';
import { ProviderRegistry, type Env } from './providers/registry.js';

/** What a turn needs: live config, provider clients, transcripts and a logger. */
export interface TurnServices {
  readonly log: Logger;
  readonly providers: ProviderRegistry;
  readonly sessions: SessionStore;
  /** The current models/agents config (cached until the file changes). */
  config(): ModelsConfig;
  /** The state dir, named in the error of a write that failed for lack of space. */
  readonly stateDir?: string;
}

export interface ModelRuntime extends TurnServices {
  readonly chat: ChatRuns;
  /** Aborts running turns and flushes transcripts. */
  close(): Promise<void>;
}

export interface ModelRuntimeOptions {
  services: GatewayServices;
  env?: Env;
  /**
   * Re-run the turns a crashed gateway left without a reply at once ('now', tests). Default: the
   * gateway calls `runtime.chat.resumeInterrupted()` itself once it listens (before that,
   * broadcasts reach no durable log).
   */
  resumeInterrupted?: 'manual' | 'now';
}

export function createModelRuntime(o: ModelRuntimeOptions): ModelRuntime {
  const log = o.services.log.child('models');
  const turn: TurnServices = {
    log,
    providers: new ProviderRegistry(o.env ?? process.env),
    sessions: new SessionStore(path.join(o.services.stateDir, 'agents')),
    config: liveConfigReader(o.services.configPath, log),
    stateDir: o.services.stateDir,
  };
  // Transcripts written under the alias `main` join the agent's canonical main session.
  for (const agentId of adoptMainAliases(turn.sessions, turn.sessions.agentIds())) log.info(`merged the "main" session of agent ${agentId} into ${mainSessionKey(agentId)}`);
  const chat = new ChatRuns(turn, (event, payload) => {
    o.services.broadcast(event, payload);
    // The delta for sessions.subscribe clients: a run ended and its session changed on disk.
    if (event === 'chat' && 'state' in payload && payload.state !== 'delta') {
      const phase = payload.state === 'error' ? 'error' : 'end';
      o.services.broadcast('sessions.changed', { sessionKey: payload.sessionKey, key: payload.sessionKey, runId: payload.runId, phase, reason: 'message', updatedAt: Date.now(), ts: Date.now() });
    }
  });
  if (o.resumeInterrupted === 'now') chat.resumeInterrupted();
  return {
    ...turn,
    chat,
    async close() {
      await chat.close();
      await turn.sessions.flush();
    },
  };
}

/** A reader that re-parses the config only when the file's stat changes. */
export function liveConfigReader(configPath: string, log: Logger): () => ModelsConfig {
  let stamp = '';
  let current: ModelsConfig | undefined;
  return () => {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(configPath);
    } catch {
      st = undefined;
    }
    const next = st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'missing';
    if (current && next === stamp) return current;
    try {
      current = parseModelsConfig(loadConfig(configPath).config, configPath);
      stamp = next;
    } catch (err) {
      if (!current) throw err;
      log.warn(`keeping the previous models config: ${(err as Error).message}`);
    }
    return current;
  };
}
