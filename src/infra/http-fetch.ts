// The transport of streaming provider calls: node:http with a keep-alive agent, answering like
// fetch (status, headers, body). Global fetch (undici + web streams) cost about 0.5 ms of CPU per
// request plus a web-stream hop per chunk, which under 200 simultaneous streams delayed everyone's
// first token. The body is the Node stream itself (async-iterable Buffers), which is all the
// streaming readers use.
import http from 'node:http';
import https from 'node:https';

/** The part of a fetch Response our stream readers and the SDK's error mapping use. */
export interface StreamResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  /** Built on first use: a stream that succeeds never reads them. */
  readonly headers: Headers;
  body: http.IncomingMessage;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

type Init = { method?: string; headers?: Headers | Record<string, string>; body?: string; signal?: AbortSignal | null };

interface Target {
  module: typeof http | typeof https;
  agent: http.Agent;
  options: http.RequestOptions;
}

/** One fetch per provider client, each with its own keep-alive pool. */
export function createHttpFetch(): (url: string | URL, init?: Init) => Promise<StreamResponse> {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  // A provider calls the same few URLs over and over: parse each once.
  const targets = new Map<string, Target>();
  const targetOf = (href: string): Target => {
    let t = targets.get(href);
    if (!t) {
      const url = new URL(href);
      const secure = url.protocol === 'https:';
      t = { module: secure ? https : http, agent: secure ? agents.https : agents.http, options: { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined, path: url.pathname + url.search, auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined } };
      if (targets.size > 64) targets.clear();
      targets.set(href, t);
    }
    return t;
  };
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const href = String(input);
      const target = targetOf(href);
      const given = init.headers;
      const headers: Record<string, string> = {};
      if (given instanceof Headers) given.forEach((v, k) => (headers[k] = v));
      else if (given) Object.assign(headers, given);
      if (typeof init.body === 'string') headers['content-length'] = String(Buffer.byteLength(init.body));
      const req = target.module.request({ ...target.options, method: init.method ?? 'GET', headers, agent: target.agent, signal: init.signal ?? undefined }, (res) => {
        const status = res.statusCode ?? 0;
        let headers: Headers | undefined;
        const text = async () => {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        };
        resolve({
          ok: status >= 200 && status < 300, status, statusText: res.statusMessage ?? '', url: href, body: res, text,
          get headers() {
            if (!headers) {
              headers = new Headers();
              for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
            }
            return headers;
          },
          json: async () => JSON.parse(await text()),
        });
      });
      req.on('error', reject);
      req.end(init.body);
    });
}
