// The parts of upstream's `health` and `status` payloads that official clients read (their
// HealthSummary and getStatusSummary shapes), built from our runtime. Ours stay next to them:
// `openclaw health|status --json` of both CLIs must work against one gateway.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import path from 'node:path';
import type { ModelRuntime } from '../models/runtime.js';
import { listAgents } from '../models/router.js';
import type { Heartbeat } from '../channels/heartbeat/runner.js';


export interface ChannelAccountHealth {
  channel: string;
  accountId: string;
  healthState: string;
  lastError?: string | null;
}

export interface UpstreamSummaries {
  /** Merged into every `health` snapshot. */
  health(): Record<string, unknown>;
  /** Merged into the `status` answer. */
  status(opts: { includePaths: boolean }): Record<string, unknown>;
}

const CHANNEL_LABELS: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', whatsapp: 'WhatsApp', imessage: 'iMessage' };
const DEGRADED_DELAY_MS = 1000;

/** Event-loop delay since the last read (upstream's `eventLoop` health block). */
function eventLoopMonitor(): () => Record<string, unknown> {
  let histogram: IntervalHistogram | undefined;
  let lastElu = performance.eventLoopUtilization();
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  let degradedSince: number | null = null;
  return () => {
    if (!histogram) {
      histogram = monitorEventLoopDelay({ resolution: 20 });
      histogram.enable();
    }
    const elu = performance.eventLoopUtilization(lastElu);
    const cpu = process.cpuUsage(lastCpu);
    const now = performance.now();
    const wallMs = Math.max(1, now - lastAt);
    const maxMs = Number.isFinite(histogram.max) ? histogram.max / 1e6 : 0;
    const p99Ms = Number.isFinite(histogram.percentile(99)) ? histogram.percentile(99) / 1e6 : 0;
    histogram.reset();
    lastElu = performance.eventLoopUtilization();
    lastCpu = process.cpuUsage();
    lastAt = now;
    const reasons = p99Ms > DEGRADED_DELAY_MS ? ['event_loop_delay'] : [];
    const degraded = reasons.length > 0;
    if (degraded && degradedSince === null) degradedSince = Date.now();
    if (!degraded) degradedSince = null;
    return {
      degraded,
      reasons,
      ...(degradedSince !== null ? { degradedSinceMs: Date.now() - degradedSince } : {}),
      delayMaxMs: Math.round(maxMs),
      delayP99Ms: Math.round(p99Ms),
      utilization: Math.round(elu.utilization * 1000) / 1000,
      cpuCoreRatio: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 1000,
    };
  };
}

export function upstreamSummaries(o: { runtime: ModelRuntime; heartbeat: Heartbeat; channels(): ChannelAccountHealth[]; stateDir: string }): UpstreamSummaries {
  const eventLoop = eventLoopMonitor();
  const agentsDir = path.join(o.stateDir, 'agents');
  const indexPath = (agentId: string) => path.join(agentsDir, agentId, 'sessions', 'sessions.json');
  const sessionsOf = (agentId: string | undefined) => {
    const list = o.runtime.sessions.list(agentId);
    const now = Date.now();
    return { count: list.length, recent: list.slice(0, 10).map((s) => ({ key: s.sessionKey, updatedAt: s.updatedAt, age: Math.max(0, now - s.updatedAt) })), list };
  };
  const heartbeatOf = () => {
    const hb = o.heartbeat.status();
    return { enabled: hb.enabled, every: hb.every ?? 'disabled', everyMs: hb.everyMs };
  };
  const channelBlock = () => {
    const channels: Record<string, Record<string, unknown>> = {};
    for (const a of o.channels()) {
      const account = { accountId: a.accountId, enabled: true, configured: true, healthState: a.healthState, ...(a.lastError ? { lastError: a.lastError } : {}) };
      const c = (channels[a.channel] ??= { ...account, accounts: {} });
      (c.accounts as Record<string, unknown>)[a.accountId] = account;
    }
    const order = Object.keys(channels);
    return { channels, channelOrder: order, channelLabels: Object.fromEntries(order.map((c) => [c, CHANNEL_LABELS[c] ?? c])) };
  };
  return {
    health() {
      const agents = listAgents(o.runtime.config());
      const defaultAgentId = agents.find((a) => a.default)?.id ?? agents[0]?.id ?? 'main';
      const hb = o.heartbeat.status();
      const all = sessionsOf(undefined);
      return {
        eventLoop: eventLoop(),
        ...channelBlock(),
        heartbeatSeconds: hb.everyMs ? Math.round(hb.everyMs / 1000) : 0,
        defaultAgentId,
        agents: agents.map((a) => {
          const s = sessionsOf(a.id);
          return {
            agentId: a.id,
            ...(a.name ? { name: a.name } : {}),
            isDefault: a.id === defaultAgentId,
            heartbeat: { enabled: hb.enabled, every: hb.every ?? 'disabled', everyMs: hb.everyMs, prompt: hb.prompt, target: 'none' in hb.target ? 'none' : hb.target.channel, ackMaxChars: 300 },
            sessions: { path: indexPath(a.id), count: s.count, recent: s.recent },
          };
        }),
        sessions: { path: agentsDir, count: all.count, recent: all.recent },
      };
    },
    status({ includePaths }) {
      const cfg = o.runtime.config();
      const agents = listAgents(cfg);
      const defaultAgent = agents.find((a) => a.default) ?? agents[0];
      const all = sessionsOf(undefined);
      const row = (s: (typeof all.list)[number]) => ({
        agentId: s.agentId,
        key: s.sessionKey,
        kind: s.sessionKey.includes(':group:') ? 'group' : 'direct',
        updatedAt: s.updatedAt,
        age: Math.max(0, Date.now() - s.updatedAt),
        model: s.lastModel ?? defaultAgent?.model ?? null,
        inputTokens: s.inputTokens,
        outputTokens: s.outputTokens,
        totalTokens: s.inputTokens + s.outputTokens,
      });
      return {
        heartbeat: { defaultAgentId: defaultAgent?.id ?? 'main', agents: agents.map((a) => ({ agentId: a.id, ...heartbeatOf(), waitingForRoute: false })) },
        channelSummary: [],
        queuedSystemEvents: [],
        tasks: { total: 0, active: 0, terminal: 0, failures: 0, byStatus: {}, byRuntime: {} },
        sessions: {
          paths: includePaths ? agents.map((a) => indexPath(a.id)) : [],
          count: all.count,
          defaults: { model: defaultAgent?.model ?? null, contextTokens: null },
          recent: all.list.slice(0, 10).map(row),
          byAgent: agents.map((a) => {
            const s = sessionsOf(a.id);
            return { agentId: a.id, path: includePaths ? indexPath(a.id) : '[redacted]', count: s.count, recent: s.list.slice(0, 10).map(row) };
          }),
        },
      };
    },
  };
}
