// The test side of fake-imsg.mjs: a fresh control directory, the script's path (it is not
// compiled, so it is run from src/), and helpers to script inbound rows and read what was sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ImsgMessage } from '../facts.js';

/** dist/channels/imessage/testing/ → src/channels/imessage/testing/fake-imsg.mjs */
export const FAKE_IMSG = fileURLToPath(new URL('../../../../src/channels/imessage/testing/fake-imsg.mjs', import.meta.url));

export interface FakeImsg {
  dir: string;
  /** What the adapter / gateway needs: FAKE_IMSG_DIR. */
  env: Record<string, string>;
  cliPath: string;
  setMode(mode: 'normal' | 'exit' | 'hang'): void;
  /** Appends an inbound row; `id` (rowid) defaults to the next one. Returns the row. */
  inbound(m: Partial<ImsgMessage> & { sender: string; text: string | null }): ImsgMessage;
  dm(sender: string, text: string | null, extra?: Partial<ImsgMessage>): ImsgMessage;
  crash(): void;
  set(file: 'send-error' | 'chats-error' | 'ignore-sigterm' | 'watch-error' | 'timing', text?: string): void;
  clear(file: 'send-error' | 'chats-error' | 'ignore-sigterm'): void;
  sent(): Array<Record<string, unknown>>;
  calls(method?: string): Array<{ pid: number; method: string; params: Record<string, unknown> | null }>;
  spawns(): string[];
  cleanup(): void;
}

/** Write-then-rename: the fake polls these files, and must never read one created but still empty. */
function writeWhole(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()) : []);

export function fakeImsg(): FakeImsg {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-imsg-'));
  let rowid = 1000;
  let guid = 0;
  const p = (n: string) => path.join(dir, n);
  const f: FakeImsg = {
    dir,
    env: { FAKE_IMSG_DIR: dir },
    cliPath: FAKE_IMSG,
    setMode: (mode) => writeWhole(p('mode'), mode),
    inbound(m) {
      const row: ImsgMessage = {
        id: m.id ?? ++rowid,
        chat_id: 1,
        guid: `GUID-${process.pid}-${++guid}`,
        is_from_me: false,
        created_at: new Date().toISOString(),
        is_group: false,
        ...m,
      };
      if (typeof row.id === 'number' && row.id > rowid) rowid = row.id;
      fs.appendFileSync(p('inbox.jsonl'), `${JSON.stringify(row)}\n`);
      return row;
    },
    dm: (sender: string, text: string | null, extra: Partial<ImsgMessage> = {}) => f.inbound({ sender, text, chat_identifier: sender, chat_guid: `iMessage;-;${sender}`, participants: [sender], ...extra }),
    crash: () => fs.writeFileSync(p('crash'), ''),
    set: (file, text = '') => writeWhole(p(file), text),
    clear: (file) => fs.rmSync(p(file), { force: true }),
    sent: () => lines(p('sent.jsonl')).map((l) => JSON.parse(l)),
    calls: (method) => lines(p('calls.jsonl')).map((l) => JSON.parse(l)).filter((c) => !method || c.method === method),
    spawns: () => lines(p('spawns.log')),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  return f;
}
