// `openclaw channels login|logout --channel whatsapp`: QR linking through a short-lived socket, and
// unlinking by moving the auth dir aside (never deleted without a backup). Baileys and qrcode are
// loaded only here and in the adapter, on first use.
import fs from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../logging/types.js';
import { readLinkedNumber } from './config.js';
import { e164FromJid } from './facts.js';
import { defaultBaileysSocketFactory, disconnectStatus, guardedSaveCreds, secureAuthDir, WA_STATUS, type WaConnectionUpdate, type WaSocketFactory, type WaSocketLike } from './socket.js';

export const LINK_INSTRUCTION = 'Scan this QR in WhatsApp → Settings → Linked devices → Link a device';

export class WhatsAppLoginError extends Error {
  constructor(
    message: string,
    readonly fix?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WhatsAppLoginError';
  }
}

export interface LoginOptions {
  authDir: string;
  socketFactory?: WaSocketFactory;
  /** Where the QR and instructions go (stdout in the CLI). */
  out: (text: string) => void;
  timeoutMs: number;
  /** Renders the QR; default: qrcode's small terminal QR. */
  renderQr?: (qr: string) => Promise<string>;
  accountFlag?: string;
}

type Outcome = { kind: 'open'; sock: WaSocketLike } | { kind: 'close'; status?: number; message: string } | { kind: 'timeout' };

export interface LoginResult {
  selfNumber?: string;
  selfJid?: string;
  name?: string;
  authDir: string;
  qrShown: number;
}

async function terminalQr(qr: string): Promise<string> {
  const QR = (await import('qrcode')).default;
  return QR.toString(qr, { type: 'terminal', small: true });
}

/**
 * Opens a socket on `authDir`, prints every QR WhatsApp offers until the phone links, follows the
 * restart WhatsApp requests right after pairing (status 515) once, and resolves with the linked
 * number when the connection opens.
 */
export async function runWhatsAppLogin(o: LoginOptions): Promise<LoginResult> {
  const factory = o.socketFactory ?? defaultBaileysSocketFactory;
  const render = o.renderQr ?? terminalQr;
  const flag = o.accountFlag ?? '';
  secureAuthDir(o.authDir);
  const deadline = Date.now() + o.timeoutMs;
  let qrShown = 0;
  let restarts = 0;
  for (;;) {
    const handle = await factory({ authDir: o.authDir, log: silentLogger });
    const save = guardedSaveCreds(o.authDir, handle.saveCreds);
    const outcome = await new Promise<Outcome>((resolve) => {
      let settled = false;
      const sock = handle.sock;
      let qrChain: Promise<void> = Promise.resolve();
      const timer = setTimeout(() => done({ kind: 'timeout' }), Math.max(0, deadline - Date.now()));
      const onCreds = () => void save().catch(() => undefined);
      const onUpdate = (u: WaConnectionUpdate) => {
        if (u.qr) {
          const qr = u.qr;
          qrChain = qrChain.then(async () => {
            qrShown++;
            o.out(`${LINK_INSTRUCTION}${qrShown > 1 ? ' (the previous code expired)' : ''}:\n${await render(qr)}\n`);
          });
        }
        if (u.connection === 'open') void qrChain.then(() => done({ kind: 'open', sock }));
        else if (u.connection === 'close') done({ kind: 'close', status: disconnectStatus(u), message: u.lastDisconnect?.error?.message ?? 'connection closed' });
      };
      const done = (r: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.ev.off('connection.update', onUpdate);
        // creds keep flowing right after open (keys sync); stop listening only once closed
        if (r.kind !== 'open') sock.ev.off('creds.update', onCreds);
        resolve(r);
      };
      sock.ev.on('connection.update', onUpdate);
      sock.ev.on('creds.update', onCreds);
    });
    if (outcome.kind === 'open') {
      await save().catch(() => undefined);
      const user = outcome.sock.user ?? undefined;
      const linked = readLinkedNumber(o.authDir);
      // Let the key sync that follows pairing land, then close: the gateway owns the long-lived socket.
      await new Promise((r) => setTimeout(r, 250));
      try {
        outcome.sock.end(undefined);
      } catch {
        // already closed
      }
      secureAuthDir(o.authDir);
      return { selfNumber: e164FromJid(user?.id) ?? linked.selfNumber, selfJid: user?.id, name: user?.name, authDir: o.authDir, qrShown };
    }
    try {
      handle.sock.end(undefined);
    } catch {
      // already closed
    }
    if (outcome.kind === 'timeout') {
      throw new WhatsAppLoginError(
        qrShown ? `No phone linked within ${duration(o.timeoutMs)} (the QR expired).` : `WhatsApp Web did not answer within ${duration(o.timeoutMs)} (no QR received; check network / HTTPS_PROXY).`,
        `openclaw channels login --channel whatsapp${flag} --timeout ${Math.max(o.timeoutMs, 120_000)}`,
      );
    }
    if (outcome.status === WA_STATUS.restartRequired && restarts === 0) {
      restarts++;
      continue; // WhatsApp restarts the stream once after a successful scan
    }
    if (outcome.status === WA_STATUS.loggedOut) {
      throw new WhatsAppLoginError(
        'WhatsApp logged this session out (status 401) during login: the stored session is no longer valid.',
        `openclaw channels logout --channel whatsapp${flag} --yes, then openclaw channels login --channel whatsapp${flag}`,
        401,
      );
    }
    throw new WhatsAppLoginError(
      `WhatsApp Web closed the connection during login${outcome.status ? ` (status ${outcome.status})` : ''}: ${outcome.message}`,
      outcome.status === WA_STATUS.connectionLost ? 'check network access to web.whatsapp.com (proxy: HTTPS_PROXY), then retry: openclaw channels login --channel whatsapp' : `openclaw channels login --channel whatsapp${flag}`,
      outcome.status,
    );
  }
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

export interface LogoutResult {
  /** Where the auth dir went; undefined when there was nothing to move. */
  backupPath?: string;
  wasLinked: boolean;
  selfNumber?: string;
}

/** Moves `authDir` to `<authDir>.bak-<timestamp>`: the session is gone for the gateway, the keys are kept. */
export function runWhatsAppLogout(o: { authDir: string; now?: Date }): LogoutResult {
  const { linked, selfNumber } = readLinkedNumber(o.authDir);
  if (!fs.existsSync(o.authDir)) return { wasLinked: false };
  const stamp = (o.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  let backupPath = `${o.authDir}.bak-${stamp}`;
  for (let i = 1; fs.existsSync(backupPath); i++) backupPath = `${o.authDir}.bak-${stamp}-${i}`;
  fs.renameSync(o.authDir, backupPath);
  try {
    fs.chmodSync(backupPath, 0o700);
  } catch {
    // best effort
  }
  return { backupPath: path.resolve(backupPath), wasLinked: linked, ...(selfNumber ? { selfNumber } : {}) };
}
