// All four channels in one real gateway process, each against its local stand-in: the Bot API
// fake (Telegram, real grammY), the Discord REST + Gateway fake (real @discordjs/rest and /ws),
// the fake `imsg rpc` child (iMessage), and for WhatsApp a scripted socket at the Baileys boundary
// (WhatsApp Web cannot be reached or faked; OPENCLAW_WHATSAPP_FAKE_SOCKET). `channels status
// --probe` must print one correct line per channel, and a channel whose server goes away must
// turn its own line unhealthy (red on a terminal, exit 1) while the other three stay healthy.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { eventually, gatewayRuns, GATEWAY_WAIT_MS, localConfig, runCli, stateDirsForFile } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { startFakeBotApi, type FakeBotApi } from './telegram/testing/fake-bot-api.js';
import { snowflake, startFakeDiscord, type FakeDiscord } from './discord/testing/fake-discord.js';
import { fakeImsg, type FakeImsg } from './imessage/testing/fake-imsg-control.js';
import { writeLinkedCreds } from './whatsapp/testing/fake-socket.js';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
const TG_BOT = { token: '515151:AAH-all-channels-e2e-0123456789abcdef', id: 515151, username: 'claw_all_bot' };
const DC_ID = snowflake();
const DC_BOT = { token: `${Buffer.from(DC_ID).toString('base64url')}.Gall.e2e-discord-all-channels-abcdefghijklmnopqrstuvwxyz`, id: DC_ID, username: 'claw_discord_bot' };
const WA_FAKE = fileURLToPath(new URL('./whatsapp/testing/fake-gateway-socket.js', import.meta.url));
const RED = '\u001b[31m';

let model: FakeServerBase;
let tg: FakeBotApi;
let dc: FakeDiscord;
let imsg: FakeImsg;
const newState = stateDirsForFile();
const runs = gatewayRuns();

before(async () => {
  [model, tg, dc] = await Promise.all([startFakeOpenAi({ models: ['m'] }), startFakeBotApi(), startFakeDiscord({ heartbeatIntervalMs: 500 })]);
  tg.addBot(TG_BOT);
  dc.addBot(DC_BOT);
  imsg = fakeImsg();
});
after(async () => {
  await Promise.all([model.close(), tg.close().catch(() => {}), dc.close().catch(() => {})]);
  imsg.cleanup();
});

function post(socketPath: string, route: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: route, method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`fake WhatsApp control answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The four account lines, ages normalised (they depend on the clock). */
const accountLines = (stdout: string) => stdout.split('\n').filter((l) => /^(\u001b\[31m)?- (Telegram|Discord|WhatsApp|iMessage) /.test(l)).map((l) => l.replace(/(in|out|transport):[^,]+/g, '$1:<age>'));

test('channels status --probe: one correct line per channel; a stopped server turns only its own line red', async () => {
  const state = newState(
    localConfig(TOKEN, {
      models: { providers: { local: { baseUrl: model.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
      channels: {
        telegram: { botToken: TG_BOT.token, apiRoot: tg.apiRoot },
        discord: { token: DC_BOT.token, apiRoot: dc.apiRoot },
        whatsapp: { dmPolicy: 'pairing' },
        imessage: { cliPath: imsg.cliPath },
      },
    }),
  );
  writeLinkedCreds(path.join(state.dir, 'credentials', 'whatsapp', 'default'));
  const waControl = path.join(state.dir, 'wa.sock');
  Object.assign(state.env, imsg.env, {
    OPENCLAW_WHATSAPP_FAKE_SOCKET: WA_FAKE,
    OPENCLAW_WHATSAPP_FAKE_CONTROL: waControl,
    OPENCLAW_WHATSAPP_RETRY_BASE_MS: '200',
    OPENCLAW_IMESSAGE_READY_TIMEOUT_MS: '1500',
    OPENCLAW_IMESSAGE_RESTART_BASE_MS: '200',
    OPENCLAW_IMESSAGE_RESTART_CAP_MS: '1000',
  });
  const { gw } = await runs.start(state);
  if (process.env.E2E_DEBUG) process.on('exit', () => process.stderr.write(`--- gateway output\n${gw.output()}\n`));
  await Promise.all([
    gw.waitFor(/\[telegram\] \[default\] starting provider \(@claw_all_bot\)/, GATEWAY_WAIT_MS),
    gw.waitFor(/\[discord\] \[default\] starting provider \(@claw_discord_bot\)/, GATEWAY_WAIT_MS),
    gw.waitFor(/\[whatsapp\] \[default\] starting provider \(\+15551234567\)/, GATEWAY_WAIT_MS),
    gw.waitFor(/\[imessage\] \[default\] imsg rpc ready/, GATEWAY_WAIT_MS),
    dc.waitForReady(DC_BOT.token, 1, GATEWAY_WAIT_MS),
    eventually(() => tg.calls('getUpdates').length > 0, GATEWAY_WAIT_MS),
  ]);

  const healthy = await runCli(['channels', 'status', '--probe'], { env: state.env });
  assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
  assert.deepEqual(accountLines(healthy.stdout), [
    '- Discord default: enabled, configured, running, connected, transport:<age>, mode:gateway, bot:@claw_discord_bot, dm:pairing, token:config, intents:content=limited, health:healthy, works',
    '- iMessage default: enabled, configured, running, connected, transport:<age>, mode:rpc, dm:pairing, health:healthy, works',
    '- Telegram default: enabled, configured, running, connected, transport:<age>, mode:polling, bot:@claw_all_bot, dm:pairing, token:config, health:healthy, works, audit ok',
    '- WhatsApp default: enabled, configured, linked, running, connected, transport:<age>, mode:web, dm:pairing, health:healthy, works',
  ]);

  // Each server goes away in turn; its line (and only its line) goes red, and the command exits 1.
  const stops: Array<[label: string, stop: () => Promise<void>]> = [
    ['Telegram', () => tg.close()],
    ['Discord', () => dc.close()],
    ['WhatsApp', () => post(waControl, '/down')],
    ['iMessage', async () => {
      imsg.setMode('exit');
      imsg.crash();
    }],
  ];
  const down = new Set<string>();
  for (const [label, stop] of stops) {
    await stop();
    down.add(label);
    const r = await runCli(['channels', 'status', '--probe', '--timeout', '5000'], { env: { ...state.env, FORCE_COLOR: '1' } });
    if (process.env.E2E_DEBUG) process.stderr.write(`--- ${label} down\n${r.stdout}\n`);
    assert.equal(r.code, 1, `${label} down must fail the command:\n${r.stdout}`);
    for (const line of accountLines(r.stdout)) {
      const which = /- (\w+) default/.exec(line)![1];
      if (down.has(which)) assert.ok(line.startsWith(RED) && /probe failed|health:(probe-failed|terminal-disconnect|not-running)/.test(line), `${which} is down, its line must be red and say so:\n${line}`);
      else assert.ok(!line.startsWith(RED) && line.endsWith('works'), `${which} is up, its line must stay healthy:\n${line}`);
    }
    assert.match(r.stdout, new RegExp(`^- ${label.toLowerCase()} default: `, "m"), `a Warnings entry names ${label}`);
  }
  await runs.stop(gw);
});
