// A `fetch` for the OpenAI SDK's streaming calls on node:http with a keep-alive agent. The SDK
// still builds, authenticates and checks every request; only the transport changes. Global fetch
// (undici + web streams) cost about 0.5 ms of CPU per request plus a web-stream hop per chunk,
// which under 200 simultaneous streams delayed everyone's first token. The body is the Node
// stream itself (async-iterable Buffers), which is all the streaming readers use.
import http from 'node:http';
import https from 'node:https';

/** The part of a fetch Response the SDK's request path and our stream readers use. */
export interface StreamResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: Headers;
  body: http.IncomingMessage;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

type Init = { method?: string; headers?: Headers | Record<string, string>; body?: string; signal?: AbortSignal | null };

/** One fetch per provider client, each with its own keep-alive pool. */
export function createHttpFetch(): (url: string | URL, init?: Init) => Promise<StreamResponse> {
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(String(input));
      const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
      const headers: Record<string, string> = {};
      const given = init.headers;
      if (given instanceof Headers) given.forEach((v, k) => (headers[k] = v));
      else if (given) Object.assign(headers, given);
      if (typeof init.body === 'string') headers['content-length'] = String(Buffer.byteLength(init.body));
      const req = (protocol === 'https:' ? https : http).request(url, { method: init.method ?? 'GET', headers, agent: agents[protocol], signal: init.signal ?? undefined }, (res) => {
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const status = res.statusCode ?? 0;
        const text = async () => {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          return Buffer.concat(chunks).toString('utf8');
        };
        resolve({ ok: status >= 200 && status < 300, status, statusText: res.statusMessage ?? '', url: url.href, headers: responseHeaders, body: res, text, json: async () => JSON.parse(await text()) });
      });
      req.on('error', reject);
      req.end(init.body);
    });
}
