// Option parsers shared by commands: a bad value is a usage error naming what was expected.
import { InvalidArgumentError } from 'commander';

export function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** `--account <id>` of the channel commands: letters, digits, "-" or "_", at most 64. */
export function parseAccount(v: string): string {
  const id = v.trim();
  if (!id) throw new InvalidArgumentError('an account id cannot be blank (omit --account for the default account)');
  if (!ACCOUNT_ID.test(id)) throw new InvalidArgumentError('expected letters, digits, "-" or "_" (at most 64), e.g. --account work');
  return id;
}
