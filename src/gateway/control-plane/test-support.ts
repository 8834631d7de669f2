// Test helpers for the control plane (tests only): a real http.Server whose 'upgrade' goes to
// createControlPlane, hand-built GatewayServices from a real config object, and a small `ws`
// client that records every frame, signs device proofs and waits for closes.
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket, type ClientOptions } from 'ws';
import { makeStateDir, type StateDir } from '../../testing/harness.js';
import { resolveGatewaySettings } from '../../config/resolve.js';
import { PairingStore } from '../../auth/pairing-store.js';
import type { OpenClawConfig } from '../../config/schema.js';
import type { ResolvedGatewaySettings } from '../../config/types.js';
import { silentLogger, type Logger } from '../../logging/types.js';
import { base64UrlEncode, buildDeviceAuthPayloadV3, signedBearer } from '../../protocol/device-auth.js';
import { CLI_DEFAULT_SCOPES } from '../../protocol/scopes.js';
import type { GatewayServices, MethodDef } from '../methods/types.js';
import { createControlPlane, type ControlPlane } from './index.js';

export const TEST_TOKEN = 'cp-test-token-0123456789abcdef012345';

export interface TestGateway {
  url: string;
  port: number;
  cp: ControlPlane;
  services: GatewayServices;
  state: StateDir;
  restarts: string[];
  /** Replace the config (as a user editing openclaw.json would) and hot-reload. */
  reconfigure(config: OpenClawConfig): void;
  close(): Promise<void>;
}

export function configWith(gateway: Record<string, unknown> = {}, token = TEST_TOKEN): OpenClawConfig {
  const auth = { mode: 'token', token, ...((gateway.auth as object) ?? {}) };
  return { gateway: { mode: 'local', ...gateway, auth } } as OpenClawConfig;
}

export async function startTestGateway(
  opts: { config?: OpenClawConfig; state?: StateDir; extraMethods?: MethodDef[]; handshakeTimeoutMs?: number; eventLogMax?: number; log?: Logger } = {},
): Promise<TestGateway> {
  const state = opts.state ?? makeStateDir();
  let settings: ResolvedGatewaySettings = resolveGatewaySettings(opts.config ?? configWith(), state.env);
  const restarts: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  let cp: ControlPlane | undefined;
  const services: GatewayServices = {
    version: '0.0.0-test',
    startedAt: Date.now(),
    stateDir: state.dir,
    configPath: state.configPath,
    log: opts.log ?? silentLogger,
    settings: () => settings,
    broadcast: (event, payload) => cp?.broadcast(event, payload),
    requestRestart: (reason) => restarts.push(reason),
    logFile: `${state.dir}/logs/gateway.log`,
  };
  cp = createControlPlane({ services, extraMethods: opts.extraMethods, handshakeTimeoutMs: opts.handshakeTimeoutMs, eventLogMax: opts.eventLogMax });
  server.on('upgrade', (req, socket, head) => cp!.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  settings = { ...settings, port };
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    cp,
    services,
    state,
    restarts,
    reconfigure(config) {
      settings = { ...resolveGatewaySettings(config, state.env), port };
      cp!.settingsChanged();
    },
    async close() {
      await cp!.shutdown({ code: 1001, reason: 'test over', restartExpectedMs: null });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!opts.state) state.cleanup();
    },
  };
}

// ---- device identity ------------------------------------------------------------------------

export interface TestDevice {
  deviceId: string;
  publicKey: string;
  sign(payload: string): string;
}

export function makeDevice(): TestDevice {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12);
  return {
    deviceId: crypto.createHash('sha256').update(raw).digest('hex'),
    publicKey: base64UrlEncode(raw),
    sign: (payload) => base64UrlEncode(crypto.sign(null, Buffer.from(payload, 'utf8'), privateKey)),
  };
}

/** Pairs a device straight in the store (as `openclaw devices approve` with the gateway down). */
export function pairDevice(stateDir: string, device: TestDevice, scopes: readonly string[] = CLI_DEFAULT_SCOPES, role = 'operator'): string {
  const store = new PairingStore(stateDir);
  const { request } = store.requestPairing({ deviceId: device.deviceId, publicKey: device.publicKey, role, scopes: [...scopes] });
  store.approve(request.requestId, 'test');
  return store.ensureDeviceToken(device.deviceId, role, scopes).token;
}

// ---- client ---------------------------------------------------------------------------------

export interface Frame {
  type: string;
  id?: string;
  ok?: boolean;
  payload?: any;
  error?: { code: string; message: string; details?: any; retryAfterMs?: number; retryable?: boolean };
  event?: string;
  seq?: number;
  stateVersion?: { presence: number; health: number };
}

export interface ConnectOptions {
  token?: string;
  password?: string;
  deviceToken?: string;
  bootstrapToken?: string;
  device?: TestDevice | null;
  role?: string;
  scopes?: readonly string[];
  clientId?: string;
  mode?: string;
  platform?: string;
  caps?: string[];
  resume?: { sessionId: string; lastSeq: number };
  minProtocol?: number;
  maxProtocol?: number;
  /** Tamper with the params after signing. */
  mutate?(params: Record<string, any>): void;
}

export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters = new Set<() => void>();
  private counter = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      try {
        this.frames.push(JSON.parse(String(data)) as Frame);
      } catch {
        this.frames.push({ type: 'unparseable' });
      }
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
  }

  static open(url: string, opts: ClientOptions & { origin?: string } = {}): Promise<TestClient> {
    const ws = new WebSocket(url, opts);
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Waits for the first frame (from `from` on) matching `pred`; rejects if the socket closes first. */
  next(pred: (f: Frame) => boolean, from = 0, timeoutMs = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      let closed = false;
      void this.closed.then(() => {
        closed = true;
        check();
      });
      const check = () => {
        const f = this.frames.slice(from).find(pred);
        if (f) {
          done();
          resolve(f);
        } else if (closed) {
          done();
          reject(new Error(`socket closed before the frame arrived; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for a frame; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async challenge(): Promise<string> {
    const f = await this.next((f) => f.type === 'event' && f.event === 'connect.challenge');
    return f.payload.nonce as string;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends connect and returns its res frame. */
  async connect(o: ConnectOptions = {}): Promise<Frame> {
    const nonce = await this.challenge();
    const params = connectParams(nonce, o);
    const id = `connect-${++this.counter}`;
    this.send({ type: 'req', id, method: 'connect', params });
    return this.next((f) => f.type === 'res' && f.id === id);
  }

  async request(method: string, params?: unknown): Promise<Frame> {
    const id = `req-${++this.counter}`;
    this.send({ type: 'req', id, method, ...(params === undefined ? {} : { params }) });
    return this.next((f) => f.type === 'res' && f.id === id, 0, 10_000);
  }

  events(name: string): Frame[] {
    return this.frames.filter((f) => f.type === 'event' && f.event === name);
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close();
  }
}

export function connectParams(nonce: string, o: ConnectOptions = {}): Record<string, any> {
  const role = o.role ?? 'operator';
  const scopes = o.scopes ?? CLI_DEFAULT_SCOPES;
  const clientId = o.clientId ?? 'cli';
  const mode = o.mode ?? 'cli';
  const platform = o.platform ?? 'linux';
  const auth: Record<string, string> = {};
  if (o.token !== undefined) auth.token = o.token;
  if (o.password !== undefined) auth.password = o.password;
  if (o.deviceToken !== undefined) auth.deviceToken = o.deviceToken;
  if (o.bootstrapToken !== undefined) auth.bootstrapToken = o.bootstrapToken;
  const params: Record<string, any> = {
    minProtocol: o.minProtocol ?? 4,
    maxProtocol: o.maxProtocol ?? 4,
    client: { id: clientId, version: '1.0.0', platform, mode },
    role,
    scopes: [...scopes],
    ...(Object.keys(auth).length ? { auth } : {}),
    ...(o.caps ? { caps: o.caps } : {}),
    ...(o.resume ? { resume: o.resume } : {}),
  };
  if (o.device) {
    const signedAt = Date.now();
    const payload = buildDeviceAuthPayloadV3({
      deviceId: o.device.deviceId,
      clientId,
      clientMode: mode,
      role,
      scopes,
      signedAtMs: signedAt,
      token: signedBearer(auth),
      nonce,
      platform,
    });
    params.device = { id: o.device.deviceId, publicKey: o.device.publicKey, signature: o.device.sign(payload), signedAt, nonce };
  }
  o.mutate?.(params);
  return params;
}

/** Opens a socket and completes the handshake; asserts nothing (callers check the res). */
export async function connectClient(url: string, o: ConnectOptions = {}, wsOpts: ClientOptions & { origin?: string } = {}): Promise<{ client: TestClient; res: Frame }> {
  const client = await TestClient.open(url, wsOpts);
  const res = await client.connect(o);
  return { client, res };
}
