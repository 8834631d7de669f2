// A real GatewayServices-shaped object for tests of the chat methods and /v1: a temp state dir,
// settings resolved from the config file, and broadcasts captured in order.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/load.js';
import { resolveGatewaySettings } from '../../config/resolve.js';
import assert from 'node:assert/strict';
import type { CallerInfo, GatewayServices, MethodDef } from '../../gateway/methods/types.js';
import { silentLogger, type Logger } from '../../logging/types.js';
import { createOpenAiHttpHandler, type OpenAiHttpOptions } from '../openai-http.js';
import { createModelRuntime, type ModelRuntime } from '../runtime.js';

export interface CapturedEvent {
  event: string;
  payload: any;
}

export interface TestServices extends GatewayServices {
  events: CapturedEvent[];
  /** Resolves with the first captured event matching `pred` (already captured or future). */
  waitForEvent(pred: (e: CapturedEvent) => boolean, timeoutMs?: number): Promise<CapturedEvent>;
}

export function makeTestServices(o: { stateDir: string; configPath: string; env?: Record<string, string | undefined>; log?: Logger }): TestServices {
  const events: CapturedEvent[] = [];
  const waiters = new Set<() => void>();
  const services: TestServices = {
    version: 'test',
    startedAt: Date.now(),
    stateDir: o.stateDir,
    configPath: o.configPath,
    log: o.log ?? silentLogger,
    settings: () => resolveGatewaySettings(loadConfig(o.configPath).config, o.env ?? {}),
    broadcast(event, payload) {
      events.push({ event, payload });
      for (const w of waiters) w();
    },
    requestRestart() {},
    events,
    waitForEvent(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs}ms; got: ${JSON.stringify(events.map((e) => [e.event, e.payload?.state ?? e.payload?.data?.phase]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
  return services;
}

/** Calls gateway methods as the WS dispatcher does: params parsed by the method's schema, an admin operator on loopback. */
export function methodCaller(defs: MethodDef[], services: GatewayServices): (name: string, params: Record<string, unknown>) => Promise<any> {
  const methods = new Map(defs.map((m) => [m.name, m]));
  const caller: CallerInfo = { connId: 'c1', role: 'operator', scopes: ['operator.admin'], clientId: 'test', clientMode: 'cli', isLocal: true };
  return async (name, params) => {
    const def = methods.get(name);
    assert.ok(def, `method ${name} is registered`);
    const parsed = def.params ? def.params.parse(params) : params;
    return def.handler({ params: parsed, caller, services, sendToCaller() {}, acknowledge() {}, idempotencyKey: params.idempotencyKey as string | undefined, log: services.log });
  };
}

/** The `chat` events of one run so far, in order. */
export const chatEventsOf = (services: TestServices, runId: string): any[] =>
  services.events.filter((e) => e.event === 'chat' && e.payload.runId === runId).map((e) => e.payload);

/** Resolves with the run's terminal `chat` event (final, error or aborted). */
export const chatTerminal = (services: TestServices, runId: string): Promise<CapturedEvent> =>
  services.waitForEvent((e) => e.event === 'chat' && e.payload.runId === runId && e.payload.state !== 'delta');

/** The /v1 handler of a fresh model runtime for a test state dir, on a loopback port; `close` stops both. The runtime and services also serve the chat methods (WS-level tests). */
export async function startV1Server(state: { dir: string; configPath: string }, options: Pick<OpenAiHttpOptions, 'keepAliveMs' | 'bodyTimeoutMs'> = {}): Promise<{ runtime: ModelRuntime; services: TestServices; base: string; close(): Promise<void> }> {
  const services = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
  const runtime = createModelRuntime({ services, env: {} });
  const handler = createOpenAiHttpHandler({ runtime, services, ...options });
  const server = http.createServer(async (req, res) => {
    if (!(await handler(req, res))) res.writeHead(404).end('not mine');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    runtime,
    services,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await runtime.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
