// GatewayClient: one logical connection to a gateway over protocol v4. Signs connect.challenge
// with this machine's device identity, keeps the device token the gateway issues, reconnects
// with exponential backoff and jitter (paused on failures retrying cannot fix), resumes the event
// stream without loss (caps:["resume"]) and retries in-flight requests that carry an idempotency key.
// The protocol itself lives in core/protocol-client.ts (shared with the Control UI); this file
// adds what is Node's: the `ws` transport, the identity and token files, os and process facts.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { readPackageVersion } from '../cli/version.js';
import { parseFrame } from '../protocol/frames.js';
import { isLoopbackAddress } from '../auth/client-ip.js';
import { DeviceTokenStore, loadOrCreateDeviceIdentity, type DeviceIdentity } from './identity.js';
import { ProtocolClient, type ConnectionState, type CoreOptions, type ConnectionStateName, type FrameParser, type HelloOk, type RequestOptions, type ResumeState } from './core/protocol-client.js';
import type { TransportFactory } from './core/transport.js';
import { wsTransport } from './ws-transport.js';

export type { ConnectionState, ConnectionStateName, HelloOk, RequestOptions, ResumeState } from './core/protocol-client.js';

/** The core's options minus what this file supplies (platform facts, identity and token files, `ws`). */
export interface GatewayClientOptions extends Omit<CoreOptions, 'clientVersion' | 'platform' | 'userAgent' | 'identity' | 'tokens' | 'transport' | 'parseFrame' | 'isLoopbackHost' | 'newId'> {
  stateDir: string;
  /** Default: this package's version. */
  clientVersion?: string;
  /** Default: process.platform. */
  platform?: string;
  /** Default: os.hostname(). */
  displayName?: string;
  /** null: connect without a device identity (shared secret only). Default: <state>/identity. */
  identity?: DeviceIdentity | null;
  /** Default: the `ws` package (tests pass an in-memory one). */
  transport?: TransportFactory;
}

export interface GatewayClientEvents {
  event: [name: string, payload: unknown, seq: number | undefined];
  state: [ConnectionState];
  hello: [HelloOk];
}

export class GatewayClient extends EventEmitter<GatewayClientEvents> {
  readonly url: string;
  private readonly core: ProtocolClient;

  constructor(opts: GatewayClientOptions) {
    super();
    this.url = opts.url;
    const identity = opts.identity === undefined ? loadOrCreateDeviceIdentity(opts.stateDir) : opts.identity;
    const version = opts.clientVersion ?? readPackageVersion();
    this.core = new ProtocolClient(
      {
        ...opts,
        clientVersion: version,
        platform: opts.platform ?? process.platform,
        displayName: opts.displayName ?? os.hostname(),
        userAgent: `openclaw-gateway-client/${version} node/${process.versions.node}`,
        identity,
        tokens: identity ? new DeviceTokenStore(opts.stateDir, identity.deviceId) : null,
        transport: opts.transport ?? wsTransport,
        parseFrame: parseFrame as FrameParser,
        isLoopbackHost: (host) => isLoopbackAddress(host),
      },
      {
        event: (name, payload, seq) => this.emit('event', name, payload, seq),
        state: (s) => this.emit('state', s),
        hello: (h) => this.emit('hello', h),
      },
    );
  }

  /** Where the event stream stands (persist it to resume in another process). */
  get resumeState(): ResumeState | undefined {
    return this.core.resumeState;
  }

  get deviceId(): string | undefined {
    return this.core.deviceId;
  }

  get state(): ConnectionStateName {
    return this.core.state;
  }

  /** The last hello-ok (undefined before the first). */
  get helloOk(): HelloOk | undefined {
    return this.core.helloOk;
  }

  /** Resolves on the next hello-ok; rejects when reconnecting pauses, or at once without `reconnect`. */
  connect(): Promise<HelloOk> {
    return this.core.connect();
  }

  request<T = unknown>(method: string, params?: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.core.request<T>(method, params, opts);
  }

  /** Closes for good: pending requests reject, no reconnect. */
  close(): Promise<void> {
    return this.core.close();
  }
}
