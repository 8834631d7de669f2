// A broken config with a last-known-good copy beside it: restore it only when asked (--restore-last-good).
import fs from 'node:fs';
import JSON5 from 'json5';
import { ConfigStore } from '../../config/store.js';
import { type JsonObject } from '../config-view.js';
import { type Check, error, ok, skipped } from '../types.js';

export const lastGoodPath = (configPath: string) => new ConfigStore(configPath).lastGoodPath;

export const lastGood: Check = {
  id: 'last-good',
  title: 'Last-known-good config',
  async run(ctx) {
    const copy = lastGoodPath(ctx.config.path);
    const exists = fs.existsSync(copy);
    if (!ctx.config.problem) return exists ? ok(`The config is valid; ${copy} is kept as a fallback.`) : skipped('Skipped: the config is valid and no last-known-good copy exists yet.');
    if (!exists) return skipped('Skipped: no last-known-good copy to restore (fix the config by hand, see config-file).');
    // Without --restore-last-good this is only a hint: config-file already reports the error.
    if (!ctx.options.restoreLastGood) return skipped(`Skipped: ${copy} exists; restore it only if you want to: openclaw doctor --fix --restore-last-good.`);
    return error(`The config is invalid and a last-known-good copy exists at ${copy}.`, 'openclaw doctor --fix --restore-last-good', true);
  },
  /** Replaces the whole config with the last-known-good copy (only reached with --restore-last-good). */
  repairSummary: 'restored the last-known-good config',
  repairConfig(_config, ctx) {
    return JSON5.parse(fs.readFileSync(lastGoodPath(ctx.config.path), 'utf8')) as JsonObject;
  },
};
