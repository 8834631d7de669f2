// The GatewayServices object every method and extension receives. The server owns the mutable
// parts (current settings, current control plane) and passes accessors in.
import type { ResolvedGatewaySettings } from '../config/types.js';
import type { Logger } from '../logging/types.js';
import type { GatewayServices } from './methods/types.js';

export interface ServicesInit {
  version: string;
  startedAt: number;
  stateDir: string;
  configPath: string;
  log: Logger;
  /** Path of the JSONL log (for logs.tail). */
  logFile: string;
  settings(): ResolvedGatewaySettings;
  broadcast(event: string, payload: unknown): void;
  requestRestart(reason: string): void;
}

export interface ProcessServices extends GatewayServices {
  logFile: string;
}

export function createServices(init: ServicesInit): ProcessServices {
  return {
    version: init.version,
    startedAt: init.startedAt,
    stateDir: init.stateDir,
    configPath: init.configPath,
    log: init.log,
    logFile: init.logFile,
    settings: init.settings,
    broadcast: init.broadcast,
    requestRestart: init.requestRestart,
  };
}
