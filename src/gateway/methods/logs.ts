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
      handler: ({ params }) => readLogTail(file(), params),
    },
  ];
}
