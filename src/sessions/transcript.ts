// Append-only JSONL transcripts. Each append is one write() of a whole line followed by fsync,
// so an acknowledged message survives kill -9; a torn last line (power loss mid-write) is skipped
// on read rather than poisoning the file.
import fs from 'node:fs';
import path from 'node:path';

export interface TranscriptMessage {
  role: 'user' | 'assistant' | 'system';
  /** Plain text, or OpenAI-style content parts for user messages with images. */
  content: string | Array<Record<string, unknown>>;
  /** `<provider>/<model>` that produced an assistant message. */
  model?: string;
  stopReason?: string;
  usage?: { inputTokens: number; outputTokens: number; totalTokens: number };
  errorMessage?: string;
  /** On a failed reply: the command the error named as its fix. */
  fix?: string;
  /** On a reply the gateway re-ran after a restart cut the first attempt. */
  resumed?: boolean;
}

export interface TranscriptEntry {
  type: 'message';
  id: string;
  ts: number;
  runId?: string;
  message: TranscriptMessage;
  /**
   * On the user message of a chat.send run: the gateway owns this turn and re-runs it (with the
   * same model override) if it finds no reply after a crash.
   */
  resumable?: {
    model?: string;
    /**
     * Hash of the chat.send idempotency key (scoped to the caller's device), written in the same
     * fsynced line as the message: a keyed retry after a crash finds the turn instead of running it twice.
     */
    idempotencyKey?: string;
  };
  /** Where a channel message came from: channel, accountId, senderId, senderLabel, chatId, chatType, messageId. */
  origin?: Record<string, unknown>;
}

/** Serializes appends per file (ordering) and fsyncs each one (durability). */
export class TranscriptWriter {
  private readonly tails = new Map<string, Promise<void>>();

  append(file: string, entry: TranscriptEntry): Promise<void> {
    const prev = this.tails.get(file) ?? Promise.resolve();
    const next = prev.then(() => appendDurably(file, JSON.stringify(entry) + '\n'));
    const tail = next.catch(() => {});
    this.tails.set(file, tail);
    void tail.then(() => {
      if (this.tails.get(file) === tail) this.tails.delete(file);
    });
    return next;
  }

  /** Resolves when every pending append has hit the disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}

async function appendDurably(file: string, line: string): Promise<void> {
  const dir = path.dirname(file);
  const isNew = !fs.existsSync(file);
  if (isNew) await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const fh = await fs.promises.open(file, 'a', 0o600);
  try {
    const bytes = Buffer.from(line, 'utf8');
    const { size } = await fh.stat();
    try {
      // A full disk writes part of the line and then fails: every byte, or cut back to where it was,
      // so no torn line is left for the next append to be glued to.
      for (let off = 0; off < bytes.length; ) {
        const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
        if (bytesWritten <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        off += bytesWritten;
      }
      await fh.sync();
    } catch (err) {
      await fh.truncate(size).catch(() => {});
      throw err;
    }
  } finally {
    await fh.close();
  }
  if (isNew) await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  try {
    const fh = await fs.promises.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Not every filesystem allows fsync on a directory; the entry is still written.
  }
}

/** Reads a transcript; missing file = empty. Unparseable lines (a torn tail) are skipped. */
export function readTranscript(file: string): TranscriptEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: TranscriptEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const entry = JSON.parse(line) as TranscriptEntry;
      if (entry && entry.type === 'message' && entry.message) out.push(entry);
    } catch {
      // torn write: ignore
    }
  }
  return out;
}

/**
 * Entries in conversation order. A queued turn's user message is persisted when it is accepted,
 * possibly while an earlier turn is still streaming, so the file may read u1 u2 a1 a2; grouping by
 * run (in order of first appearance) restores u1 a1 u2 a2.
 */
export function orderByTurn(entries: TranscriptEntry[]): TranscriptEntry[] {
  const groups = new Map<string, TranscriptEntry[]>();
  for (const e of entries) {
    const key = e.runId ?? e.id;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }
  return [...groups.values()].flat();
}
