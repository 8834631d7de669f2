// Single-use dashboard bootstrap codes (`dashboard.bootstrap.create`): a code lets one browser pair
// itself without typing the gateway token. Kept in <state>/devices/bootstrap.json (0600), 10 min TTL.
import path from 'node:path';
import { generateToken, safeEqualSecret } from '../../auth/secrets.js';
import { readJsonFileSync, writeJsonAtomicSync } from '../../infra/atomic-file.js';

export const BOOTSTRAP_CODE_TTL_MS = 10 * 60_000;

interface StoredCode {
  code: string;
  createdAtMs: number;
  expiresAtMs: number;
}

interface BootstrapFile {
  version: 1;
  codes: StoredCode[];
}

export class BootstrapCodes {
  private readonly file: string;

  constructor(
    stateDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(stateDir, 'devices', 'bootstrap.json');
  }

  create(): { code: string; expiresAtMs: number } {
    const t = this.now();
    const entry: StoredCode = { code: generateToken(24), createdAtMs: t, expiresAtMs: t + BOOTSTRAP_CODE_TTL_MS };
    this.save([...this.live(t), entry]);
    return { code: entry.code, expiresAtMs: entry.expiresAtMs };
  }

  /** True once per valid code: a consumed or expired code never works again. */
  consume(code: string): boolean {
    const t = this.now();
    const codes = this.live(t);
    const match = codes.find((c) => safeEqualSecret(c.code, code));
    if (!match) {
      if (codes.length !== this.load().codes.length) this.save(codes);
      return false;
    }
    this.save(codes.filter((c) => c !== match));
    return true;
  }

  private live(t: number): StoredCode[] {
    return this.load().codes.filter((c) => c.expiresAtMs > t);
  }

  private load(): BootstrapFile {
    try {
      const f = readJsonFileSync<BootstrapFile>(this.file, { version: 1, codes: [] });
      return Array.isArray(f.codes) ? f : { version: 1, codes: [] };
    } catch {
      return { version: 1, codes: [] }; // a corrupt file only loses unused codes
    }
  }

  private save(codes: StoredCode[]): void {
    writeJsonAtomicSync(this.file, { version: 1, codes } satisfies BootstrapFile, { mode: 0o600 });
  }
}
