// Every local check, in the order a person would fix things: files first, then the running gateway.
import type { Check } from './types.js';
import { nodeVersion } from './checks/node-version.js';
import { configFile } from './checks/config-file.js';
import { lastGood } from './checks/last-good.js';
import { rejectedConfigs } from './checks/rejected-configs.js';
import { gatewayMode } from './checks/gateway-mode.js';
import { legacyKeys } from './checks/legacy-keys.js';
import { unsupportedKeys } from './checks/unsupported-keys.js';
import { authToken } from './checks/auth-token.js';
import { authCredential } from './checks/auth-credential.js';
import { bindAuth } from './checks/bind-auth.js';
import { tokenStrength } from './checks/token-strength.js';
import { tokenDrift } from './checks/token-drift.js';
import { remoteUrl } from './checks/remote-url.js';
import { statePermissions } from './checks/state-permissions.js';
import { pidFile } from './checks/pid-file.js';
import { portOwner } from './checks/port-owner.js';
import { gatewayRunning } from './checks/gateway-running.js';
import { pendingPairing } from './checks/pending-pairing.js';
import { allowedOrigins } from './checks/allowed-origins.js';
import { secureContext } from './checks/secure-context.js';
import { trustedProxies } from './checks/trusted-proxies.js';
import { keepalive } from './checks/keepalive.js';
import { memory } from './checks/memory.js';
import { modelProviders } from './checks/model-providers.js';
import { channels } from './checks/channels.js';
import { channelDmPolicy } from './checks/channel-dm-policy.js';
import { channelTokenFile } from './checks/channel-token-file.js';
import { channelTelegramToken } from './checks/channel-telegram-token.js';
import { channelTelegramConflict } from './checks/channel-telegram-conflict.js';
import { channelProbe } from './checks/channel-probe.js';
import { channelPrivacyMode } from './checks/channel-privacy-mode.js';
import { channelDiscordToken } from './checks/channel-discord-token.js';
import { channelDiscordIntents } from './checks/channel-discord-intents.js';
import { channelDiscordDm } from './checks/channel-discord-dm.js';
import { channelWhatsAppSession } from './checks/channel-whatsapp-session.js';
import { channelIMessageRpc } from './checks/channel-imessage-rpc.js';
import { channelPairing } from './checks/channel-pairing.js';

export const CHECKS: readonly Check[] = [
  nodeVersion, configFile, lastGood, rejectedConfigs, gatewayMode, legacyKeys, unsupportedKeys, authToken, authCredential, bindAuth,
  tokenStrength, tokenDrift, remoteUrl, statePermissions, pidFile, portOwner, gatewayRunning, pendingPairing,
  allowedOrigins, secureContext, trustedProxies, keepalive, memory, modelProviders, channels,
  // Per channel: credentials, then the connection, then behaviour; pairing (every channel) last.
  channelDmPolicy, channelTokenFile, channelTelegramToken, channelTelegramConflict, channelProbe, channelPrivacyMode,
  channelDiscordToken, channelDiscordIntents, channelDiscordDm, channelWhatsAppSession, channelIMessageRpc, channelPairing,
];
