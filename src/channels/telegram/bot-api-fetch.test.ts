// grammY over our Bot API fetch (not its node-fetch): the real grammY client against a local
// server speaking the Bot API's wire format, for the three things grammY asks of a fetch.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Bot, InputFile } from 'grammy';
import botApiFetch from './bot-api-fetch.js';
import { grammySignal } from './signal.js';

interface Seen {
  url: string;
  type: string;
  body: string;
}

describe('grammY with the Bot API fetch', () => {
  const seen: Seen[] = [];
  let server: http.Server;
  let bot: Bot;
  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
        const method = (req.url ?? '').split('/').pop();
        res.setHeader('content-type', 'application/json');
        if (method === 'getUpdates') return; // long poll: answers only when the client gives up
        if (method === 'getMe') return res.end(JSON.stringify({ ok: true, result: { id: 7, is_bot: true, first_name: 'T', username: 't_bot' } }));
        if (method === 'sendMessage') return res.writeHead(403).end(JSON.stringify({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }));
        res.end(JSON.stringify({ ok: true, result: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    bot = new Bot('123:secret', { client: { apiRoot, fetch: botApiFetch as unknown as typeof fetch } });
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('JSON calls: results and Bot API errors arrive as grammY returns and throws them', async () => {
    assert.equal((await bot.api.getMe()).username, 't_bot');
    assert.equal(seen.at(-1)!.url, '/bot123:secret/getMe');
    await assert.rejects(bot.api.sendMessage(1, 'hi'), { name: 'GrammyError', error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    assert.deepEqual(JSON.parse(seen.at(-1)!.body), { chat_id: 1, text: 'hi' });
    assert.match(seen.at(-1)!.type, /^application\/json/);
  });

  test('a file upload streams grammY\'s multipart body', async () => {
    await bot.api.sendDocument(1, new InputFile(Buffer.from('file-bytes-here'), 'a.txt'));
    const req = seen.at(-1)!;
    assert.match(req.type, /^multipart\/form-data; boundary=/);
    assert.match(req.body, /filename=a\.txt\r\n[\s\S]*\r\n\r\nfile-bytes-here\r\n/);
  });

  test('an abort through grammY\'s signal ends a pending long poll at once', async () => {
    const ctrl = new AbortController();
    const started = Date.now();
    const poll = bot.api.getUpdates({ timeout: 30 }, grammySignal(ctrl.signal));
    while (!seen.some((s) => s.url.endsWith('/getUpdates'))) await new Promise((r) => setTimeout(r, 5));
    ctrl.abort();
    await assert.rejects(poll, { name: 'HttpError' });
    assert.ok(Date.now() - started < 10_000, 'the poll ended on the abort, not on a timeout');
  });

  test('the CLI bundle resolves grammY\'s node-fetch to this module (node-fetch, whatwg-url and tr46 are not in it)', () => {
    const bundle = fs.readFileSync(fileURLToPath(new URL('../../cli/openclaw.cjs', import.meta.url)), 'utf8');
    assert.match(bundle, /^\/\/ dist\/channels\/telegram\/bot-api-fetch\.js$/m);
    for (const pkg of ['node-fetch', 'whatwg-url', 'tr46']) assert.doesNotMatch(bundle, new RegExp(`^// node_modules/${pkg}/`, 'm'), pkg);
  });
});
