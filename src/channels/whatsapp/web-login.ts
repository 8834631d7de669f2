// `web.login.start` / `web.login.wait`: the WhatsApp QR link from the Control UI. The gateway runs
// the same `runWhatsAppLogin` as `openclaw channels login`, renders each QR WhatsApp offers as a
// PNG data URL, and once the phone links starts the account's listener like `channels.start`.
// One login per account at a time: a second start answers with the current QR.
import { z } from 'zod';
import { MethodError, type MethodDef } from '../../gateway/methods/types.js';
import { DEFAULT_ACCOUNT_ID } from '../types.js';
import type { ChannelManager } from '../manager.js';
import { defaultAuthDir, readLinkedNumber } from './config.js';
import { LINK_INSTRUCTION, runWhatsAppLogin, WhatsAppLoginError } from './login.js';
import { socketFactoryFromEnv } from './socket.js';

type Env = Record<string, string | undefined>;
export const WEB_LOGIN_TIMEOUT_MS = 180_000;
const WAIT_DEFAULT_MS = 120_000;

interface Outcome {
  connected: boolean;
  message: string;
  fix?: string;
  selfNumber?: string;
}

interface Session {
  qrDataUrl?: string;
  /** Called (then dropped) when WhatsApp offers a new QR. */
  onQr: Array<() => void>;
  /** Resolves at the first QR or when the login ends, whichever comes first. */
  firstQr: Promise<void>;
  done: Promise<Outcome>;
  outcome?: Outcome;
}

export function webLoginMethods(o: { manager: ChannelManager; configPath: string; env?: Env }): MethodDef[] {
  const env = o.env ?? process.env;
  const sessions = new Map<string, Session>();
  const accountOf = (raw?: string) => raw?.trim() || DEFAULT_ACCOUNT_ID;
  const channelParam = z.literal('whatsapp').optional();
  const configured = (accountId: string) => o.manager.accounts().find((a) => a.channel === 'whatsapp' && a.accountId === accountId) as { authDir?: string } | undefined;
  const authDirOf = (accountId: string) => configured(accountId)?.authDir ?? defaultAuthDir(accountId, env);

  const begin = (accountId: string, timeoutMs: number): Session => {
    const flag = accountId === DEFAULT_ACCOUNT_ID ? '' : ` --account ${accountId}`;
    const inConfig = configured(accountId);
    const authDir = authDirOf(accountId);
    let gotQr!: () => void;
    const firstQr = new Promise<void>((r) => (gotQr = r));
    const s = { firstQr, onQr: [] } as unknown as Session;
    s.done = (async (): Promise<Outcome> => {
      try {
        const QR = (await import('qrcode')).default;
        const factory = await socketFactoryFromEnv(env);
        const result = await runWhatsAppLogin({
          authDir,
          ...(factory ? { socketFactory: factory } : {}),
          out: () => undefined,
          timeoutMs,
          accountFlag: flag,
          renderQr: async (qr) => {
            s.qrDataUrl = await QR.toDataURL(qr, { margin: 2, width: 264 });
            gotQr();
            for (const f of s.onQr.splice(0)) f();
            return '';
          },
        });
        if (!inConfig) {
          const { patchConfig } = await import('../../config/edit.js');
          const block = { dmPolicy: 'pairing' };
          patchConfig(o.configPath, { channels: { whatsapp: accountId === DEFAULT_ACCOUNT_ID ? block : { accounts: { [accountId]: block } } } });
        }
        const start = await o.manager.startAccountById('whatsapp', accountId);
        const who = `WhatsApp${result.selfNumber ? ` ${result.selfNumber}` : ''} (account "${accountId}")`;
        return start.started
          ? { connected: true, message: `Linked ${who}; the gateway is connected.`, ...(result.selfNumber ? { selfNumber: result.selfNumber } : {}) }
          : { connected: true, message: `Linked ${who}, but the listener did not start (${start.outcome.reason}).`, fix: `openclaw channels status --probe --channel whatsapp${flag}` };
      } catch (err) {
        const e = err as Error;
        return e instanceof WhatsAppLoginError ? { connected: false, message: e.message, ...(e.fix ? { fix: e.fix } : {}) } : { connected: false, message: `WhatsApp login failed: ${e.message}`, fix: `openclaw channels login --channel whatsapp${flag}` };
      } finally {
        s.qrDataUrl = undefined;
        gotQr();
      }
    })().then((r) => (s.outcome = r));
    return s;
  };

  return [
    {
      name: 'web.login.start',
      scope: 'operator.admin',
      params: z.strictObject({ channel: channelParam, force: z.boolean().optional(), timeoutMs: z.number().int().min(0).optional(), verbose: z.boolean().optional(), accountId: z.string().optional() }),
      handler: async ({ params }) => {
        const accountId = accountOf(params.accountId);
        let s = sessions.get(accountId);
        if (!s || s.outcome) {
          // `force` never relinks a linked account: a second socket on its session would replace the listener's.
          const linked = readLinkedNumber(authDirOf(accountId));
          if (linked.linked) {
            return { message: `WhatsApp account "${accountId}" is already linked${linked.selfNumber ? ` (${linked.selfNumber})` : ''}; to link another phone: openclaw channels logout --channel whatsapp${accountId === DEFAULT_ACCOUNT_ID ? '' : ` --account ${accountId}`} --yes`, connected: true };
          }
          s = begin(accountId, params.timeoutMs || WEB_LOGIN_TIMEOUT_MS);
          sessions.set(accountId, s);
        }
        await s.firstQr;
        if (s.qrDataUrl) return { qrDataUrl: s.qrDataUrl, message: LINK_INSTRUCTION };
        const r = s.outcome ?? (await s.done);
        if (!r.connected) throw new MethodError('UNAVAILABLE', r.message, r.fix ? { fix: r.fix } : undefined);
        return { message: r.message, connected: true };
      },
    },
    {
      name: 'web.login.wait',
      scope: 'operator.admin',
      params: z.strictObject({ channel: channelParam, sessionKey: z.string().optional(), timeoutMs: z.number().int().min(0).optional(), accountId: z.string().optional(), currentQrDataUrl: z.string().max(16_384).optional() }),
      handler: async ({ params }) => {
        const accountId = accountOf(params.accountId);
        const s = sessions.get(accountId);
        if (!s) return { connected: readLinkedNumber(authDirOf(accountId)).linked, message: 'no WhatsApp login in progress; start one with web.login.start' };
        const stillWaiting = () => ({ connected: false, message: `still waiting for the phone to scan the QR (${LINK_INSTRUCTION})`, ...(s.qrDataUrl ? { qrDataUrl: s.qrDataUrl } : {}) });
        // A client showing an older QR gets the current one at once (WhatsApp rotates it every ~20 s).
        if (!s.outcome && params.currentQrDataUrl && s.qrDataUrl && s.qrDataUrl !== params.currentQrDataUrl) return stillWaiting();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const pending = new Promise<undefined>((r) => {
          timer = setTimeout(() => r(undefined), params.timeoutMs ?? WAIT_DEFAULT_MS);
          if (params.currentQrDataUrl) s.onQr.push(() => r(undefined));
        });
        const r = await Promise.race([s.done, pending]);
        clearTimeout(timer);
        if (!r) return stillWaiting();
        if (sessions.get(accountId) === s) sessions.delete(accountId);
        return r;
      },
    },
  ];
}
