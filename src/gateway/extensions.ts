// Wiring point for the domain layers (models /v1, Control UI, chat methods): the server asks this
// module for extra HTTP handlers and methods, so transport code never imports domain code directly.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayServices, MethodDef } from './methods/types.js';

/** Returns true when it handled the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface GatewayExtensions {
  httpHandlers: HttpHandler[];
  methods: MethodDef[];
  /** Called on shutdown (close upstream connections, flush transcripts). */
  close(): Promise<void>;
}

export async function loadExtensions(_services: GatewayServices): Promise<GatewayExtensions> {
  return { httpHandlers: [], methods: [], close: async () => {} };
}
