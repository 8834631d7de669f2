// Wiring point for the domain layers (models /v1, Control UI, chat methods, channels): the server
// asks this module for extra HTTP handlers and methods, so transport code never imports domain
// code directly.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayServices, MethodDef } from './methods/types.js';
import { createModelRuntime, type ModelRuntime } from '../models/runtime.js';
import { createOpenAiHttpHandler } from '../models/openai-http.js';
import { findAgent } from '../models/router.js';
import { chatMethods } from './methods/chat.js';
import { createControlUiHandler } from './control-ui-http.js';
import { gatewayAuthLimiters } from './control-plane/index.js';
import { ChannelManager } from '../channels/manager.js';
import { channelMethods } from '../channels/methods.js';
import { pairingMethods } from '../channels/pairing/methods.js';
import { webLoginMethods } from '../channels/whatsapp/web-login.js';
import { createHeartbeat, type Heartbeat, type HeartbeatTurnOptions } from '../channels/heartbeat/runner.js';
import { heartbeatMethods } from '../channels/heartbeat/methods.js';
import type { HeartbeatConfig } from '../channels/heartbeat/schedule.js';
import { upstreamSummaries } from './upstream-summaries.js';

/** Returns true when it handled the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface GatewayExtensions {
  httpHandlers: HttpHandler[];
  methods: MethodDef[];
  /** Called once the first listener accepts handshakes (broadcasts are durable from then on). */
  onListening(): void;
  /** The config file changed on disk and parsed (channels reconnect, heartbeat re-arms). */
  configChanged(): void;
  /** Called on shutdown (close upstream connections, flush transcripts). */
  close(): Promise<void>;
  /** Before the listener closes: end open /v1 SSE streams with an error chunk and [DONE]. */
  endStreams?(reason: 'shutdown' | 'restart'): void;
}

export async function loadExtensions(services: GatewayServices): Promise<GatewayExtensions> {
  const runtime = createModelRuntime({ services, resumeInterrupted: 'manual' });
  const channels = new ChannelManager({ services, runtime });
  services.channels = channels;
  // Channels connect in the background: a slow or unreachable Bot API never delays readiness.
  const started = channels.start().catch((err: Error) => services.log.error(`channels failed to start: ${err.message}`));
  const heartbeat: Heartbeat = createHeartbeat({
    log: services.log.child('heartbeat'),
    stateDir: services.stateDir,
    config: () => {
      const cfg = channels.config();
      return { heartbeat: cfg.agents?.defaults?.heartbeat as HeartbeatConfig | undefined, ownerAllowFrom: cfg.commands?.ownerAllowFrom };
    },
    runTurn: (prompt, opts) => heartbeatTurn(runtime, prompt, opts),
    channels: () => channels,
    lastRoute: () => channels.lastRoute(),
    hasChannels: () => channels.hasConfiguredAccounts(),
    broadcast: (event, payload) => services.broadcast(event, payload),
  });
  services.summaries = upstreamSummaries({ runtime, heartbeat, channels: () => channels.healthSummary().accounts, stateDir: services.stateDir });
  const v1 = createOpenAiHttpHandler({ runtime, services, limiters: gatewayAuthLimiters(services) });
  return {
    // /v1 first: the Control UI is mounted at "/" by default and must not shadow the API.
    // /v1 counts failed bearers in the same limiters as WS connects: one budget per client.
    httpHandlers: [v1, createControlUiHandler({ services })],
    endStreams: (reason) => v1.endStreams(reason),
    methods: [
      ...chatMethods(runtime), // includes sessions.*, models.list, agents.list
      ...channelMethods(channels),
      ...pairingMethods({ store: channels.pairing, accounts: () => channels.accounts(), channels, broadcast: (e, p) => services.broadcast(e, p), configPath: services.configPath }),
      ...heartbeatMethods(heartbeat),
      ...webLoginMethods({ manager: channels, configPath: services.configPath }),
    ],
    onListening: () => {
      // Replies a crashed gateway left half-streamed are re-run now, so resuming clients see them finish.
      void runtime.chat.resumeInterrupted();
      // Channel messages accepted but not answered before a crash are answered now, exactly once.
      void started.then(() => channels.resumePending());
      heartbeat.start();
    },
    configChanged: () => {
      void channels.configChanged();
      heartbeat.reconfigure();
    },
    close: async () => {
      await heartbeat.stop();
      await channels.close();
      await runtime.close();
    },
  };
}

/** One heartbeat turn in the default agent's main session, aborted with `opts.signal`. */
async function heartbeatTurn(runtime: ModelRuntime, prompt: string, opts?: HeartbeatTurnOptions): Promise<{ text: string; model?: string }> {
  const agentId = findAgent(runtime.config(), undefined).id;
  const sessionKey = `agent:${agentId}:main`;
  const runId = `heartbeat-${crypto.randomUUID()}`;
  const onAbort = () => runtime.chat.abort(sessionKey, runId);
  opts?.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = await runtime.chat.runChannelTurn({ runId, sessionKey, message: prompt, agentId, origin: { channel: 'heartbeat' } });
    if (outcome.state === 'error') throw new Error(outcome.errorMessage ?? 'the model failed');
    if (outcome.state === 'aborted') throw new Error('the heartbeat turn was aborted');
    return { text: outcome.text, model: outcome.model };
  } finally {
    opts?.signal.removeEventListener('abort', onAbort);
  }
}
