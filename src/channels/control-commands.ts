// Text commands a channel sender may use on their own conversation, answered by the gateway
// without a model turn. Upstream's texts; `/new <text>` starts a fresh session and then asks <text>.

export interface ControlCommand {
  name: 'new' | 'reset';
  /** What followed the command, asked in the fresh session (empty: nothing to ask). */
  tail: string;
}

export const SESSION_RESET_REPLY: Record<ControlCommand['name'], string> = {
  new: '✅ New session started.',
  reset: '✅ Session reset.',
};

/** `/new`, `/reset`, also `/new@botname` (Telegram groups) and with a tail. Anything else: null. */
export function parseControlCommand(text: string): ControlCommand | null {
  const m = /^\/(new|reset)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!m) return null;
  return { name: m[1].toLowerCase() as ControlCommand['name'], tail: (m[2] ?? '').trim() };
}
