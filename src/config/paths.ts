// Where state lives. Every path the gateway and CLI touch is derived here from the env.
import os from 'node:os';
import path from 'node:path';

export type Env = Record<string, string | undefined>;

export function homeDir(env: Env = process.env): string {
  return env.OPENCLAW_HOME || env.HOME || os.homedir();
}

/** $OPENCLAW_STATE_DIR, else ~/.openclaw (profile: ~/.openclaw-<name>). */
export function resolveStateDir(env: Env = process.env): string {
  if (env.OPENCLAW_STATE_DIR) return path.resolve(env.OPENCLAW_STATE_DIR);
  const profile = env.OPENCLAW_PROFILE;
  return path.join(homeDir(env), profile ? `.openclaw-${profile}` : '.openclaw');
}

/** $OPENCLAW_CONFIG_PATH, else <state>/openclaw.json. */
export function resolveConfigPath(env: Env = process.env): string {
  if (env.OPENCLAW_CONFIG_PATH) return path.resolve(env.OPENCLAW_CONFIG_PATH);
  return path.join(resolveStateDir(env), 'openclaw.json');
}

export interface StatePaths {
  stateDir: string;
  configPath: string;
  pidFile: string;
  logDir: string;
  gatewayLog: string;
  devicesDir: string;
  identityDir: string;
  agentsDir: string;
  credentialsDir: string;
  replayDir: string;
}

export function statePaths(env: Env = process.env): StatePaths {
  const stateDir = resolveStateDir(env);
  const logDir = path.join(stateDir, 'logs');
  return {
    stateDir,
    configPath: resolveConfigPath(env),
    pidFile: path.join(stateDir, 'gateway.pid'),
    logDir,
    gatewayLog: path.join(logDir, 'gateway.log'),
    devicesDir: path.join(stateDir, 'devices'),
    identityDir: path.join(stateDir, 'identity'),
    agentsDir: path.join(stateDir, 'agents'),
    credentialsDir: path.join(stateDir, 'credentials'),
    replayDir: path.join(stateDir, 'replay'),
  };
}
