// The connect pipeline (reference §3.4), in its error-precedence order: params, protocol, role,
// origin, secure context, shared secret (rate-limited), device-less decision, device proof,
// device/bootstrap token, pairing, device token issue. Synchronous: every store it touches is a
// small local file, and running it in one tick keeps admission atomic with broadcasts.
import type { IncomingHttpHeaders } from 'node:http';
import type { ResolvedGatewaySettings } from '../../config/types.js';
import type { Logger } from '../../logging/types.js';
import { checkBrowserOrigin, normalizeOrigin } from '../../auth/origin.js';
import { hasProxyHeaders, isLoopbackAddress, isLoopbackHost, isPrivateOrLoopbackAddress, isPrivateOrLoopbackHost, untrustedProxyHeaderNotifier, UNTRUSTED_PROXY_HEADERS_WARNING } from '../../auth/client-ip.js';
import { verifyDeviceProof } from '../../auth/device-proof.js';
import type { DeviceTokenRecord, PairedDevice, PairingStore } from '../../auth/pairing-store.js';
import { ConnectParamsSchema, formatIssues, type ConnectParams } from '../../protocol/frames.js';
import { BROWSER_UI_CLIENT_IDS, MIN_NODE_PROTOCOL_VERSION, MIN_PROBE_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../protocol/constants.js';
import { signedBearer } from '../../protocol/device-auth.js';
import { scopeSatisfies } from '../../protocol/scopes.js';
import { Rejections, type Rejection, type RejectionContext, type RejectionId } from '../../protocol/errors.js';
import { evaluateSharedAuth, type SharedAuthMethod, type SharedAuthResult } from './shared-auth.js';
import type { AuthLimiters, CredentialClass } from './auth-limiters.js';
import type { BootstrapCodes } from './bootstrap-codes.js';

/** What the transport knows about the peer before any frame. */
export interface PeerInfo {
  /** TCP peer address (the proxy when behind one). */
  remoteAddress: string | undefined;
  /** Client IP after trusted-proxy resolution (undefined: unattributable). */
  clientIp: string | undefined;
  /** isLocalDirectRequest(): loopback, local Host, no untrusted proxy headers. */
  isLocal: boolean;
  origin: string | undefined;
  host: string | undefined;
  headers: IncomingHttpHeaders;
}

export type AuthMethod = SharedAuthMethod | 'device-token' | 'bootstrap';

export interface Session {
  params: ConnectParams;
  protocol: number;
  role: string;
  scopes: string[];
  deviceId?: string;
  authMethod: AuthMethod;
  /** The device token this connection holds (issued or presented). */
  deviceToken?: DeviceTokenRecord;
  /** The client asked for resume (caps includes "resume"). */
  wantsResume: boolean;
}

export interface Rejected {
  ok: false;
  rejection: RejectionId;
  ctx: RejectionContext;
  extraDetails?: Record<string, unknown>;
  /** Hold the answer this long (a wrong guess from a source that is slowed down, not locked out). */
  delayMs?: number;
}

export type HandshakeOutcome = { ok: true; session: Session } | Rejected;

export interface HandshakeDeps {
  settings: ResolvedGatewaySettings;
  pairing: PairingStore;
  bootstrap: BootstrapCodes;
  limiters: AuthLimiters;
  /** Caps silent (auto-approved) pairings per minute; without it there is no cap. */
  silentPairingBudget?: SilentPairingBudget;
  now(): number;
  /** device.pair.requested / device.pair.resolved. */
  broadcast(event: string, payload: unknown): void;
  /** Where the untrusted-proxy-headers warning goes (doctor scans the log for it). */
  log?: Logger;
}

const reject = (rejection: RejectionId, ctx: RejectionContext = {}, extraDetails?: Record<string, unknown>): Rejected => ({
  ok: false,
  rejection,
  ctx,
  extraDetails,
});

/** The protocol both sides speak, or null. Nodes and probes may still speak v3. */
export function negotiateProtocol(p: Pick<ConnectParams, 'minProtocol' | 'maxProtocol' | 'role' | 'client'>): number | null {
  if (p.minProtocol <= PROTOCOL_VERSION && p.maxProtocol >= PROTOCOL_VERSION) return PROTOCOL_VERSION;
  const mode = p.client.mode.toLowerCase();
  const isNode = (p.role ?? 'operator') === 'node' && mode === 'node';
  const isProbe = mode === 'probe';
  const floor = isNode ? MIN_NODE_PROTOCOL_VERSION : isProbe ? MIN_PROBE_PROTOCOL_VERSION : PROTOCOL_VERSION;
  const best = Math.min(p.maxProtocol, PROTOCOL_VERSION);
  return best >= floor && best >= p.minProtocol ? best : null;
}

/** Every requested scope is covered by the approved ones. */
export function scopesCovered(approved: readonly string[], requested: readonly string[]): boolean {
  return requested.every((s) => scopeSatisfies(approved, s));
}

function isLoopbackOrigin(origin: string | undefined): boolean {
  const url = normalizeOrigin(origin);
  if (!url) return false;
  const h = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || isLoopbackAddress(h);
}

/** Once per peer per minute, process-wide (one gateway per process). */
const shouldWarnUntrustedProxyHeaders = untrustedProxyHeaderNotifier();

/** Why a paired device needs approval again, or null when it is covered. */
export type PairingReason = 'not-paired' | 'role-upgrade' | 'scope-upgrade' | 'metadata-upgrade';

/** The message variant a pairing rejection carries (reference §12). */
const PAIRING_DETAIL: Record<PairingReason, string | undefined> = {
  'not-paired': undefined,
  'role-upgrade': 'device is asking for a higher role than currently approved',
  'scope-upgrade': 'device is asking for more scopes than currently approved',
  'metadata-upgrade': 'device identity changed and must be re-approved',
};

/** A claimed platform/deviceFamily differs from the one approved (both known). */
function metadataChanged(paired: PairedDevice, claim: { platform?: string; deviceFamily?: string }): boolean {
  const differs = (stored: string | undefined, claimed: string | undefined) =>
    stored !== undefined && claimed !== undefined && stored.trim().toLowerCase() !== claimed.trim().toLowerCase();
  return differs(paired.platform, claim.platform) || differs(paired.deviceFamily, claim.deviceFamily);
}

export function pairingReason(paired: PairedDevice | undefined, role: string, scopes: readonly string[], claim: { platform?: string; deviceFamily?: string }): PairingReason | null {
  if (!paired) return 'not-paired';
  if (!paired.roles.includes(role)) return 'role-upgrade';
  if (!scopesCovered(paired.scopes, scopes)) return 'scope-upgrade';
  if (metadataChanged(paired, claim)) return 'metadata-upgrade';
  return null;
}

export function authorizeConnect(raw: unknown, challengeNonce: string, peer: PeerInfo, deps: HandshakeDeps): HandshakeOutcome {
  if (deps.log && shouldWarnUntrustedProxyHeaders({ remoteAddress: peer.remoteAddress, headers: peer.headers, trustedProxies: deps.settings.trustedProxies })) {
    deps.log.warn(`${UNTRUSTED_PROXY_HEADERS_WARNING}: ignoring forwarding headers (add the proxy to gateway.trustedProxies if it is yours)`, { peer: peer.remoteAddress ?? 'unknown' });
  }
  const parsed = ConnectParamsSchema.safeParse(raw);
  if (!parsed.success) return reject('INVALID_CONNECT_PARAMS', { detail: formatIssues(parsed.error) });
  const params = parsed.data;
  const { settings } = deps;

  const protocol = negotiateProtocol(params);
  if (protocol === null) return reject('PROTOCOL_MISMATCH', { expectedProtocol: PROTOCOL_VERSION }, { expectedProtocol: PROTOCOL_VERSION });

  const role = params.role ?? 'operator';
  if (role !== 'operator' && role !== 'node') return reject('INVALID_ROLE');
  const requestedScopes = role === 'operator' ? [...new Set(params.scopes ?? [])] : [];
  const clientId = params.client.id;
  // Ids and modes match case-insensitively but stay as sent: the device signature covers them.
  const isBrowserUi = BROWSER_UI_CLIENT_IDS.has(clientId.toLowerCase());

  if (peer.origin !== undefined || isBrowserUi) {
    const check = checkBrowserOrigin({
      origin: peer.origin,
      host: peer.host,
      allowedOrigins: settings.controlUi.allowedOrigins,
      allowHostHeaderFallback: settings.controlUi.dangerouslyAllowHostHeaderOriginFallback,
      isLocal: peer.isLocal,
    });
    if (!check.ok) return reject('CONTROL_UI_ORIGIN_NOT_ALLOWED', { origin: peer.origin }, { reason: check.reason });
  }

  // Browsers give a page no WebCrypto on plain HTTP away from localhost: no device identity there.
  const insecureBrowser = isBrowserUi && !params.device && normalizeOrigin(peer.origin)?.protocol === 'http:' && !isLoopbackOrigin(peer.origin);
  if (insecureBrowser && !settings.controlUi.allowInsecureAuth) return reject('CONTROL_UI_DEVICE_IDENTITY_REQUIRED', { port: settings.port });

  const source = (cls: CredentialClass) => ({ clientIp: peer.clientIp, origin: peer.origin, cls });
  const limited = (cls: CredentialClass): Rejected | null => {
    const d = deps.limiters.check(source(cls));
    if (!d.allowed) return reject('AUTH_RATE_LIMITED', { retryAfterMs: d.retryAfterMs }, { canRetryWithDeviceToken: false });
    return null;
  };
  const fail = (cls: CredentialClass, r: Rejected): Rejected => {
    const delayMs = deps.limiters.recordFailure(source(cls));
    return delayMs > 0 ? { ...r, delayMs } : r;
  };
  const succeed = (cls: CredentialClass) => deps.limiters.reset(source(cls));

  const presentsShared = Boolean(params.auth?.token || params.auth?.password);
  if (presentsShared) {
    const locked = limited('shared');
    if (locked) return locked;
  }
  const shared: SharedAuthResult = evaluateSharedAuth({
    auth: settings.auth,
    trustedProxies: settings.trustedProxies,
    presented: params.auth,
    clientId,
    clientMode: params.client.mode,
    peerAddress: peer.remoteAddress,
    headers: peer.headers,
  });
  /**
   * The shared-secret failure as the final answer (a wrong guess counts against the limit). A
   * device that sent a wrong auth.token (and nothing else) may hold a device token to retry with.
   */
  const sharedRejection = (f: Exclude<SharedAuthResult, { kind: 'ok' }>): Rejected => {
    const canRetryWithDeviceToken =
      f.rejection === 'AUTH_TOKEN_MISMATCH' && Boolean(params.device) && Boolean(params.auth?.token) && !params.auth?.password && !params.auth?.deviceToken;
    const r = reject(f.rejection, f.ctx, { canRetryWithDeviceToken, ...(canRetryWithDeviceToken ? { recommendedNextStep: 'retry_with_device_token' } : {}) });
    return f.kind === 'failed' && f.counts ? fail('shared', r) : r;
  };
  if (shared.kind === 'ok' && presentsShared) succeed('shared');

  const base = { params, protocol, role, wantsResume: (params.caps ?? []).includes('resume') };

  // ---- no device identity -------------------------------------------------------------------
  if (!params.device) {
    // Nothing presented at all: the missing identity is the problem (reference §3.4 step 6). A
    // Control UI allowed on plain HTTP is asked for its token instead: it cannot have a device.
    if (shared.kind === 'absent' && !insecureBrowser) return reject('DEVICE_IDENTITY_REQUIRED');
    if (shared.kind !== 'ok') return sharedRejection(shared);
    if (role !== 'operator') return reject('DEVICE_IDENTITY_REQUIRED');
    const where = pairingLocality(peer, params, shared.method);
    return { ok: true, session: { ...base, scopes: devicelessScopes(requestedScopes, shared.method, isBrowserUi, insecureBrowser, peer, where, params, settings), authMethod: shared.method } };
  }

  // ---- device proof -------------------------------------------------------------------------
  const proof = verifyDeviceProof({
    device: params.device,
    challengeNonce,
    now: deps.now(),
    clientId,
    clientMode: params.client.mode,
    role,
    scopes: params.scopes ?? [],
    signedToken: signedBearer(params.auth),
    platform: params.client.platform,
    deviceFamily: params.client.deviceFamily,
  });
  if (!proof.ok) return reject(proof.rejection, {}, { reason: (Rejections[proof.rejection] as Rejection).authReason });
  const deviceId = proof.deviceId;

  // ---- device token (explicit, or a non-shared auth.token) ----------------------------------
  const explicitDeviceToken = params.auth?.deviceToken;
  const deviceTokenCandidate = explicitDeviceToken ?? (shared.kind === 'failed' && shared.rejection === 'AUTH_TOKEN_MISMATCH' ? params.auth?.token : undefined);
  if (shared.kind !== 'ok' && deviceTokenCandidate) {
    const locked = limited('device-token');
    if (locked) return locked;
    const v = deps.pairing.verifyDeviceToken(deviceId, role, deviceTokenCandidate, requestedScopes);
    if (v.ok) {
      succeed('device-token');
      touchThrottled(deps, deviceId);
      return { ok: true, session: { ...base, scopes: requestedScopes, deviceId, authMethod: 'device-token', deviceToken: v.record } };
    }
    // scope-mismatch means the token itself was right (it just covers less).
    if (v.reason === 'scope-mismatch') return reject('AUTH_SCOPE_MISMATCH', { deviceId, scope: requestedScopes.join(' ') }, { canRetryWithDeviceToken: false });
    // An auth.token that is not this device's token is a wrong gateway token, paired or not.
    if (!explicitDeviceToken) return sharedRejection(shared);
    return fail('device-token', reject('AUTH_DEVICE_TOKEN_MISMATCH', { deviceId }, { canRetryWithDeviceToken: false }));
  }

  // ---- bootstrap code (dashboard sign-in) ---------------------------------------------------
  if (shared.kind !== 'ok' && params.auth?.bootstrapToken) {
    const locked = limited('bootstrap');
    if (locked) return locked;
    if (!deps.bootstrap.consume(params.auth.bootstrapToken)) return fail('bootstrap', reject('AUTH_BOOTSTRAP_TOKEN_INVALID', {}, { canRetryWithDeviceToken: false }));
    succeed('bootstrap');
    const { request } = deps.pairing.requestPairing(pairingRequest(params, deviceId, proof.publicKey, role, requestedScopes, peer, true, false));
    deps.pairing.approve(request.requestId, 'bootstrap');
    deps.broadcast('device.pair.resolved', { requestId: request.requestId, deviceId, decision: 'approved', ts: deps.now() });
    return issue({ ...base, scopes: requestedScopes, deviceId, authMethod: 'bootstrap' }, deps);
  }

  if (shared.kind !== 'ok') return sharedRejection(shared);

  // ---- pairing ------------------------------------------------------------------------------
  const paired = deps.pairing.getPaired(deviceId);
  const reason = pairingReason(paired, role, requestedScopes, params.client);
  if (reason) {
    const silent = silentPairing({
      reason,
      method: shared.method,
      locality: pairingLocality(peer, params, shared.method),
      hasOrigin: peer.origin !== undefined,
      isBrowserUi,
      isNativeAppUi: isNativeAppUi(params.client),
      autoApproveLocal: settings.nodes.pairing.autoApproveLocal,
    });
    const { request, created } = deps.pairing.requestPairing(pairingRequest(params, deviceId, proof.publicKey, role, requestedScopes, peer, silent, Boolean(paired)));
    // Only new devices grow the pairing state; upgrades of paired ones are not capped.
    const allowed = silent && (reason !== 'not-paired' || (deps.silentPairingBudget?.take(deps.now()) ?? true));
    if (silent && !allowed && created) {
      deps.log?.warn(
        `silent pairing paused: more than ${SILENT_PAIRINGS_PER_MINUTE} devices were auto-approved in the last minute; device ${deviceId} waits for approval: openclaw devices approve ${request.requestId}`,
        { code: 'SILENT_PAIRING_LIMIT' },
      );
    }
    if (allowed) {
      deps.pairing.approve(request.requestId, 'silent');
      deps.broadcast('device.pair.resolved', { requestId: request.requestId, deviceId, decision: 'approved', ts: deps.now() });
    } else {
      if (created) deps.broadcast('device.pair.requested', request);
      return reject(
        'PAIRING_REQUIRED',
        { requestId: request.requestId, deviceId, detail: PAIRING_DETAIL[reason] },
        {
          requestId: request.requestId,
          reason,
          deviceId,
          requestedRole: role,
          requestedScopes,
          ...(paired ? { approvedRoles: paired.roles, approvedScopes: paired.scopes } : {}),
          remediationHint: Rejections.PAIRING_REQUIRED.fix({ requestId: request.requestId }),
          retryable: true,
          pauseReconnect: false,
        },
      );
    }
  }
  return issue({ ...base, scopes: requestedScopes, deviceId, authMethod: shared.method }, deps);
}

/** Silent (auto-approved) pairings of new devices allowed per rolling minute; beyond it requests wait for an operator. */
export const SILENT_PAIRINGS_PER_MINUTE = 20;

/** A rolling one-minute window of silent approvals. */
export class SilentPairingBudget {
  private stamps: number[] = [];
  constructor(private readonly perMinute = SILENT_PAIRINGS_PER_MINUTE) {}

  /** Spends one approval at `now`, or returns false when the last minute already had `perMinute`. */
  take(now: number): boolean {
    while (this.stamps.length > 0 && now - this.stamps[0] >= 60_000) this.stamps.shift();
    if (this.stamps.length >= this.perMinute) return false;
    this.stamps.push(now);
    return true;
  }
}

/** Mints (or reuses) the device token for an approved device and records the visit. */
function issue(session: Session, deps: HandshakeDeps): HandshakeOutcome {
  const deviceId = session.deviceId!;
  const record = deps.pairing.ensureDeviceToken(deviceId, session.role, session.scopes);
  touchThrottled(deps, deviceId);
  return { ok: true, session: { ...session, deviceToken: record } };
}

/** "Last seen" is for humans: refreshing it once a minute spares a locked, fsynced write per connect. */
const TOUCH_INTERVAL_MS = 60_000;
function touchThrottled(deps: HandshakeDeps, deviceId: string): void {
  const seen = deps.pairing.getPaired(deviceId)?.lastSeenAtMs;
  if (seen === undefined || deps.now() - seen > TOUCH_INTERVAL_MS) deps.pairing.touch(deviceId, 'connect');
}

/**
 * Where a connection comes from, for the pairing and scope decisions (reference §3.4): this
 * machine directly; a browser or shared-secret client reaching a container's gateway over its
 * loopback/bridge address (no proxy headers, local Host); or anywhere else.
 */
export type PairingLocality = 'direct_local' | 'browser_container_local' | 'cli_container_local' | 'shared_secret_loopback_local' | 'remote';

const isCliCli = (c: ConnectParams['client']) => c.id.toLowerCase() === 'cli' && c.mode.toLowerCase() === 'cli';
const isSharedSecret = (m: SharedAuthMethod) => m === 'token' || m === 'password';
const NATIVE_APP_IDS = new Set(['openclaw-macos', 'openclaw-linux', 'openclaw-ios', 'openclaw-android']);
function isNativeAppUi(c: ConnectParams['client']): boolean {
  return c.mode.toLowerCase() === 'ui' && NATIVE_APP_IDS.has(c.id.toLowerCase());
}
function originHost(origin: string | undefined): string | undefined {
  return normalizeOrigin(origin)?.host;
}

/** `method` is the shared-secret method that succeeded (the caller only asks after success). */
export function pairingLocality(peer: PeerInfo, params: ConnectParams, method: SharedAuthMethod): PairingLocality {
  if (peer.isLocal) return 'direct_local';
  if (!isSharedSecret(method) || hasProxyHeaders(peer.headers)) return 'remote';
  const c = params.client;
  if (peer.origin !== undefined) {
    const controlUi = c.id.toLowerCase() === 'openclaw-control-ui' && c.mode.toLowerCase() === 'webchat';
    return controlUi && isPrivateOrLoopbackAddress(peer.remoteAddress) && isLoopbackHost(peer.host) && isLoopbackHost(originHost(peer.origin)) ? 'browser_container_local' : 'remote';
  }
  if (isLoopbackAddress(peer.remoteAddress) && isPrivateOrLoopbackHost(peer.host)) return isCliCli(c) ? 'cli_container_local' : 'shared_secret_loopback_local';
  return 'remote';
}

export interface SilentPairingInput {
  reason: PairingReason;
  method: SharedAuthMethod;
  locality: PairingLocality;
  hasOrigin: boolean;
  isBrowserUi: boolean;
  isNativeAppUi: boolean;
  autoApproveLocal: boolean;
}

/**
 * Silent local pairing (reference §6.3, upstream shouldAllowSilentLocalPairing): never for a
 * remote peer or a non-UI page with an Origin; a metadata change only for local clients without a
 * browser (native app, or a shared-secret loopback client); everything else only while
 * gateway.nodes.pairing.autoApproveLocal is on, and a scope upgrade only with local-grade
 * credentials. With it off, the owner's CLI is not locked out: it connects device-less with the
 * shared secret and keeps its scopes (devicelessScopes).
 */
export function silentPairing(i: SilentPairingInput): boolean {
  if (i.locality === 'remote') return false;
  if (i.hasOrigin && !i.isBrowserUi) return false;
  if (i.reason === 'metadata-upgrade') {
    return !i.hasOrigin && !i.isBrowserUi && ((i.locality === 'direct_local' && i.isNativeAppUi) || i.locality === 'cli_container_local' || i.locality === 'shared_secret_loopback_local');
  }
  if (!i.autoApproveLocal) return false;
  if (i.reason === 'scope-upgrade') return i.method === 'none' || i.method === 'token' || i.method === 'password';
  return true;
}

function pairingRequest(params: ConnectParams, deviceId: string, publicKey: string, role: string, scopes: string[], peer: PeerInfo, silent: boolean, isRepair: boolean) {
  return {
    deviceId,
    publicKey,
    displayName: params.client.displayName,
    platform: params.client.platform,
    deviceFamily: params.client.deviceFamily,
    clientId: params.client.id,
    clientMode: params.client.mode,
    role,
    scopes,
    remoteIp: peer.clientIp,
    silent,
    isRepair,
  };
}

/**
 * A device-less shared-secret connection gets no scopes (default deny), except: the internal
 * local backend self-connect, the owner's CLI (cli/cli) on this machine or its container with a
 * shared token or password and no Origin, a Control UI allowed on plain HTTP by
 * allowInsecureAuth, and a trusted-proxy operator (which keeps all but admin until it pairs).
 */
function devicelessScopes(
  requested: string[],
  method: SharedAuthMethod,
  isBrowserUi: boolean,
  insecureBrowser: boolean,
  peer: PeerInfo,
  locality: PairingLocality,
  params: ConnectParams,
  settings: ResolvedGatewaySettings,
): string[] {
  if (isCliCli(params.client) && (locality === 'direct_local' || locality === 'cli_container_local') && peer.origin === undefined && isSharedSecret(method)) return requested;
  if (method === 'trusted-proxy') return requested.filter((s) => s !== 'operator.admin');
  // The internal self-connect: local, backend, and never a browser.
  if (params.client.id.toLowerCase() === 'gateway-client' && params.client.mode.toLowerCase() === 'backend' && peer.isLocal && peer.origin === undefined) return requested;
  if (isBrowserUi && settings.controlUi.allowInsecureAuth && (insecureBrowser || peer.isLocal)) return requested;
  return [];
}
