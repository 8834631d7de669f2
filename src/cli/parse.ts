// Option parsers shared by commands: a bad value is a usage error naming what was expected.
import { InvalidArgumentError } from 'commander';

export function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}
