// Low free memory: the gateway (and the OOM killer) misbehave well before memory runs out.
import fs from 'node:fs';
import os from 'node:os';
import { type Check, ok, warn } from '../types.js';

export const MIN_FREE_MEMORY_BYTES = 256 * 1024 * 1024;

/** MemAvailable from /proc/meminfo (what the kernel can give without swapping), else os.freemem(). */
export function availableMemoryBytes(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}

const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;

export const memory: Check = {
  id: 'memory',
  title: 'Free memory',
  async run(ctx) {
    const min = ctx.options.minFreeMemoryBytes;
    const free = availableMemoryBytes();
    if (free >= min) return ok(`${mb(free)} of memory is available (at least ${mb(min)} needed).`);
    return warn(`Only ${mb(free)} of memory is available (under ${mb(min)}), so the gateway may be OOM-killed under load.`, 'free -m  # stop other services or add swap: sudo fallocate -l 1G /swapfile && sudo mkswap /swapfile && sudo swapon /swapfile');
  },
};
