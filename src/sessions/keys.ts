// Session keys: one session, one spelling. `main` (what `openclaw agent` and `tui` sent by
// default) and `agent:<agentId>:main` (what the Control UI and the official clients use) name
// the same conversation; the canonical form is upstream's `agent:<agentId>:main`, and every
// method that takes a session key resolves it here before touching a transcript.
import fs from 'node:fs';
import { writeFileAtomicSync } from '../infra/atomic-file.js';
import type { SessionStore } from './store.js';
import { readTranscript } from './transcript.js';

/** The short spelling of an agent's main session. */
export const MAIN_ALIAS = 'main';

export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}

/** The agent a key names (`agent:<id>:…`), if it names one. */
export function agentIdOfKey(sessionKey: string): string | undefined {
  return /^agent:([^:]+):/.exec(sessionKey)?.[1];
}

/** The canonical spelling of a key: trimmed; `main` (or nothing) is the agent's `agent:<id>:main`. */
export function canonicalSessionKey(sessionKey: string | undefined, agentId: string): string {
  const key = (sessionKey ?? '').trim();
  return key === '' || key.toLowerCase() === MAIN_ALIAS ? mainSessionKey(agentId) : key;
}

/** True when two keys name the same session of `agentId`. */
export function sameSession(a: string, b: string, agentId: string): boolean {
  return canonicalSessionKey(a, agentId) === canonicalSessionKey(b, agentId);
}

/**
 * Folds each agent's transcript stored under the alias `main` (written before keys were
 * canonical) into its `agent:<id>:main` transcript, in time order, so the CLI's old turns and the
 * UI's are one conversation. Both old files are kept as `<file>.merged.<ts>`; the merged file is
 * written atomically. Returns the agents whose transcripts were folded.
 */
export function adoptMainAliases(store: SessionStore, agentIds: string[]): string[] {
  const done: string[] = [];
  for (const agentId of agentIds) {
    const from = store.transcriptPath(agentId, MAIN_ALIAS);
    if (!fs.existsSync(from)) continue;
    const to = store.transcriptPath(agentId, mainSessionKey(agentId));
    const stamp = Date.now();
    if (fs.existsSync(to)) {
      const merged = [...readTranscript(to), ...readTranscript(from)].sort((x, y) => x.ts - y.ts);
      fs.copyFileSync(to, `${to}.merged.${stamp}`);
      writeFileAtomicSync(to, merged.map((e) => JSON.stringify(e) + '\n').join(''));
      fs.renameSync(from, `${from}.merged.${stamp}`);
    } else {
      fs.copyFileSync(from, `${from}.merged.${stamp}`);
      fs.renameSync(from, to);
    }
    store.reindex(agentId, [MAIN_ALIAS, mainSessionKey(agentId)]);
    done.push(agentId);
  }
  return done;
}
