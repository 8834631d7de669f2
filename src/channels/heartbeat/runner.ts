// The heartbeat: every `agents.defaults.heartbeat.every` the gateway runs one agent turn with the
// heartbeat prompt and delivers the reply to the owner's DM (or the configured target) unless it
// is "no news". Each run becomes a record in <state>/heartbeat.json, so `status` answers after a
// restart and while the gateway is down. Runs never overlap, and nothing here throws into the
// timer: a failure is a record plus one log line with its fix.
import type { Logger } from '../../logging/types.js';
import type { ChannelId, ChannelService, DeliveryOutcome } from '../types.js';
import {
  classifyReply,
  describeTarget,
  formatDuration,
  isRoute,
  MAX_TIMER_MS,
  nextRunAt,
  previewOf,
  resolveCadence,
  resolvePrompt,
  resolveTarget,
  turnTimeoutMs,
  DEFAULT_HEARTBEAT_PROMPT,
  type Cadence,
  type HeartbeatConfig,
  type TargetInputs,
  type TargetResolution,
} from './schedule.js';
import { heartbeatStatePath, readHeartbeatState, writeHeartbeatState, type HeartbeatRecord } from './state.js';

export type { HeartbeatRecord } from './state.js';

/** How long a delivery waits for the channel to confirm before it counts as queued. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;
/** How long stop() waits for a run in flight (its turn is aborted first). */
const STOP_WAIT_MS = 5_000;

export interface HeartbeatTurnOptions {
  /** Aborted when the turn runs past its timeout or the heartbeat stops. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface HeartbeatDeps {
  log: Logger;
  /** The state file is <stateDir>/heartbeat.json. */
  stateDir: string;
  /** Live config, re-read on every run and every reconfigure(). */
  config(): { heartbeat?: HeartbeatConfig; ownerAllowFrom?: ReadonlyArray<string | number> };
  /** One agent turn in the main session; throws on model failure. Should honour `opts.signal`. */
  runTurn(prompt: string, opts?: HeartbeatTurnOptions): Promise<{ text: string; model?: string }>;
  channels(): ChannelService | undefined;
  broadcast(event: 'heartbeat', payload: unknown): void;
  now?(): number;
  /** The most recent external conversation, for `target: "last"` (absent: `last` has no route). */
  lastRoute?(): TargetInputs['lastRoute'];
  /** Any channel account configured; without one a missing owner is the expected state, not a warning. */
  hasChannels?(): boolean;
  deliveryTimeoutMs?: number;
}

export interface HeartbeatStatus {
  /** A run is scheduled (started, enabled at runtime and in config). */
  enabled: boolean;
  /** `set-heartbeats` state (true unless turned off at runtime). */
  runtimeEnabled: boolean;
  started: boolean;
  /** Why nothing is scheduled: `every: "0m"`, set-heartbeats off, an unreadable `every`, stopped. */
  disabledReason?: 'config' | 'runtime' | 'invalid' | 'stopped';
  /** The cadence string (`30m`), null when unreadable. */
  every: string | null;
  everyMs: number | null;
  cadenceSource?: 'config' | 'default';
  error?: string;
  fix?: string;
  target: TargetResolution;
  prompt: 'default' | 'custom';
  nextRunAt: number | null;
  running: boolean;
  runningSince: number | null;
  stateFile: string;
}

export interface Heartbeat {
  /** Arms the timer from config (idempotent). */
  start(): void;
  /** Disarms the timer, aborts a run in flight and waits (briefly) for it. */
  stop(): Promise<void>;
  /** Re-reads config: a new cadence re-arms, `0m` disarms. */
  reconfigure(): void;
  /** Runtime switch (`set-heartbeats`); not persisted (the CLI writes the config for that). */
  setEnabled(enabled: boolean): HeartbeatStatus;
  /** Runs one heartbeat now (a `busy` skip when one is running). Never rejects. */
  runNow(reason?: string): Promise<HeartbeatRecord>;
  last(): HeartbeatRecord | null;
  status(): HeartbeatStatus;
}

/** What the `heartbeat` event carries. No reply text and no recipient id: every client receives it. */
export function heartbeatEventPayload(r: HeartbeatRecord, nextRunAt: number | null): Record<string, unknown> {
  return {
    ts: r.ts,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.trigger ? { trigger: r.trigger } : {}),
    ...(r.target ? { channel: r.target.channel } : {}),
    ...(r.delivery ? { delivery: r.delivery } : {}),
    ...(r.error ? { error: r.error } : {}),
    nextRunAt,
  };
}

class TurnTimeout extends Error {
  constructor(ms: number) {
    super(`the heartbeat turn did not finish within ${formatDuration(ms)}`);
    this.name = 'TurnTimeout';
  }
}

export function createHeartbeat(deps: HeartbeatDeps): Heartbeat {
  const log = deps.log;
  const now = deps.now ?? Date.now;
  const deliveryTimeoutMs = deps.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const stateFile = heartbeatStatePath(deps.stateDir);

  let started = false;
  let runtimeEnabled = true;
  let timer: NodeJS.Timeout | undefined;
  let nextAt: number | null = null;
  let armedEveryMs: number | null = null;
  /** The run in flight (resolves with its record). */
  let inflight: Promise<HeartbeatRecord> | null = null;
  /** A turn that outlived its timeout: still busy until the model lets go. */
  let lingeringTurn: Promise<unknown> | null = null;
  let runningSince: number | null = null;
  let abortRun: AbortController | null = null;
  let lastLoggedProblem = '';
  let persistFailed = false;

  const loaded = readHeartbeatState(deps.stateDir);
  if (loaded.corrupt) log.warn(`ignoring unreadable ${loaded.path}; the next heartbeat rewrites it`);
  let last: HeartbeatRecord | null = loaded.state?.last ?? null;

  function readConfig(): ReturnType<HeartbeatDeps['config']> | Error {
    try {
      return deps.config() ?? {};
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  function cadenceNow(): Cadence {
    const cfg = readConfig();
    if (cfg instanceof Error) return { enabled: false, every: null, reason: 'invalid', error: `cannot read the heartbeat config: ${cfg.message}`, fix: 'openclaw config validate' };
    return resolveCadence(cfg.heartbeat);
  }

  function persist(): void {
    try {
      writeHeartbeatState(deps.stateDir, { version: 1, last, nextRunAt: nextAt, every: armedEveryMs === null ? null : (cadenceEvery() ?? formatDuration(armedEveryMs)), enabled: nextAt !== null, pid: process.pid, updatedAt: now() });
      persistFailed = false;
    } catch (err) {
      if (!persistFailed) log.warn(`cannot write ${stateFile}: ${(err as Error).message} (fix: ls -ld ${deps.stateDir}  — the state dir must be writable)`);
      persistFailed = true;
    }
  }

  function cadenceEvery(): string | null {
    const c = cadenceNow();
    return c.enabled ? c.every : null;
  }

  /** Logs a problem once per distinct text (a missing owner every 30 minutes is one line, not 48 a day). */
  function logProblem(text: string): void {
    if (text === lastLoggedProblem) log.debug(text);
    else log.warn(text);
    lastLoggedProblem = text;
  }

  function clearTimer(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
  }

  function setTimer(at: number): void {
    clearTimer();
    const delay = Math.max(0, at - now());
    timer = setTimeout(onTimer, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
  }

  /** Brings the timer in line with config and the runtime switch; persists (→ true) when the plan changed. */
  function arm(): boolean {
    const before = `${nextAt}/${armedEveryMs}/${timer !== undefined}`;
    const cadence = cadenceNow();
    if (!started || !runtimeEnabled || !cadence.enabled) {
      clearTimer();
      nextAt = null;
      armedEveryMs = null;
      if (started && !cadence.enabled && cadence.reason === 'invalid') logProblem(`heartbeat off: ${cadence.error} (fix: ${cadence.fix})`);
    } else if (armedEveryMs !== cadence.everyMs || timer === undefined) {
      armedEveryMs = cadence.everyMs;
      nextAt = nextRunAt(now(), last?.startedAt, cadence.everyMs);
      setTimer(nextAt);
    }
    if (`${nextAt}/${armedEveryMs}/${timer !== undefined}` === before) return false;
    persist();
    return true;
  }

  function onTimer(): void {
    timer = undefined;
    if (nextAt === null || armedEveryMs === null) return;
    const t = now();
    if (t < nextAt - 5) return setTimer(nextAt); // a long cadence armed in steps
    const scheduled = nextAt;
    // Arm the next tick before running, so the cadence does not drift by the turn's duration; a
    // turn longer than the interval makes the next tick a `busy` skip, never an overlap.
    nextAt = nextRunAt(t, scheduled, armedEveryMs);
    setTimer(nextAt);
    void runNow('interval');
  }

  function finish(startedAt: number, trigger: string, fields: Omit<HeartbeatRecord, 'ts' | 'startedAt' | 'durationMs' | 'trigger'>, opts: { keep?: boolean } = {}): HeartbeatRecord {
    const ts = now();
    const record: HeartbeatRecord = { ts, startedAt, durationMs: Math.max(0, ts - startedAt), trigger, ...fields };
    if (opts.keep !== false) {
      last = record;
      persist();
    }
    try {
      deps.broadcast('heartbeat', heartbeatEventPayload(record, nextAt));
    } catch (err) {
      log.debug(`heartbeat event not broadcast: ${(err as Error).message}`);
    }
    describeOutcome(record);
    return record;
  }

  function describeOutcome(r: HeartbeatRecord): void {
    const to = r.target ? `${r.target.channel} ${r.target.to}` : '';
    const took = `${(r.durationMs / 1000).toFixed(1)}s`;
    if (r.status === 'sent') {
      if (r.delivery === 'queued') log.warn(`heartbeat queued for ${to}, not confirmed yet (${r.error ?? 'the outbound queue retries'})`);
      else log.info(`heartbeat sent to ${to} (${took})`);
      lastLoggedProblem = '';
    } else if (r.status === 'ok-silent') {
      log.info(`heartbeat ok (${r.reason}), nothing sent (${took})`);
      lastLoggedProblem = '';
    } else if (r.reason === 'busy') {
      log.debug('heartbeat skipped: the previous one is still running');
    } else if (r.reason === 'target-none') {
      log.info(`heartbeat ran (${took}); target is "none", nothing delivered`);
    } else {
      logProblem(`heartbeat ${r.status}${r.reason ? ` (${r.reason})` : ''}: ${r.error ?? 'no detail'}${r.fix ? ` (fix: ${r.fix})` : ''}`);
    }
  }

  async function execute(trigger: string): Promise<HeartbeatRecord> {
    const startedAt = now();
    runningSince = startedAt;
    const cfg = readConfig();
    if (cfg instanceof Error) return finish(startedAt, trigger, { status: 'failed', reason: 'config-error', error: `cannot read the config: ${cfg.message}`, fix: 'openclaw config validate' });
    const hb = cfg.heartbeat;
    let lastRoute: TargetInputs['lastRoute'];
    try {
      lastRoute = deps.lastRoute?.();
    } catch {
      lastRoute = undefined;
    }
    const target = resolveTarget({ heartbeat: hb, ownerAllowFrom: cfg.ownerAllowFrom, lastRoute });
    // No route: skip before the model call (it would cost tokens and tell nobody).
    if (!isRoute(target) && target.none !== 'target-none') return finish(startedAt, trigger, { status: 'skipped', reason: target.none, error: target.message, fix: target.fix });
    const route = isRoute(target) ? { channel: target.channel, to: target.to, ...(target.accountId ? { accountId: target.accountId } : {}), ...(target.threadId ? { threadId: target.threadId } : {}) } : undefined;

    const cadence = resolveCadence(hb);
    const timeoutMs = turnTimeoutMs(hb, cadence.enabled ? cadence.everyMs : 0);
    const controller = new AbortController();
    abortRun = controller;
    let reply: { text: string; model?: string };
    const turn = Promise.resolve().then(() => deps.runTurn(resolvePrompt(hb), { signal: controller.signal, timeoutMs }));
    let timeout: NodeJS.Timeout | undefined;
    try {
      reply = await Promise.race([
        turn,
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new TurnTimeout(timeoutMs)), timeoutMs);
          timeout.unref();
        }),
      ]);
    } catch (err) {
      if (err instanceof TurnTimeout) {
        controller.abort(err);
        const settle = turn.then(() => undefined, () => undefined);
        lingeringTurn = settle;
        void settle.then(() => {
          if (lingeringTurn === settle) lingeringTurn = null;
        });
        return finish(startedAt, trigger, { status: 'failed', reason: 'timeout', ...(route ? { target: route } : {}), error: err.message, fix: 'openclaw config set agents.defaults.heartbeat.timeoutSeconds 600  (or check the model: openclaw models status)' });
      }
      if (controller.signal.aborted) return finish(startedAt, trigger, { status: 'failed', reason: 'aborted', ...(route ? { target: route } : {}), error: 'the heartbeat stopped (gateway shutting down) during the turn' });
      const e = err as Error & { fix?: unknown };
      const fix = typeof e?.fix === 'string' ? e.fix : 'openclaw models status';
      return finish(startedAt, trigger, { status: 'failed', reason: 'turn-failed', ...(route ? { target: route } : {}), error: `the heartbeat turn failed: ${e?.message ?? String(err)}`, fix });
    } finally {
      clearTimeout(timeout);
      if (abortRun === controller) abortRun = null;
    }

    const text = typeof reply?.text === 'string' ? reply.text : '';
    const model = typeof reply?.model === 'string' ? { model: reply.model } : {};
    const verdict = classifyReply(text);
    const preview = text.trim() ? { preview: previewOf(text) } : {};
    if (verdict.silent) return finish(startedAt, trigger, { status: 'ok-silent', reason: verdict.why, ...(route ? { target: route } : {}), ...preview, ...model });
    if (!route) return finish(startedAt, trigger, { status: 'skipped', reason: 'target-none', delivery: 'skipped', ...preview, ...model });

    const channels = safeChannels();
    if (!channels) {
      return finish(startedAt, trigger, { status: 'failed', reason: 'channels-unavailable', target: route, delivery: 'failed', error: `no channel layer is running to deliver the heartbeat to ${route.channel}`, fix: 'openclaw channels status', ...preview, ...model });
    }
    let outcome: DeliveryOutcome;
    try {
      outcome = await channels.sendText({ channel: route.channel as ChannelId, to: route.to, text: verdict.text, ...(route.accountId ? { accountId: route.accountId } : {}), ...(route.threadId ? { threadId: route.threadId } : {}) }, deliveryTimeoutMs);
    } catch (err) {
      const e = err as Error & { fix?: unknown };
      return finish(startedAt, trigger, { status: 'failed', reason: 'delivery-failed', target: route, delivery: 'failed', error: `delivery to ${route.channel} ${route.to} failed: ${e?.message ?? String(err)}`, ...(typeof e?.fix === 'string' ? { fix: e.fix } : { fix: 'openclaw channels status' }), ...preview, ...model });
    }
    if (outcome.ok) return finish(startedAt, trigger, { status: 'sent', target: route, delivery: 'sent', ...(outcome.messageIds?.length ? { messageIds: outcome.messageIds } : {}), ...preview, ...model });
    if (outcome.queued) {
      return finish(startedAt, trigger, { status: 'sent', reason: 'queued', target: route, delivery: 'queued', error: outcome.error ?? `${route.channel} has not confirmed it yet; the outbound queue keeps retrying`, ...(outcome.fix ? { fix: outcome.fix } : {}), ...preview, ...model });
    }
    return finish(startedAt, trigger, {
      status: 'failed',
      reason: 'delivery-failed',
      target: route,
      delivery: 'failed',
      error: `delivery to ${route.channel} ${route.to} failed: ${outcome.error ?? 'the channel refused it'}`,
      fix: outcome.fix ?? 'openclaw channels status',
      ...preview,
      ...model,
    });
  }

  function safeChannels(): ChannelService | undefined {
    try {
      return deps.channels();
    } catch {
      return undefined;
    }
  }

  async function runNow(reason = 'manual'): Promise<HeartbeatRecord> {
    if (inflight || lingeringTurn) {
      const t = now();
      return finish(t, reason, { status: 'skipped', reason: 'busy', error: 'the previous heartbeat is still running' }, { keep: false });
    }
    const run = execute(reason).catch((err: unknown) => {
      // execute() handles every expected failure; this is the last guard for the timer.
      const t = runningSince ?? now();
      return finish(t, reason, { status: 'failed', reason: 'internal', error: `heartbeat run crashed: ${(err as Error)?.message ?? String(err)}`, fix: 'openclaw logs --follow  (and report it)' });
    });
    inflight = run;
    try {
      return await run;
    } finally {
      inflight = null;
      runningSince = null;
    }
  }

  function status(): HeartbeatStatus {
    const cfg = readConfig();
    const cadence = cfg instanceof Error ? cadenceNow() : resolveCadence(cfg.heartbeat);
    let lastRoute: TargetInputs['lastRoute'];
    try {
      lastRoute = deps.lastRoute?.();
    } catch {
      lastRoute = undefined;
    }
    const target: TargetResolution = cfg instanceof Error ? { none: 'invalid-target', message: `cannot read the config: ${cfg.message}`, fix: 'openclaw config validate' } : resolveTarget({ heartbeat: cfg.heartbeat, ownerAllowFrom: cfg.ownerAllowFrom, lastRoute });
    const custom = !(cfg instanceof Error) && resolvePrompt(cfg.heartbeat) !== DEFAULT_HEARTBEAT_PROMPT;
    const disabledReason: HeartbeatStatus['disabledReason'] = !cadence.enabled ? (cadence.reason === 'invalid' ? 'invalid' : 'config') : !runtimeEnabled ? 'runtime' : !started ? 'stopped' : undefined;
    return {
      enabled: timer !== undefined && nextAt !== null,
      runtimeEnabled,
      started,
      ...(disabledReason ? { disabledReason } : {}),
      every: cadence.every,
      everyMs: cadence.enabled ? cadence.everyMs : cadence.reason === 'disabled' ? 0 : null,
      ...(cadence.enabled ? { cadenceSource: cadence.source } : {}),
      ...(!cadence.enabled && cadence.error ? { error: cadence.error, fix: cadence.fix } : {}),
      target,
      prompt: custom ? 'custom' : 'default',
      nextRunAt: nextAt,
      running: inflight !== null || lingeringTurn !== null,
      runningSince,
      stateFile,
    };
  }

  return {
    start() {
      if (started) return;
      started = true;
      const persisted = arm();
      const s = status();
      if (s.enabled) {
        const where = isRoute(s.target) ? `to ${describeTarget(s.target)}` : `(${s.target.message}; fix: ${s.target.fix})`;
        const line = `heartbeat every ${s.every} ${where}; next at ${new Date(s.nextRunAt!).toISOString()}`;
        if (isRoute(s.target) || s.target.none === 'target-none' || deps.hasChannels?.() === false) log.info(line);
        else logProblem(line);
      } else if (s.disabledReason === 'config') log.info(`heartbeat off (agents.defaults.heartbeat.every "${s.every}")`);
      if (!persisted) persist(); // this run's pid in the file either way
    },
    async stop() {
      started = false;
      clearTimer();
      armedEveryMs = null;
      // nextAt stays in the file: a run due while the gateway is down is the alarm `status` shows.
      const running = inflight;
      abortRun?.abort(new Error('heartbeat stopped'));
      if (running) {
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([running, new Promise((r) => (wait = setTimeout(r, STOP_WAIT_MS)))]);
        clearTimeout(wait);
      }
      nextAt = null;
    },
    reconfigure() {
      if (started) arm();
    },
    setEnabled(enabled: boolean) {
      runtimeEnabled = enabled;
      if (started) arm();
      return status();
    },
    runNow,
    last: () => last,
    status,
  };
}
