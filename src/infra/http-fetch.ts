// fetch over node:http with a keep-alive agent, answering like fetch (status, headers, body).
// Streaming provider calls: global fetch (undici + web streams) cost about 0.5 ms of CPU per
// request plus a web-stream hop per chunk, which under 200 simultaneous streams delayed everyone's
// first token; the body is the Node stream itself (async-iterable Buffers), which is all the
// streaming readers use. Discord's REST client (its `makeRequest`), with `plainHeaders`: on Node 20
// the first touch of the global `Headers` (even an `instanceof` test) loads the whole bundled
// undici, ~8 MB of RSS that a gateway talking to Discord needs for nothing else. grammY's Bot API
// calls (src/channels/telegram/bot-api-fetch.ts), instead of its node-fetch.
import http from 'node:http';
import type https from 'node:https';

/** The part of a fetch Response our stream readers and the SDK's error mapping use. */
export interface StreamResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  /** Built on first use: a stream that succeeds never reads them. */
  readonly headers: Headers;
  body: http.IncomingMessage;
  readonly bodyUsed: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The reading half of fetch's Headers, over a response's raw header list (names case-insensitive). */
export class ResponseHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = raw[i].toLowerCase();
      const prev = this.map.get(k);
      this.map.set(k, prev === undefined ? raw[i + 1] : `${prev}, ${raw[i + 1]}`);
    }
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  forEach(fn: (value: string, name: string) => void): void {
    for (const [k, v] of this.map) fn(v, k);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

type HeaderInput = { forEach(fn: (value: string, name: string) => void): void } | Record<string, string>;
/** A string or bytes go out with a content-length; a Node stream (grammY's multipart upload) chunked. */
type Body = string | Uint8Array | NodeJS.ReadableStream;
type Init = { method?: string; headers?: HeaderInput; body?: Body | null; signal?: AbortSignal | null };

/** Copies fetch-style headers (a Headers-like object, or a plain record) without naming the global `Headers`. */
function headerRecord(given: HeaderInput | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof given?.forEach === 'function') given.forEach((v: string, k: string) => (out[k] = v));
  else if (given) Object.assign(out, given);
  return out;
}

/** node:https (and with it the whole TLS stack, ~5 ms) is loaded on the first https request, not at start. */
function loadHttps(): typeof https {
  return process.getBuiltinModule('node:https');
}

interface Target {
  module: typeof http | typeof https;
  agent: http.Agent;
  options: http.RequestOptions;
}

/**
 * One fetch per client, each with its own keep-alive pool. `plainHeaders`: response headers are a
 * ResponseHeaders instead of a global Headers (for callers that only read them).
 */
export function createHttpFetch(o: { plainHeaders?: boolean } = {}): (url: string | URL, init?: Init) => Promise<StreamResponse> {
  const httpAgent = new http.Agent({ keepAlive: true });
  let httpsAgent: https.Agent | undefined;
  // A provider calls the same few URLs over and over: parse each once.
  const targets = new Map<string, Target>();
  const targetOf = (href: string): Target => {
    let t = targets.get(href);
    if (!t) {
      const url = new URL(href);
      const secure = url.protocol === 'https:';
      t = { module: secure ? loadHttps() : http, agent: secure ? (httpsAgent ??= new (loadHttps().Agent)({ keepAlive: true })) : httpAgent, options: { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined, path: url.pathname + url.search, auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined } };
      if (targets.size > 64) targets.clear();
      targets.set(href, t);
    }
    return t;
  };
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const href = String(input);
      const target = targetOf(href);
      const headers = headerRecord(init.headers);
      const body = init.body ?? undefined;
      const stream = typeof body === 'object' && 'pipe' in body ? body : undefined;
      if (body !== undefined && !stream) headers['content-length'] = String(Buffer.byteLength(body as string | Uint8Array));
      const req = target.module.request({ ...target.options, method: init.method ?? 'GET', headers, agent: target.agent, signal: init.signal ?? undefined }, (res) => {
        const status = res.statusCode ?? 0;
        let headers: Headers | undefined;
        let bodyUsed = false;
        const bytes = async () => {
          bodyUsed = true;
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          return Buffer.concat(chunks);
        };
        const text = async () => (await bytes()).toString('utf8');
        resolve({
          ok: status >= 200 && status < 300, status, statusText: res.statusMessage ?? '', url: href, body: res, text,
          get headers() {
            if (!headers) {
              if (o.plainHeaders) headers = new ResponseHeaders(res.rawHeaders) as unknown as Headers;
              else {
                headers = new Headers();
                for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
              }
            }
            return headers;
          },
          get bodyUsed() {
            return bodyUsed;
          },
          json: async () => JSON.parse(await text()),
          arrayBuffer: async () => {
            const b = await bytes();
            return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
          },
        });
      });
      req.on('error', reject);
      if (!stream) req.end(body);
      else {
        stream.once('error', (err) => req.destroy(err));
        stream.pipe(req);
      }
    });
}
