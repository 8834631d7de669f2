// logs.tail: the end of the gateway's JSONL log by byte cursor (reference §8).
import path from 'node:path';
import { z } from 'zod';
import { readLogTail } from '../../logging/tail.js';
import type { MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';

export function logMethods(rt: ControlPlaneRuntime): MethodDef[] {
  const file = () => (typeof rt.services.logFile === 'string' ? rt.services.logFile : path.join(rt.services.stateDir, 'logs', 'gateway.log'));
  return [
    {
      name: 'logs.tail',
      scope: 'operator.read',
      params: z.object({
        cursor: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(5000).optional(),
        maxBytes: z.number().int().min(1).max(1_000_000).optional(),
      }),
      handler: ({ params }) => {
        const tail = readLogTail(file(), params);
        return { ...tail, lines: tail.lines.map(withUpstreamFields) };
      },
    },
  ];
}

/**
 * Official clients read `time` and `message` (upstream's log records); ours are `ts` and `msg`.
 * Each line carries both, so either reader prints a time and the text. Non-JSON lines pass as is.
 */
export function withUpstreamFields(line: string): string {
  if (!line.startsWith('{')) return line;
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return line;
  }
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return line;
  const r = rec as Record<string, unknown>;
  const extra: Record<string, unknown> = {};
  if (r.time === undefined && typeof r.ts === 'string') extra.time = r.ts;
  if (r.message === undefined && typeof r.msg === 'string') extra.message = r.msg;
  return Object.keys(extra).length ? JSON.stringify({ ...r, ...extra }) : line;
}
