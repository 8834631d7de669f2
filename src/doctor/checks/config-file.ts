// The config parses, validates and resolves, exactly as the gateway will load it (path, line, column).
import fs from 'node:fs';
import { lastGoodPath } from './last-good.js';
import { type Check, error, ok, warn } from '../types.js';

export const configFile: Check = {
  id: 'config-file',
  title: 'Config file parses and validates',
  async run(ctx) {
    const { config } = ctx;
    if (!config.exists && config.settings?.modeSource === 'env') return ok(`No config file at ${config.path}; the gateway is configured by OPENCLAW_* environment variables.`);
    if (!config.exists) return warn(`No config file at ${config.path}, so the gateway starts unconfigured.`, 'openclaw setup');
    if (!config.problem) return ok(`${config.path} is valid.`);
    const { text, fix, syntax } = config.problem;
    if (syntax) {
      const restore = fs.existsSync(lastGoodPath(config.path)) ? ' (or restore the last good copy: openclaw doctor --fix --restore-last-good)' : '';
      return error(`${text.startsWith(config.path) ? text : `${config.path}: ${text}`}, so the gateway will not start (exit 78).`, `edit ${text.split(': ')[0]} and fix it, then run openclaw config validate${restore}`);
    }
    return error(`${config.path}: ${text}, so the gateway will not start (exit 78).`, fix);
  },
};
