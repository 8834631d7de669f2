// Deprecated or retired keys that still load, each with a warning that names the replacement and
// the command that migrates it. Used by load (warnings) and resolve (settings.warnings).
import { isBindMode, parseBindLiteral } from './bind.js';
import type { OpenClawConfig } from './schema.js';

const MIGRATE = 'openclaw doctor --fix migrates it';

export function configDeprecations(config: OpenClawConfig): string[] {
  const gw = config.gateway;
  if (!gw) return [];
  const out: string[] = [];
  if (gw.bind !== undefined && !isBindMode(gw.bind)) {
    const { host, port } = parseBindLiteral(gw.bind);
    const suggestion = host === '0.0.0.0' ? 'gateway.bind "lan"' : host.startsWith('127.') || host === 'localhost' ? 'gateway.bind "loopback"' : `gateway.bind "custom" with gateway.customBindHost "${host}"`;
    out.push(`gateway.bind "${gw.bind}" is a deprecated HOST${port !== undefined ? ':PORT' : ''} alias; use ${suggestion}${port !== undefined ? ` and gateway.port ${port}` : ''} (${MIGRATE}).`);
  }
  if (gw.host !== undefined) out.push(`gateway.host is deprecated; use gateway.bind (${MIGRATE}).`);
  if (gw.token !== undefined) out.push(`gateway.token is deprecated; use gateway.auth.token (${MIGRATE}).`);
  if (gw.controlUi?.dangerouslyDisableDeviceAuth !== undefined) {
    out.push(`gateway.controlUi.dangerouslyDisableDeviceAuth is retired and ignored; the Control UI always pairs its device (${MIGRATE}: it removes the key).`);
  }
  return out;
}
