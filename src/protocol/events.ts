// Server→client event names. Scope guards decide who receives which family.

export const GATEWAY_EVENTS = [
  'connect.challenge',
  'tick',
  'presence',
  'health',
  'heartbeat',
  'shutdown',
  'agent',
  'chat',
  'config.changed',
  'device.pair.requested',
  'device.pair.resolved',
  'channel.pairing.requested',
  'channel.pairing.resolved',
  'sessions.changed',
  'session.message',
  'logs.line',
  'resume.gap',
] as const;
export type GatewayEventName = (typeof GATEWAY_EVENTS)[number];

/** Events every authenticated client receives regardless of scopes. */
export const UNGUARDED_EVENTS: ReadonlySet<string> = new Set(['tick', 'presence', 'health', 'heartbeat', 'shutdown', 'resume.gap']);

/** Scope needed to receive an event family (by prefix); unknown families need admin. */
export function requiredScopeForEvent(event: string): string | null {
  if (UNGUARDED_EVENTS.has(event)) return null;
  if (event.startsWith('device.pair.') || event.startsWith('node.pair.') || event.startsWith('channel.pairing.')) return 'operator.pairing';
  if (event.startsWith('exec.approval.') || event.startsWith('plugin.approval.')) return 'operator.approvals';
  if (event === 'chat' || event === 'agent' || event.startsWith('session') || event === 'logs.line') return 'operator.read';
  if (event === 'config.changed') return 'operator.read';
  return 'operator.admin';
}
