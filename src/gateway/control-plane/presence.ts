// Who is connected, one row per device (or instance, or connection), with the monotonic
// stateVersion counters that ride on presence/health events and in hello-ok.snapshot.
import os from 'node:os';

export interface PresenceEntry {
  host?: string;
  ip?: string;
  version?: string;
  platform?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  mode?: string;
  reason?: string;
  text?: string;
  ts: number;
  deviceId?: string;
  roles?: string[];
  scopes?: string[];
  instanceId?: string;
}

/** The gateway's own row (upstream lists itself first: mode "gateway", reason "self"). */
export function selfPresence(version: string, startedAt: number): PresenceEntry {
  const host = os.hostname();
  const ip = primaryIPv4();
  const platform = `${os.platform()} ${os.release()}`;
  const family: Record<string, string> = { darwin: 'Mac', win32: 'Windows', linux: 'Linux' };
  return {
    host,
    ...(ip ? { ip } : {}),
    version,
    platform,
    deviceFamily: family[os.platform()] ?? os.platform(),
    mode: 'gateway',
    reason: 'self',
    instanceId: `gateway-${host}`,
    text: `Gateway: ${host}${ip ? ` (${ip})` : ''} · app ${version} · mode gateway · reason self`,
    ts: startedAt,
  };
}

function primaryIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

export class Presence {
  /** key → (connId → entry); a device with two sockets is one row until both close. */
  private readonly rows = new Map<string, Map<string, PresenceEntry>>();
  version = { presence: 0, health: 0 };

  constructor(private readonly self?: PresenceEntry) {}

  upsert(key: string, connId: string, entry: PresenceEntry): void {
    let conns = this.rows.get(key);
    if (!conns) this.rows.set(key, (conns = new Map()));
    conns.set(connId, entry);
    this.version.presence++;
  }

  /** Returns true when the list changed. */
  remove(key: string, connId: string): boolean {
    const conns = this.rows.get(key);
    if (!conns?.delete(connId)) return false;
    if (conns.size === 0) this.rows.delete(key);
    this.version.presence++;
    return true;
  }

  bumpHealth(): void {
    this.version.health++;
  }

  list(): PresenceEntry[] {
    const out: PresenceEntry[] = [];
    for (const conns of this.rows.values()) {
      let latest: PresenceEntry | undefined;
      for (const e of conns.values()) if (!latest || e.ts >= latest.ts) latest = e;
      if (latest) out.push(latest);
    }
    out.sort((a, b) => a.ts - b.ts);
    return this.self ? [this.self, ...out] : out;
  }

  /** Rows of connected clients (the gateway's own row not counted). */
  clientCount(): number {
    return this.rows.size;
  }

  stateVersion(): { presence: number; health: number } {
    return { ...this.version };
  }
}
