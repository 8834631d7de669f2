// `openclaw tui`: a line-oriented terminal chat on the client SDK. It reconnects and resumes by
// itself; a status line says when and why the connection dropped (`closed idle`, `gateway
// stopping` …), and a message sent while disconnected goes out (once, by idempotency key) when
// the connection is back. Commands: /abort, /history, /quit.
import crypto from 'node:crypto';
import readline from 'node:readline';
import { GatewayClient, type ConnectionState } from '../client/gateway-client.js';
import { resolveGatewayTarget } from '../client/target.js';
import type { Env } from '../config/paths.js';
import type { ChatEventPayload } from './chat-runs.js';

export interface TuiOptions {
  sessionKey: string;
  agentId?: string;
  url?: string;
  token?: string;
  password?: string;
  env: Env;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** One status line per connection change, with the close reason and the fix when there is one. */
export function describeState(s: ConnectionState): string | undefined {
  const why = [s.code ? String(s.code) : '', s.reason ?? ''].filter(Boolean).join(' ');
  if (s.state === 'connected') return '-- connected';
  if (s.state === 'reconnecting') return `-- disconnected${why ? ` (${why})` : ''}; reconnecting${s.retryInMs ? ` in ${Math.ceil(s.retryInMs / 1000)}s` : ''}`;
  if (s.state === 'paused') return `-- paused${s.message ? `: ${s.message}` : ''}${s.fix ? `\nfix: ${s.fix}` : ''}`;
  return undefined;
}

export async function runTui(o: TuiOptions): Promise<void> {
  const target = resolveGatewayTarget({ url: o.url, token: o.token, password: o.password, env: o.env });
  const client = new GatewayClient({ url: target.url, token: target.token, password: target.password, stateDir: target.stateDir, reconnect: true, resume: true });
  const out = (line: string) => o.output.write(line + '\n');
  let streaming = false;
  client.on('state', (s) => {
    const line = describeState(s);
    if (!line) return;
    if (streaming) o.output.write('\n');
    out(line);
  });
  client.on('event', (name, payload) => {
    if (name !== 'chat') return;
    const p = payload as ChatEventPayload;
    if (p.sessionKey !== o.sessionKey) return;
    if (p.state === 'delta' && p.deltaText) {
      streaming = true;
      o.output.write(p.deltaText);
      return;
    }
    if (p.state === 'delta') return;
    if (streaming) o.output.write('\n');
    streaming = false;
    if (p.state === 'aborted') out('-- aborted');
    if (p.state === 'error') {
      out(`error: ${p.errorMessage ?? ''}`);
      const fix = p.error?.details?.fix;
      if (typeof fix === 'string') out(`fix: ${fix}`);
    }
  });
  await client.connect();
  out(`session ${o.sessionKey} on ${target.url}. Type a message; /abort, /history, /quit.`);

  const rl = readline.createInterface({ input: o.input, terminal: false });
  const report = (err: unknown) => out(`error: ${(err as Error).message}`);
  const noTimeout = { timeoutMs: 24 * 3600_000 };
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) continue;
    if (line === '/quit' || line === '/exit') break;
    if (line === '/abort') {
      await client.request('chat.abort', { sessionKey: o.sessionKey }).catch(report);
      continue;
    }
    if (line === '/history') {
      const h = (await client.request('chat.history', { sessionKey: o.sessionKey, limit: 20 }).catch(report)) as { messages?: Array<{ role: string; content: unknown }> } | undefined;
      for (const m of h?.messages ?? []) out(`${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`);
      continue;
    }
    // Not awaited: the answer streams in as events while the next line can be typed.
    client.request('chat.send', { sessionKey: o.sessionKey, message: line, ...(o.agentId ? { agentId: o.agentId } : {}) }, { ...noTimeout, idempotencyKey: crypto.randomUUID() }).catch(report);
  }
  rl.close();
  await client.close();
}
