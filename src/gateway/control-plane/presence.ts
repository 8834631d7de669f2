// Who is connected, one row per device (or instance, or connection), with the monotonic
// stateVersion counters that ride on presence/health events and in hello-ok.snapshot.

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

export class Presence {
  /** key → (connId → entry); a device with two sockets is one row until both close. */
  private readonly rows = new Map<string, Map<string, PresenceEntry>>();
  version = { presence: 0, health: 0 };

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
    return out.sort((a, b) => a.ts - b.ts);
  }

  stateVersion(): { presence: number; health: number } {
    return { ...this.version };
  }
}
