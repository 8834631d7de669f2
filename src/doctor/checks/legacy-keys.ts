// Deprecated keys that still load (config/deprecations.ts warns about them); --fix migrates each
// to its current form without changing what the config means.
import { bindModeForHost, isBindMode, parseBindLiteral } from '../../config/bind.js';
import { getPath, setPath, unsetPath } from '../../config/path-ops.js';
import { valueAt, type JsonObject } from '../config-view.js';
import { type Check, ok, skipped, warn } from '../types.js';

interface Legacy {
  key: string;
  why: string;
  /** Mutates `c` into the current form. */
  migrate(c: JsonObject): void;
}

function setBind(c: JsonObject, host: string, port: number | undefined): void {
  const mode = bindModeForHost(host);
  setPath(c, 'gateway.bind', mode);
  if (mode === 'custom') setPath(c, 'gateway.customBindHost', host);
  // The literal's port wins over gateway.port at run time (config/resolve.ts), so it wins here too.
  if (port !== undefined) setPath(c, 'gateway.port', port);
}

/** The legacy keys present in `config`. Pure. */
export function findLegacyKeys(config: JsonObject): Legacy[] {
  const found: Legacy[] = [];
  const token = valueAt(config, 'gateway.token');
  if (token !== undefined) {
    found.push({
      key: 'gateway.token', why: 'is replaced by gateway.auth.token',
      migrate: (c) => {
        if (!getPath(c, 'gateway.auth.token').found) setPath(c, 'gateway.auth.token', token);
        unsetPath(c, 'gateway.token');
      },
    });
  }
  const bind = valueAt(config, 'gateway.bind');
  if (typeof bind === 'string' && !isBindMode(bind)) {
    const { host, port } = parseBindLiteral(bind);
    found.push({ key: 'gateway.bind', why: `holds the literal address "${bind}" instead of loopback | lan | tailnet | auto | custom`, migrate: (c) => setBind(c, host, port) });
  }
  const host = valueAt(config, 'gateway.host');
  if (typeof host === 'string') {
    found.push({
      key: 'gateway.host', why: 'is replaced by gateway.bind',
      migrate: (c) => {
        if (!getPath(c, 'gateway.bind').found) setBind(c, host, undefined);
        unsetPath(c, 'gateway.host');
      },
    });
  }
  if (valueAt(config, 'gateway.controlUi.dangerouslyDisableDeviceAuth') !== undefined) {
    found.push({
      key: 'gateway.controlUi.dangerouslyDisableDeviceAuth', why: 'is retired and ignored (the Control UI always pairs its device)',
      migrate: (c) => void unsetPath(c, 'gateway.controlUi.dangerouslyDisableDeviceAuth'),
    });
  }
  return found;
}

export const legacyKeys: Check = {
  id: 'legacy-keys',
  title: 'No legacy or retired config keys',
  async run(ctx) {
    if (ctx.config.problem?.syntax) return skipped('Skipped: the config does not parse (see config-file).');
    const found = findLegacyKeys(ctx.config.value);
    if (found.length === 0) return ok('The config uses only current keys.');
    return warn(`${found.map((l) => `${l.key} ${l.why}`).join('; ')}.`, 'openclaw doctor --fix', !ctx.config.problem);
  },
  repairSummary: 'migrated legacy keys to their current form',
  repairConfig(config) {
    const next = structuredClone(config);
    for (const l of findLegacyKeys(next)) l.migrate(next);
    return next;
  },
};
