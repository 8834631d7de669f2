// A config the gateway cannot load, with a usable last-known-good copy beside it: `--fix` does what
// the gateway does at start (config/recover.ts): the broken file becomes `.rejected.<ts>`, the copy
// is restored atomically.
import fs from 'node:fs';
import { isUnusableConfigFile, restoreLastGood, usableLastGood } from '../../config/recover.js';
import { ConfigStore } from '../../config/store.js';
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
    if (!isUnusableConfigFile(ctx.config.path, ctx.env)) return skipped('Skipped: the config loads, but its settings are refused (see config-file); restoring an older copy would not explain why.');
    if (!usableLastGood(new ConfigStore(ctx.config.path), ctx.env)) return skipped(`Skipped: ${copy} does not load either (fix the config by hand, see config-file).`);
    return error(
      `The config does not load, and ${copy} holds the last one the gateway started with; --fix moves the broken file aside as ${ctx.config.path}.rejected.<time> and restores that copy (as the gateway does at start).`,
      'openclaw doctor --fix',
      true,
    );
  },
  async fix(ctx) {
    const store = new ConfigStore(ctx.config.path);
    const copy = usableLastGood(store, ctx.env);
    const rejectedPath = copy && restoreLastGood(store, copy, ctx.env);
    if (!rejectedPath) return { summary: `${ctx.config.path} was fixed meanwhile (or ${store.lastGoodPath} no longer loads); nothing restored.`, changed: [] };
    return { summary: `Config auto-restored from last-known-good ${store.lastGoodPath}; the broken file is now ${rejectedPath}.`, changed: [{ path: ctx.config.path, backupPath: rejectedPath }] };
  },
};
