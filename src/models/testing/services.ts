// A real GatewayServices-shaped object for tests of the chat methods and /v1: a temp state dir,
// settings resolved from the config file, and broadcasts captured in order.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/load.js';
import { resolveGatewaySettings } from '../../config/resolve.js';
import type { GatewayServices } from '../../gateway/methods/types.js';
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

/** The /v1 handler of a fresh model runtime for a test state dir, on a loopback port; `close` stops both. */
export async function startV1Server(state: { dir: string; configPath: string }, options: Pick<OpenAiHttpOptions, 'keepAliveMs' | 'bodyTimeoutMs'> = {}): Promise<{ runtime: ModelRuntime; base: string; close(): Promise<void> }> {
  const services = makeTestServices({ stateDir: state.dir, configPath: state.configPath });
  const runtime = createModelRuntime({ services, env: {} });
  const handler = createOpenAiHttpHandler({ runtime, services, ...options });
  const server = http.createServer(async (req, res) => {
    if (!(await handler(req, res))) res.writeHead(404).end('not mine');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    runtime,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await runtime.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
