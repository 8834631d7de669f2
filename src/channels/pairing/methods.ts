// RPC channels.pairing.list|approve|dismiss (the Control UI's "DM access requests"). The pairing
// code is never part of any payload: requests are named by an opaque requestId (a hash the code
// cannot be derived from). Only accounts whose effective dmPolicy is `pairing` are listed. The UI
// path never makes anyone the command owner unless asked (bootstrapCommandOwner, admin only).
import { z } from 'zod';
import { rejectionError } from '../../protocol/errors.js';
import { scopeSatisfies } from '../../protocol/scopes.js';
import { MethodError, type MethodDef } from '../../gateway/methods/types.js';
import type { ResolvedAccount } from '../config.js';
import { CHANNEL_IDS, type ChannelId, type ChannelService } from '../types.js';
import { CHANNEL_LABELS } from '../catalog.js';
import { CHANNEL_PAIRING_PENDING_MAX, CHANNEL_PAIRING_PENDING_TTL_MS, PAIRING_APPROVED_TEXT, pairingExpiresAt } from './codes.js';
import { bootstrapCommandOwner, commandOwnerConfigured } from './owner.js';
import { requestCreatedAtMs, requestIdOf, type ChannelPairingStore, type PairingRequest } from './store.js';

export interface PairingMethodDeps {
  store: ChannelPairingStore;
  /** Every configured channel account, resolved (re-read per call: config reloads apply). */
  accounts(): ResolvedAccount[];
  /** The running channel layer; without it notify answers `unsupported`. */
  channels?: ChannelService;
  broadcast(event: string, payload: unknown): void;
  configPath: string;
  /** How long approve waits for the notification to be delivered (default 10 s). */
  notifyTimeoutMs?: number;
}

export type PairingNotification = 'not-requested' | 'sent' | 'failed' | 'unsupported';
export type CommandOwnerBootstrap = 'not-requested' | 'configured' | 'already-configured' | 'failed';

/** A request as RPC shows it: everything but the code. */
export interface PairingRequestView {
  requestId: string;
  channel: ChannelId;
  channelLabel: string;
  accountId: string;
  senderId: string;
  senderLabel: string;
  metadata?: Record<string, string>;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** `@username`, else the first/last name, else a channel name or tag, else the id. */
export function senderLabelOf(r: PairingRequest): string {
  const m = r.meta;
  if (m.username) return m.username.startsWith('@') ? m.username : `@${m.username}`;
  const full = [m.firstName, m.lastName].filter(Boolean).join(' ');
  return full || m.name || m.tag || r.id;
}

export function pairingRequestView(r: PairingRequest): PairingRequestView {
  const { accountId: _account, ...metadata } = r.meta;
  const createdAt = requestCreatedAtMs(r);
  return {
    requestId: requestIdOf(r),
    channel: r.channel,
    channelLabel: CHANNEL_LABELS[r.channel],
    accountId: r.accountId,
    senderId: r.id,
    senderLabel: senderLabelOf(r),
    ...(Object.keys(metadata).length ? { metadata } : {}),
    createdAt,
    lastSeenAt: Date.parse(r.lastSeenAt),
    expiresAt: pairingExpiresAt(createdAt),
  };
}

/** The `channel.pairing.requested` payload the ingress layer broadcasts when a request is created (no code). */
export function pairingRequestedEvent(r: PairingRequest): PairingRequestView & { ts: number } {
  return { ...pairingRequestView(r), ts: Date.now() };
}

const channel = z.enum(CHANNEL_IDS);
const accountId = z.string().trim().min(1).max(128);
const requestId = z.string().min(1).max(128);

export function pairingMethods(deps: PairingMethodDeps): MethodDef[] {
  const pairingAccounts = (filter: { channel?: ChannelId; accountId?: string } = {}) =>
    deps.accounts().filter((a) => a.dmPolicy === 'pairing' && (!filter.channel || a.channel === filter.channel) && (!filter.accountId || a.accountId === filter.accountId));
  const notifySupported = (_channel: ChannelId) => deps.channels !== undefined;
  const gone = (): never => {
    throw new MethodError('INVALID_REQUEST', 'pending DM access request no longer exists');
  };
  /** The live request with this requestId, on a pairing account. */
  const findRequest = (p: { channel: ChannelId; accountId?: string; requestId: string }): PairingRequest => {
    const r = deps.store.findByRequestId(p.channel, p.requestId, p.accountId) ?? gone();
    if (!pairingAccounts({ channel: r.channel, accountId: r.accountId }).length) gone();
    return r;
  };
  const resolved = (r: PairingRequest, decision: 'approved' | 'dismissed') =>
    deps.broadcast('channel.pairing.resolved', { requestId: requestIdOf(r), channel: r.channel, accountId: r.accountId, senderId: r.id, decision, ts: Date.now() });

  return [
    {
      name: 'channels.pairing.list',
      scope: 'operator.pairing',
      params: z.object({ channel: channel.optional(), accountId: accountId.optional() }),
      handler: ({ params }) => {
        const accounts = pairingAccounts(params);
        const listed = new Set(accounts.map((a) => `${a.channel}:${a.accountId}`));
        const requests = deps.store
          .listRequests({ channel: params.channel, accountId: params.accountId })
          .filter((r) => listed.has(`${r.channel}:${r.accountId}`))
          .map((r) => ({ ...pairingRequestView(r), notifySupported: notifySupported(r.channel) }));
        return {
          accounts: accounts.map((a) => ({
            channel: a.channel,
            channelLabel: CHANNEL_LABELS[a.channel],
            accountId: a.accountId,
            ...(a.name ? { accountLabel: a.name } : {}),
            notifySupported: notifySupported(a.channel),
          })),
          requests,
          commandOwnerConfigured: commandOwnerConfigured(deps.configPath),
          limits: { pendingPerAccount: CHANNEL_PAIRING_PENDING_MAX, ttlMs: CHANNEL_PAIRING_PENDING_TTL_MS },
        };
      },
    },
    {
      name: 'channels.pairing.approve',
      scope: 'operator.pairing',
      params: z.object({ channel, accountId: accountId.optional(), requestId, notify: z.boolean().optional(), bootstrapCommandOwner: z.boolean().optional() }),
      handler: async ({ params, caller, log }) => {
        // Making someone the command owner is an admin decision; refuse before changing anything.
        if (params.bootstrapCommandOwner && !scopeSatisfies(caller.scopes, 'operator.admin')) {
          const e = rejectionError('MISSING_SCOPE', { scope: 'operator.admin', deviceId: caller.deviceId }, { missingScope: 'operator.admin', requiredScopes: ['operator.admin'] });
          throw new MethodError(e.code, e.message, e.details, e.retryAfterMs);
        }
        const r = findRequest(params);
        const approved = deps.store.approveRequest(r.channel, r.accountId, r.id, requestIdOf(r)) ?? gone();
        resolved(approved.request, 'approved');

        let commandOwnerBootstrap: CommandOwnerBootstrap = 'not-requested';
        if (params.bootstrapCommandOwner) {
          try {
            commandOwnerBootstrap = bootstrapCommandOwner(deps.configPath, r.channel, r.id).status;
          } catch (err) {
            log.warn(`channels.pairing.approve: could not set commands.ownerAllowFrom: ${(err as Error).message}`);
            commandOwnerBootstrap = 'failed';
          }
        }

        let notification: PairingNotification = 'not-requested';
        if (params.notify) {
          if (!deps.channels || !notifySupported(r.channel)) notification = 'unsupported';
          else {
            try {
              const outcome = await deps.channels.sendText({ channel: r.channel, accountId: r.accountId, to: r.id, text: PAIRING_APPROVED_TEXT }, deps.notifyTimeoutMs ?? 10_000);
              notification = outcome.ok || outcome.queued ? 'sent' : 'failed';
              if (notification === 'failed') log.warn(`channels.pairing.approve: could not notify ${r.channel} sender ${r.id}: ${outcome.error ?? 'send failed'}`);
            } catch (err) {
              log.warn(`channels.pairing.approve: could not notify ${r.channel} sender ${r.id}: ${(err as Error).message}`);
              notification = 'failed';
            }
          }
        }
        return { requestId: requestIdOf(approved.request), senderId: approved.senderId, notification, commandOwnerBootstrap };
      },
    },
    {
      name: 'channels.pairing.dismiss',
      scope: 'operator.pairing',
      params: z.object({ channel, accountId: accountId.optional(), requestId }),
      handler: ({ params }) => {
        const r = findRequest(params);
        if (!deps.store.dismiss(r.channel, r.accountId, r.id, requestIdOf(r))) gone();
        resolved(r, 'dismissed');
        return { requestId: params.requestId, dismissed: true };
      },
    },
  ];
}

