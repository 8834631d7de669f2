// Upstream OpenClaw keys in the config that this gateway accepts and keeps but does not act on
// (config/upstream-keys.ts): the same list the gateway logs at start, so a migrated ~/.openclaw
// says plainly which of its features do nothing here.
import { validateConfigObject } from '../../config/load.js';
import { unsupportedSentence } from '../../config/upstream-keys.js';
import { type Check, ok, skipped, warn } from '../types.js';

export const unsupportedKeys: Check = {
  id: 'unsupported-keys',
  title: 'Every config key is implemented by this gateway',
  async run(ctx) {
    if (ctx.config.problem) return skipped('Skipped: the config is invalid (see config-file).');
    if (!ctx.config.exists) return ok('No config file, so no upstream-only keys.');
    const checked = validateConfigObject(ctx.config.value);
    const unsupported = checked.ok ? checked.unsupported : [];
    if (unsupported.length === 0) return ok('Every key in the config is one this gateway implements.');
    const first = unsupported[0].replace(/=.*$/, '');
    return warn(
      `${unsupportedSentence(unsupported)} (upstream OpenClaw keys: accepted, kept on every write, ignored here).`,
      `nothing, to keep the file usable by upstream OpenClaw; to drop one: openclaw config unset ${first}`,
    );
  },
};
