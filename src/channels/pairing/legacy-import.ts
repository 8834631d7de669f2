// One-time import of upstream's legacy pairing files from <state>/credentials/:
//   <channel>-pairing.json                    {version:1, requests:[{id, code, createdAt, lastSeenAt, meta}]}
//   <channel>-allowFrom.json                  {version, allowFrom:[…]}   (account `default`)
//   <channel>-<accountId>-allowFrom.json      {version, allowFrom:[…]}
// Rows are merged into the pairing store without duplicates (expired requests are dropped), then
// each imported file is renamed to <name>.imported (a backup, not a delete), so the import runs
// once. A malformed file is skipped with a warning naming it and left in place; nothing here throws.
import fs from 'node:fs';
import path from 'node:path';
import { normalizeSenderEntry } from '../config.js';
import { CHANNEL_IDS, DEFAULT_ACCOUNT_ID, type ChannelId } from '../types.js';
import type { ChannelPairingStore, ImportInput, PairingRequest } from './store.js';

export interface LegacyImportSummary {
  /** Pending requests added to the store (live, not duplicates, within the cap). */
  requests: number;
  /** Approved senders added to the store. */
  allowEntries: number;
  /** Legacy file names imported (now `<name>.imported`). */
  files: string[];
  /** One sentence per file skipped or problem met; each names the file. */
  warnings: string[];
  credentialsDir: string;
}

export interface LegacyImportOptions {
  now?: number;
  /** Called with each warning as it happens (the gateway logs them). */
  warn?: (message: string) => void;
}

const CHANNEL_ALT = CHANNEL_IDS.join('|');
const PAIRING_FILE = new RegExp(`^(${CHANNEL_ALT})-pairing\\.json$`);
const ALLOW_FILE = new RegExp(`^(${CHANNEL_ALT})-(?:(.+)-)?allowFrom\\.json$`);

type Parsed = { ok: true; input: ImportInput; skippedRows: number; notes: string[] } | { ok: false; problem: string };

export function importLegacyPairing(stateDir: string, store: ChannelPairingStore, opts: LegacyImportOptions = {}): LegacyImportSummary {
  const credentialsDir = path.join(stateDir, 'credentials');
  const summary: LegacyImportSummary = { requests: 0, allowEntries: 0, files: [], warnings: [], credentialsDir };
  const warn = (m: string) => {
    summary.warnings.push(m);
    opts.warn?.(m);
  };
  let names: string[];
  try {
    names = fs.readdirSync(credentialsDir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') warn(`legacy pairing import skipped: cannot list ${credentialsDir} (${code ?? 'error'}); fix: ls -ld ${credentialsDir} (it must be readable by the gateway user)`);
    return summary;
  }
  const merged: ImportInput = { requests: [], allow: [] };
  const accepted: string[] = [];
  for (const name of names) {
    const pairing = PAIRING_FILE.exec(name);
    const allow = pairing ? null : ALLOW_FILE.exec(name);
    if (!pairing && !allow) continue;
    const file = path.join(credentialsDir, name);
    let text: string;
    try {
      if (!fs.statSync(file).isFile()) continue;
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      warn(`legacy pairing file ${file} skipped: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); fix: ls -l ${file}`);
      continue;
    }
    const parsed = pairing ? parsePairingFile(pairing[1] as ChannelId, text) : parseAllowFile(allow![1] as ChannelId, allow![2] || DEFAULT_ACCOUNT_ID, text);
    if (!parsed.ok) {
      warn(`legacy pairing file ${file} skipped: ${parsed.problem}; fix: repair it by hand and restart the gateway, or move it aside: mv ${file} ${file}.bad`);
      continue;
    }
    if (parsed.skippedRows) warn(`legacy pairing file ${file}: ${parsed.skippedRows} malformed row(s) ignored`);
    for (const note of parsed.notes) warn(`legacy pairing file ${file}: ${note}`);
    merged.requests.push(...parsed.input.requests);
    merged.allow.push(...parsed.input.allow);
    accepted.push(name);
  }
  if (accepted.length === 0) return summary;
  try {
    const added = store.importEntries(merged, opts.now);
    summary.requests = added.requests;
    summary.allowEntries = added.allowEntries;
  } catch (err) {
    warn(`legacy pairing import not done (will retry at next start): ${(err as Error).message}`);
    return summary;
  }
  for (const name of accepted) {
    const from = path.join(credentialsDir, name);
    let to = `${from}.imported`;
    if (fs.existsSync(to)) to = `${from}.imported-${new Date(opts.now ?? Date.now()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(from, to);
      summary.files.push(name);
    } catch (err) {
      warn(`legacy pairing file ${from} was imported but could not be renamed (${(err as NodeJS.ErrnoException).code ?? 'error'}); it is read again next start (without duplicates); fix: mv ${from} ${to}`);
    }
  }
  return summary;
}

/** The one line the gateway logs, or null when there was nothing to import. */
export function formatLegacyImportSummary(s: LegacyImportSummary): string | null {
  if (s.files.length === 0) return null;
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return `channel pairing: imported ${n(s.requests, 'pending request', 'pending requests')} and ${n(s.allowEntries, 'approved sender', 'approved senders')} from ${n(s.files.length, 'legacy file', 'legacy files')} in ${s.credentialsDir} (kept as <name>.imported)`;
}

function parseJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${(err as Error).message})` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, problem: 'the top level is not a JSON object' };
  return { ok: true, value: v as Record<string, unknown> };
}

/** ISO 8601 from an ISO string, ms since the epoch, or a numeric string; undefined when neither. */
function toIso(v: unknown): string | undefined {
  const ms = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

function parsePairingFile(channel: ChannelId, text: string): Parsed {
  const obj = parseJsonObject(text);
  if (!obj.ok) return obj;
  const rows = obj.value.requests;
  if (!Array.isArray(rows)) return { ok: false, problem: '"requests" is not an array' };
  const requests: PairingRequest[] = [];
  let skippedRows = 0;
  for (const row of rows) {
    const r = row as { id?: unknown; code?: unknown; createdAt?: unknown; lastSeenAt?: unknown; meta?: unknown } | null;
    const id = r && (typeof r.id === 'string' || typeof r.id === 'number') ? String(r.id).trim() : '';
    const createdAt = r ? toIso(r.createdAt) : undefined;
    if (!r || !id || !createdAt) {
      skippedRows++;
      continue;
    }
    const meta: Record<string, string> = {};
    if (r.meta && typeof r.meta === 'object' && !Array.isArray(r.meta)) {
      for (const [k, v] of Object.entries(r.meta)) if (v !== undefined && v !== null && String(v) !== '') meta[k] = String(v);
    }
    const accountId = meta.accountId?.trim() || DEFAULT_ACCOUNT_ID;
    requests.push({
      channel,
      accountId,
      id: normalizeSenderEntry(channel, id),
      code: typeof r.code === 'string' ? r.code.trim().toUpperCase() : '',
      createdAt,
      lastSeenAt: toIso(r.lastSeenAt) ?? createdAt,
      meta: { ...meta, accountId },
    });
  }
  return { ok: true, input: { requests, allow: [] }, skippedRows, notes: [] };
}

function parseAllowFile(channel: ChannelId, accountId: string, text: string): Parsed {
  const obj = parseJsonObject(text);
  if (!obj.ok) return obj;
  const list = obj.value.allowFrom;
  if (!Array.isArray(list)) return { ok: false, problem: '"allowFrom" is not an array' };
  const entries: string[] = [];
  const notes: string[] = [];
  let skippedRows = 0;
  for (const e of list) {
    if (typeof e !== 'string' && typeof e !== 'number') {
      skippedRows++;
      continue;
    }
    const id = normalizeSenderEntry(channel, e);
    if (!id) continue;
    if (id === '*') {
      notes.push(`"*" not imported (pairing approvals are per sender; to admit everyone set channels.${channel}.dmPolicy "open" with allowFrom ["*"])`);
      continue;
    }
    if (!entries.includes(id)) entries.push(id);
  }
  return { ok: true, input: { requests: [], allow: [{ channel, accountId, entries }] }, skippedRows, notes };
}
