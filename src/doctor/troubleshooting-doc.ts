// Generates docs/troubleshooting.md from the one table of errors (src/protocol/errors.ts) plus the
// few client-side and CLI messages listed below. `node dist/doctor/troubleshooting-doc.js --write`
// regenerates it; a test fails when the committed file is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DM_BLOCKED_FIX, INTENT_DISABLED_MESSAGE, INTENT_FIX, INTENT_LIMITED_FIX, terminalClose, TOKEN_SOURCE, tokenFix } from '../channels/discord/errors.js';
import { PERMISSIONS_FIX } from '../channels/imessage/fixes.js';
import { PROBE_FIX as WHATSAPP_PROBE_FIX, relinkFix } from '../channels/whatsapp/fixes.js';
import { CloseCodes, CONNECTION_LOST } from '../protocol/close-codes.js';
import { ProcessFailures, Rejections, type ProcessFailure, type Rejection } from '../protocol/errors.js';
import { repoRoot } from './repo-root.js';

/** Interpolation values print as `<name>`; free-text details fall back to each entry's default text. */
const PLACEHOLDERS = new Proxy({} as Record<string, unknown>, {
  get: (_t, key) => (key === 'hint' || key === 'detail' || typeof key === 'symbol' ? undefined : `<${key}>`),
});

type RejectionId = keyof typeof Rejections;
type FailureId = keyof typeof ProcessFailures;

/** Close codes a client can see, including the ones no gateway sends itself. */
const CLOSE_CODES: { code: number; meaning: string; fix: string }[] = [
  { code: CloseCodes.NORMAL, meaning: 'Normal close (the client or the gateway ended the session on purpose).', fix: 'Nothing to fix.' },
  { code: CloseCodes.GOING_AWAY, meaning: 'The gateway is shutting down (`going away`).', fix: 'openclaw gateway status' },
  { code: CloseCodes.PROTOCOL_MISMATCH, meaning: 'Client and gateway share no protocol version (`protocol mismatch`).', fix: fixOf('PROTOCOL_MISMATCH') },
  { code: CloseCodes.ABNORMAL, meaning: 'No close frame at all: the gateway is not running or crashed, a proxy drops the WebSocket `Upgrade`/`Connection` headers, or an idle timeout between client and gateway cut the socket. Never sent by the gateway itself.', fix: 'openclaw gateway status; from the browser side: openclaw doctor --url https://<your-host> --idle 90' },
  { code: CloseCodes.POLICY_VIOLATION, meaning: 'The gateway refused the connection (auth, pairing, origin, secure context, bad frames); the reason names which one.', fix: 'Find the reason in the table below.' },
  { code: CloseCodes.MESSAGE_TOO_BIG, meaning: 'A frame over 64 KiB arrived before the handshake (`preauth payload too large`).', fix: fixOf('PREAUTH_PAYLOAD_TOO_LARGE') },
  { code: CloseCodes.SERVICE_RESTART, meaning: 'The gateway is restarting (`service restart`); clients reconnect and resume.', fix: fixOf('SERVICE_RESTART') },
  { code: CloseCodes.TRY_AGAIN_LATER, meaning: 'The gateway is still starting (`gateway starting`).', fix: fixOf('GATEWAY_STARTING') },
  { code: CloseCodes.TICK_TIMEOUT, meaning: 'Client-side only: the client heard no `tick` for too long and gave up (upstream clients).', fix: 'openclaw doctor --url https://<your-host> --idle 90  (an idle timeout in a proxy is the usual cause)' },
  { code: CloseCodes.IDLE_OR_DEVICE_TOKEN, meaning: '`closed idle` (no pong within two keep-alive intervals) or `connect failed — device token mismatch` (a stale device token).', fix: `${fixOf('CLOSED_IDLE')} / ${fixOf('AUTH_DEVICE_TOKEN_MISMATCH')}` },
];

/** Messages printed by the CLI or clients rather than sent by the gateway. */
const CLI_MESSAGES: { message: string; cause: string; fix: string }[] = [
  { message: 'Invalid config <file>:<line>:<col>: <problem>', cause: 'openclaw.json is not valid JSON5; the gateway refuses to start (exit 78).', fix: 'openclaw doctor  (names the line; or restore: openclaw doctor --fix --restore-last-good)' },
  { message: 'Invalid config <file>: <key>: <problem>', cause: 'A key has the wrong type or is unknown; the gateway refuses to start (exit 78).', fix: 'openclaw config validate, then openclaw config set <key> <value>' },
  { message: 'Refusing to write <file>: the new config drops gateway.mode …', cause: 'A write would remove gateway.mode or shrink the config by more than half, which looks like a clobber.', fix: 'Check the change; rerun the same command with --force to write it anyway' },
  { message: '<file> changed since it was read; the edit was not written.', cause: 'Another writer changed the config between read and write.', fix: 'Rerun the command (it re-reads the file)' },
  { message: 'Config auto-restored from last-known-good rejectedPath=<file>.rejected.<timestamp>', cause: 'openclaw.json did not load at gateway start (or in doctor --fix); the broken file was moved aside and the last config the gateway started with was restored.', fix: 'openclaw config validate; re-apply the edit you meant with openclaw config set <key> <value>' },
  { message: '<file>.rejected.<timestamp> files next to openclaw.json', cause: 'The running gateway refused an edit and kept it for inspection; the previous config stays active.', fix: 'openclaw doctor  (rejected-configs names the newest), then openclaw config set <key> <value>' },
  { message: 'RPC probe: failed (gateway status)', cause: 'The process runs but the WebSocket handshake or the token fails.', fix: 'openclaw doctor  (gateway-running and token-drift say which)' },
  { message: 'silent pairing paused: more than 20 devices were auto-approved in the last minute; device <deviceId> waits for approval: …', cause: 'A gateway log line: local devices are paired without a prompt at most 20 a minute, so a flood of new device keys cannot grow the pairing state unchecked; the rest wait as pending requests.', fix: 'openclaw devices list, then openclaw devices approve <requestId>' },
  { message: 'systemd --user is not reachable from here; run: …', cause: '`openclaw gateway install` wrote the unit but cannot talk to a systemd user manager (containers, SSH without lingering).', fix: 'systemctl --user daemon-reload && systemctl --user enable --now openclaw-gateway.service  (or: loginctl enable-linger $USER)' },
  { message: 'gateway stopped — disconnected (1001): going away (Control UI)', cause: 'The gateway was stopped (openclaw gateway stop, SIGTERM); the page keeps checking and reconnects by itself once it runs again.', fix: fixOf('GOING_AWAY') },
  { message: 'connection lost — disconnected (1006) (Control UI, after being connected)', cause: CONNECTION_LOST.cause, fix: CONNECTION_LOST.fix },
  { message: "This openclaw (<path>) lives in npx's cache, which is emptied without notice, so a service unit pointing at it would break; nothing was written.", cause: '`openclaw gateway install` ran via npx (or from npm\'s cache or a temp dir: the message names which); npm and the OS delete those files, and the unit would then fail to start.', fix: 'npm install -g openclaw-gateway && openclaw gateway install' },
  { message: 'The node binary (<path>) lives in a temporary directory, which is emptied without notice, …', cause: '`openclaw gateway install` ran on a Node.js that sits in npx\'s cache or a temp dir (e.g. `npx node@24`); the unit names node by its path.', fix: 'install Node.js outside a temporary directory (a distribution package or nvm), then npm install -g openclaw-gateway && openclaw gateway install' },
  { message: 'Lingering is off for <user>, so the gateway stops at logout and does not start at boot; run: loginctl enable-linger <user>', cause: '`openclaw gateway install` found `Linger=no` (or no loginctl): systemd runs the user manager, and with it the gateway, only while the user is logged in.', fix: 'loginctl enable-linger <user>  (sudo loginctl enable-linger <user> if polkit refuses)' },
  { message: '<unit> already exists with different contents', cause: 'A unit from another install (or a hand edit) is in the way.', fix: 'openclaw gateway install --force  (the old unit is kept as .bak)' },
  { message: 'The gateway did not start on openclaw-gateway@<version> (<reason>); rolled back to <previous>, which runs again.', cause: '`openclaw update` installed the new release, but its gateway did not become ready; the previous version was reinstalled and started.', fix: 'openclaw logs --limit 50  (why it failed; openclaw update retries once a fixed release is out)' },
  { message: 'This openclaw runs from a git checkout (<dir>), which npm does not own.', cause: '`openclaw update` only replaces npm global installs.', fix: 'git -C <dir> pull && npm --prefix <dir> install' },
  { message: "This openclaw runs from npx's cache (<dir>), which npx replaces by itself.", cause: '`openclaw update` does not touch npx\'s cache.', fix: 'npx openclaw-gateway@<version> <command>  (or: npm install -g openclaw-gateway@<version>)' },
  { message: 'The registry has no "<tag>" tag for openclaw-gateway (tags: <tags>).', cause: '`openclaw update --tag` names a dist-tag the registry does not have.', fix: 'openclaw update --tag latest' },
  { message: "error: unknown command '<word>' for 'openclaw <group>'. Did you mean '<command>'?", cause: 'A mistyped subcommand (exit 2, a usage error); bare `openclaw gateway` runs the gateway, but `openclaw gateway <word>` is not read as `gateway run <word>`.', fix: 'openclaw <group> <command>  (the list: openclaw <group> --help)' },
  { message: 'Cannot ask the registry about openclaw-gateway: <npm error>.', cause: '`npm view` failed: no network, a proxy, or a wrong registry.', fix: 'npm view openclaw-gateway dist-tags  (and: npm config get registry)' },
];

/** The channel messages people search for most; docs/troubleshooting-channels.md lists every one. */
const CHANNEL_MESSAGES: { message: string; cause: string; fix: string }[] = [
  { message: 'OpenClaw: access not configured. … Pairing code: <CODE>', cause: 'An unknown sender DMed a bot whose dmPolicy is "pairing" (the default).', fix: 'openclaw pairing approve telegram <CODE>' },
  { message: 'telegram: drop dm from <id> (pairing request cap reached: 3 pending for account <account>; no code sent)', cause: 'Three requests already wait; new senders get no code until one is approved or expires (1 h).', fix: 'openclaw pairing list telegram, then openclaw pairing approve telegram <CODE>' },
  { message: 'telegram: drop group message (group <chat> not allowed: not in groups)', cause: 'A groups map exists and lists neither this chat nor "*".', fix: `openclaw config set 'channels.telegram.groups["<chat>"]' '{"requireMention":true}'` },
  { message: 'telegram: skipping group message (mention required, chat=<chat>, …)', cause: 'requireMention is on (the default) and the message neither mentions nor replies to the bot.', fix: `mention the bot, or openclaw config set 'channels.telegram.groups["<chat>"].requireMention' false (then turn privacy mode off in @BotFather)` },
  { message: 'Telegram getMe returned 401 (Unauthorized): the bot token was rejected.', cause: 'The token was revoked or mistyped.', fix: 'openclaw channels add --channel telegram --token <token>' },
  { message: 'Telegram getUpdates conflict: 409: Conflict: terminated by other getUpdates request …', cause: 'Another process (a second gateway, a dev copy) polls with the same bot token.', fix: 'stop the other instance; openclaw doctor (channel-telegram-conflict) names it when it can' },
  { message: 'Gateway not reachable; showing config-only status.', cause: '`channels status` could not reach the gateway; the lines come from the config file only.', fix: 'openclaw gateway start, then openclaw channels status --probe' },
  { message: 'send failed: gateway not connected', cause: '`openclaw message send` found no running gateway; nothing was queued.', fix: 'openclaw gateway start' },
  { message: terminalClose(4004)!.reason, cause: 'Discord refused the bot token (reset in the Developer Portal, or mistyped); the account stops and does not reconnect.', fix: `${tokenFix()}  (new token: ${TOKEN_SOURCE}; another account: --account <id>)` },
  { message: terminalClose(4014)!.reason, cause: 'The bot asks for the Message Content intent (or Server Members / Presence) but its application does not have it; the account stops and does not reconnect.', fix: INTENT_FIX },
  { message: 'intents:content=limited (channels status)', cause: 'Message Content comes only from the Developer Portal toggle, which Discord honours for bots in fewer than 100 servers. Nothing to do below that (doctor warns from 90 servers).', fix: INTENT_LIMITED_FIX },
  { message: `intents:content=disabled (channels status) / ${INTENT_DISABLED_MESSAGE}`, cause: 'The application lacks the Message Content intent this account asks for.', fix: INTENT_FIX },
  { message: 'send failed: 403: Cannot send messages to this user (50007)', cause: 'The Discord user shares no server with the bot, or does not accept DMs from server members; the message is not retried.', fix: DM_BLOCKED_FIX },
  { message: 'WhatsApp Web session logged out (status 401): this device was unlinked on the phone', cause: 'The phone removed this linked device (WhatsApp `loggedOut`); the account stops and does not reconnect until linked again.', fix: relinkFix('default') },
  { message: 'No active WhatsApp Web listener (account: <id>)', cause: 'A send found no open WhatsApp Web socket for that account: WhatsApp is not connected (not linked, logged out, reconnecting) or its listener stopped. (With the gateway itself down, `message send` says `gateway not connected` instead.)', fix: WHATSAPP_PROBE_FIX },
  { message: 'imsg rpc not ready after <ms>ms (<cause>)', cause: 'imsg started but never answered: the process that runs it (the gateway, or its terminal / launchd job) lacks Full Disk Access or the Automation permission for Messages.', fix: PERMISSIONS_FIX },
];

/** What users paste from other guides, and where it lives here. */
const SEEN_ELSEWHERE: { seen: string; ref: RejectionId | FailureId | 'CLI' }[] = [
  { seen: 'disconnected (1008): pairing required', ref: 'PAIRING_REQUIRED' },
  { seen: '[gateway] pairing request from device DEVICE_ID (openclaw logs --tail 20)', ref: 'PAIRING_REQUIRED' },
  { seen: 'disconnected (1008): unauthorized: gateway token missing', ref: 'AUTH_TOKEN_MISSING' },
  { seen: 'unauthorized: gateway token mismatch / AUTH_TOKEN_MISMATCH', ref: 'AUTH_TOKEN_MISMATCH' },
  { seen: 'AUTH_DEVICE_TOKEN_MISMATCH / disconnected (4008): connect failed', ref: 'AUTH_DEVICE_TOKEN_MISMATCH' },
  { seen: 'disconnected (1008): control ui requires HTTPS or localhost (secure context)', ref: 'CONTROL_UI_DEVICE_IDENTITY_REQUIRED' },
  { seen: 'origin not allowed', ref: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' },
  { seen: 'device identity required', ref: 'DEVICE_IDENTITY_REQUIRED' },
  { seen: 'refusing to bind gateway ... without auth', ref: 'BIND_WITHOUT_AUTH' },
  { seen: 'Gateway start blocked: set gateway.mode=local', ref: 'START_BLOCKED_MODE_UNSET' },
  { seen: 'EADDRINUSE / another gateway instance is already listening', ref: 'ALREADY_RUNNING' },
  { seen: 'messages[...].content: invalid type: sequence, expected a string', ref: 'MODEL_REQUIRES_STRING_CONTENT' },
  { seen: 'HTTP 429: rate_limit_error: Extra usage is required for long context requests', ref: 'MODEL_LONG_CONTEXT_REJECTED' },
  { seen: "This model's maximum context length is 8192 tokens. However, your messages resulted in … tokens", ref: 'MODEL_CONTEXT_LENGTH_EXCEEDED' },
];

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n\s*/g, ' ');
// A placeholder where a message computes a number (`retry after ${Math.ceil(ms / 1000)}s`) renders as NaN.
const code = (text: string) => {
  const s = text.replace(/\bNaN/g, '<seconds>');
  return s.includes('`') ? cell(s) : `\`${cell(s)}\``;
};

function fixOf(ref: RejectionId | FailureId | 'CLI'): string {
  if (ref in Rejections) return (Rejections[ref as RejectionId] as Rejection).fix(PLACEHOLDERS);
  if (ref in ProcessFailures) return (ProcessFailures[ref as FailureId] as ProcessFailure).fix(PLACEHOLDERS);
  return 'openclaw doctor';
}

export function renderTroubleshootingDoc(): string {
  const out: string[] = [
    '# Troubleshooting',
    '',
    '<!-- Generated by src/doctor/troubleshooting-doc.ts from src/protocol/errors.ts. Do not edit by hand:',
    '     node dist/doctor/troubleshooting-doc.js --write -->',
    '',
    'Start with `openclaw doctor`: it checks every cause below that it can see from this machine and',
    'prints the exact fix. From a browser\'s point of view (through a proxy): `openclaw doctor --url https://<your-host>`.',
    '',
    '## Messages you may have seen in other guides',
    '',
    '| Message | Fix |',
    '| --- | --- |',
    ...SEEN_ELSEWHERE.map((s) => `| ${code(s.seen)} | ${code(fixOf(s.ref))} |`),
    '',
    '## WebSocket close codes',
    '',
    '| Code | Meaning | Fix |',
    '| --- | --- | --- |',
    ...CLOSE_CODES.map((c) => `| ${c.code} | ${cell(c.meaning)} | ${code(c.fix)} |`),
    '',
    '## Errors the gateway sends',
    '',
    'Each comes with `error.details.code` (the detail code below); a rejection during `connect` also closes the socket with the listed code.',
    '',
    '| Message | Detail code | Close | Cause | Fix |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of Object.values(Rejections) as Rejection[]) {
    const close = r.closeCode === undefined ? '—' : `${r.closeCode}${r.closeReason ? ` \`${cell(r.closeReason(PLACEHOLDERS))}\`` : ''}`;
    out.push(`| ${code(r.message(PLACEHOLDERS))} | \`${r.detailCode}\` | ${close} | ${cell(r.cause)} | ${code(r.fix(PLACEHOLDERS))} |`);
  }
  out.push('', '## Gateway start and stop failures', '', 'Printed by `openclaw gateway run|start|stop`. Exit code 78 means "configuration problem": systemd (`RestartPreventExitStatus=78`) stops restarting.', '', '| Message | Exit | Cause | Fix |', '| --- | --- | --- | --- |');
  for (const f of Object.values(ProcessFailures) as ProcessFailure[]) out.push(`| ${code(f.message(PLACEHOLDERS))} | ${f.exitCode} | ${cell(f.cause)} | ${code(f.fix(PLACEHOLDERS))} |`);
  out.push('', '## Chat channels', '', 'The most common ones; every channel message, with its cause and fix, is in [troubleshooting-channels.md](troubleshooting-channels.md).', '', '| Message | Cause | Fix |', '| --- | --- | --- |');
  for (const m of CHANNEL_MESSAGES) out.push(`| ${code(m.message)} | ${cell(m.cause)} | ${code(m.fix)} |`);
  out.push('', '## CLI messages', '', '| Message | Cause | Fix |', '| --- | --- | --- |');
  for (const m of CLI_MESSAGES) out.push(`| ${code(m.message)} | ${cell(m.cause)} | ${code(m.fix)} |`);
  out.push('');
  return out.join('\n');
}

export const troubleshootingDocPath = (root = repoRoot()) => path.join(root, 'docs', 'troubleshooting.md');

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  const file = troubleshootingDocPath();
  const text = renderTroubleshootingDoc();
  if (process.argv.includes('--write')) {
    fs.writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
  } else if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${file} is out of date; run: node dist/doctor/troubleshooting-doc.js --write\n`);
      process.exitCode = 1;
    }
  } else process.stdout.write(text);
}
