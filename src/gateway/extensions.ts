// Wiring point for the domain layers (models /v1, Control UI, chat methods): the server asks this
// module for extra HTTP handlers and methods, so transport code never imports domain code directly.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayServices, MethodDef } from './methods/types.js';
import { createModelRuntime } from '../models/runtime.js';
import { createOpenAiHttpHandler } from '../models/openai-http.js';
import { chatMethods } from './methods/chat.js';
import { createControlUiHandler } from './control-ui-http.js';
import { gatewayAuthLimiters } from './control-plane/index.js';

/** Returns true when it handled the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface GatewayExtensions {
  httpHandlers: HttpHandler[];
  methods: MethodDef[];
  /** Called once the first listener accepts handshakes (broadcasts are durable from then on). */
  onListening(): void;
  /** Called on shutdown (close upstream connections, flush transcripts). */
  close(): Promise<void>;
}

export async function loadExtensions(services: GatewayServices): Promise<GatewayExtensions> {
  const runtime = createModelRuntime({ services, resumeInterrupted: 'manual' });
  return {
    // /v1 first: the Control UI is mounted at "/" by default and must not shadow the API.
    // /v1 counts failed bearers in the same limiters as WS connects: one budget per client.
    httpHandlers: [createOpenAiHttpHandler({ runtime, services, limiters: gatewayAuthLimiters(services) }), createControlUiHandler({ services })],
    methods: chatMethods(runtime), // includes sessions.*, models.list, agents.list
    // Replies a crashed gateway left half-streamed are re-run now, so resuming clients see them finish.
    onListening: () => void runtime.chat.resumeInterrupted(),
    close: () => runtime.close(),
  };
}
