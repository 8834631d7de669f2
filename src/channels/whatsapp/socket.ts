// The subset of a Baileys socket the WhatsApp adapter and `channels login` use, and the default
// factory that builds a real one. Everything else talks to `WaSocketLike`, so tests drive the
// adapter with a scripted fake (WhatsApp Web cannot be reached from tests). Baileys is imported
// only inside the default factory: a gateway without WhatsApp never loads it.
import fs from 'node:fs';
import path from 'node:path';
import { createHttpFetch } from '../../infra/http-fetch.js';
import type { Logger } from '../../logging/types.js';
import { importEsm } from './esm-import.js';
import type { WaMessage, WaSelf } from './facts.js';

/** `lastDisconnect.error`: a Boom (`output.statusCode`) or a plain Error. */
export interface WaDisconnectError extends Error {
  output?: { statusCode?: number };
  data?: unknown;
}

export interface WaConnectionUpdate {
  connection?: 'open' | 'connecting' | 'close';
  lastDisconnect?: { error?: WaDisconnectError | Error; date?: Date };
  qr?: string;
  isNewLogin?: boolean;
  receivedPendingNotifications?: boolean;
}

export interface WaEvents {
  'connection.update': WaConnectionUpdate;
  'creds.update': Record<string, unknown>;
  'messages.upsert': { messages: WaMessage[]; type: 'notify' | 'append' | string };
}

export interface WaEventEmitterLike {
  on<E extends keyof WaEvents>(event: E, listener: (arg: WaEvents[E]) => void): unknown;
  off<E extends keyof WaEvents>(event: E, listener: (arg: WaEvents[E]) => void): unknown;
}

/** What the adapter needs from `makeWASocket(...)`. */
export interface WaSocketLike {
  ev: WaEventEmitterLike;
  /** Set once the connection is open (`id` = `15551234567:12@s.whatsapp.net`). */
  user?: WaSelf | null;
  sendMessage(jid: string, content: { text: string }, opts?: Record<string, unknown>): Promise<{ key?: { id?: string | null } | null } | undefined | null>;
  sendPresenceUpdate(type: 'composing' | 'paused' | 'available' | 'unavailable', jid?: string): Promise<void>;
  readMessages?(keys: Array<WaMessage['key']>): Promise<void>;
  end(error?: Error): void;
  logout(msg?: string): Promise<void>;
}

export interface WaSocketHandle {
  sock: WaSocketLike;
  /** Persists the creds Baileys changed (the `creds.update` handler calls it). */
  saveCreds(): Promise<void>;
}

export type WaSocketFactory = (opts: { authDir: string; log: Logger }) => Promise<WaSocketHandle>;

/** Files in the auth dir hold the device's private keys: 0700 dir, 0600 files. */
export function secureAuthDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      try {
        const st = fs.lstatSync(p);
        if (st.isFile() && (st.mode & 0o777) !== 0o600) fs.chmodSync(p, 0o600);
      } catch {
        // a file Baileys removed meanwhile
      }
    }
  } catch {
    // reported by doctor (state permissions); never fatal for the connection
  }
}

/** Keeps the last good creds.json as creds.json.bak before Baileys overwrites it (upstream does too). */
export function backupCreds(dir: string): void {
  const file = path.join(dir, 'creds.json');
  try {
    const raw = fs.readFileSync(file, 'utf8');
    JSON.parse(raw); // only a readable file is worth keeping
    fs.writeFileSync(`${file}.bak`, raw, { mode: 0o600 });
    fs.chmodSync(`${file}.bak`, 0o600);
  } catch {
    // no creds yet, or a torn file: keep the previous backup
  }
}

/** `saveCreds` with the backup before and the permissions after. */
export function guardedSaveCreds(dir: string, save: () => Promise<void>): () => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return () => {
    chain = chain.then(async () => {
      backupCreds(dir);
      await save();
      secureAuthDir(dir);
    });
    return chain;
  };
}

/** A pino-compatible logger that says nothing (Baileys logs a lot at every level). */
function silentPino(): { level: string; child(): unknown; trace(): void; debug(): void; info(): void; warn(): void; error(): void; fatal(): void } {
  const l = { level: 'silent', child: () => l, trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
  return l;
}

/**
 * Test-only: `OPENCLAW_WHATSAPP_FAKE_SOCKET=<path to a JS module>` whose `createSocket` export is a
 * WaSocketFactory replaces Baileys (the gateway e2e test drives a scripted fake this way). Never
 * set it in production: nothing would reach WhatsApp.
 */
export async function socketFactoryFromEnv(env: Record<string, string | undefined>): Promise<WaSocketFactory | undefined> {
  const mod = env.OPENCLAW_WHATSAPP_FAKE_SOCKET;
  if (!mod) return undefined;
  const { pathToFileURL } = await import('node:url');
  const m = await importEsm<{ createSocket?: WaSocketFactory; default?: WaSocketFactory }>(pathToFileURL(path.resolve(mod)).href);
  const f = m.createSocket ?? m.default;
  if (typeof f !== 'function') throw new Error(`OPENCLAW_WHATSAPP_FAKE_SOCKET=${mod} does not export createSocket`);
  return f;
}

/** Where Baileys' fetchLatestBaileysVersion reads the WhatsApp Web version it currently speaks. */
export const BAILEYS_VERSION_URL = 'https://raw.githubusercontent.com/WhiskeySockets/Baileys/master/src/Defaults/index.ts';

/** `const version = [2, 3000, 1043857760]` in Baileys' Defaults source, or undefined. */
export function parseBaileysVersion(source: string): [number, number, number] | undefined {
  const m = /const version = \[(\d+),\s*(\d+),\s*(\d+)\]/.exec(source);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

let versionFetch: ReturnType<typeof createHttpFetch> | undefined;
const knownVersions = new Map<string, [number, number, number]>();

/**
 * What fetchLatestBaileysVersion answers, read over node:http: Baileys' own helper uses global
 * fetch, which loads Node's bundled undici (~10 MB of RSS for one request at connect). Offline,
 * slow (> timeoutMs) or unparsable: undefined, and Baileys uses its built-in version. A version
 * once read is kept for the process: reconnects do not ask again.
 */
export async function latestWaWebVersion(url = BAILEYS_VERSION_URL, timeoutMs = 5000): Promise<[number, number, number] | undefined> {
  const known = knownVersions.get(url);
  if (known) return known;
  try {
    const res = await (versionFetch ??= createHttpFetch({ plainHeaders: true }))(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      res.body.resume();
      return undefined;
    }
    const version = parseBaileysVersion(await res.text());
    if (version) knownVersions.set(url, version);
    return version;
  } catch {
    return undefined;
  }
}

/** The real thing: Baileys' multi-file auth state in `authDir` and a WhatsApp Web socket. */
export const defaultBaileysSocketFactory: WaSocketFactory = async ({ authDir }) => {
  secureAuthDir(authDir);
  const baileys = await importEsm<typeof import('baileys')>('baileys');
  const { state, saveCreds } = await baileys.useMultiFileAuthState(authDir);
  const version = await latestWaWebVersion();
  const sock = baileys.makeWASocket({
    auth: state,
    logger: silentPino() as never,
    browser: baileys.Browsers.ubuntu('OpenClaw'),
    printQRInTerminal: false,
    markOnlineOnConnect: false,
    syncFullHistory: false,
    ...(version ? { version } : {}),
  });
  return { sock: sock as unknown as WaSocketLike, saveCreds };
};

/** The HTTP-ish status of a close (`lastDisconnect.error.output.statusCode`), if any. */
export function disconnectStatus(update: WaConnectionUpdate): number | undefined {
  const err = update.lastDisconnect?.error as WaDisconnectError | undefined;
  const code = err?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export const WA_STATUS = { loggedOut: 401, forbidden: 403, connectionLost: 408, multideviceMismatch: 411, connectionClosed: 428, connectionReplaced: 440, badSession: 500, unavailableService: 503, restartRequired: 515 } as const;
