// Connect latency of a brand-new device (signed connect → silent local pairing → device token →
// hello-ok) on a spawned `openclaw gateway run` whose state already holds 10 or 10,000 paired
// devices (issue 17 item 19: a pairing write must not cost more as the device list grows).
// Fewer new devices than the silent-pairing cap per minute are used, so every one is auto-approved.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDevice, TEST_TOKEN } from '../gateway/control-plane/test-support.js';
import { timeConnect } from './handshake.js';
import { median, spawnGateway, stop } from './measure.js';
import type { BenchModule, BenchRow } from './types.js';

/** New devices timed per gateway (below the 20-a-minute silent pairing cap, with one warm-up). */
const NEW_DEVICES = 15;
export const PAIRING_TARGET_RATIO = 2;

/** A paired.json with `n` operator devices (random ids; their keys are never used). */
function seedPaired(devicesDir: string, n: number): void {
  const now = Date.now();
  const paired: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const d = makeDevice();
    paired[d.deviceId] = {
      deviceId: d.deviceId,
      publicKey: d.publicKey,
      displayName: `bench device ${i}`,
      platform: 'linux',
      clientId: 'cli',
      clientMode: 'cli',
      roles: ['operator'],
      scopes: ['operator.read'],
      remoteIp: '127.0.0.1',
      tokens: { operator: { token: `bench-device-token-${i}-${d.deviceId.slice(0, 24)}`, role: 'operator', scopes: ['operator.read'], createdAtMs: now } },
      createdAtMs: now,
      approvedAtMs: now,
      approvedVia: 'silent',
    };
  }
  fs.mkdirSync(devicesDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(devicesDir, 'paired.json'), JSON.stringify(paired, null, 2) + '\n', { mode: 0o600 });
}

interface SeededGateway {
  url: string;
  pairedBytes: number;
  close(): Promise<void>;
}

/** A spawned `openclaw gateway run` whose state already holds `paired` devices. */
async function seededGateway(paired: number): Promise<SeededGateway> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-bench-pairing-'));
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
  try {
    const stateDir = path.join(root, 'state');
    const pairedPath = path.join(stateDir, 'devices', 'paired.json');
    seedPaired(path.dirname(pairedPath), paired);
    const g = await spawnGateway(root, 'state', { gateway: { mode: 'local', auth: { mode: 'token', token: TEST_TOKEN } } }, 60_000);
    const port = g.port;
    const url = `ws://127.0.0.1:${port}`;
    await timeConnect(url, { token: TEST_TOKEN, device: makeDevice() }); // warm-up: the first load of the store
    return {
      url,
      pairedBytes: fs.statSync(pairedPath).size,
      async close() {
        await stop(g.child);
        cleanup();
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

export const pairingBench: BenchModule = {
  name: 'pairing',
  async run() {
    const small = await seededGateway(10);
    const large = await seededGateway(10_000).catch(async (err) => {
      await small.close();
      throw err;
    });
    const samples = { small: [] as number[], large: [] as number[] };
    try {
      // Alternate, so machine load affects both alike.
      for (let i = 0; i < NEW_DEVICES; i++) {
        samples.small.push(await timeConnect(small.url, { token: TEST_TOKEN, device: makeDevice() }));
        samples.large.push(await timeConnect(large.url, { token: TEST_TOKEN, device: makeDevice() }));
      }
    } finally {
      await Promise.all([small.close(), large.close()]);
    }
    const [smallMs, largeMs] = [median(samples.small), median(samples.large)];
    return [
      {
        metric: `connect of a new device, 10,000 paired devices (median of ${NEW_DEVICES}; paired.json ${(large.pairedBytes / 1024 / 1024).toFixed(1)} MB)`,
        unit: 'ms',
        ours: largeMs,
        baseline: smallMs,
        baselineName: '10 paired',
        target: `≤ ${PAIRING_TARGET_RATIO}× 10 paired`,
        pass: largeMs <= PAIRING_TARGET_RATIO * smallMs,
        note: 'signed connect → silent local pairing (one journal line per change, no paired.json rewrite) → device token → hello-ok, against a spawned `openclaw gateway run`',
      },
    ];
  },
};
