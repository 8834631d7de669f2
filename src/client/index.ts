// The client SDK: GatewayClient (long-lived, reconnecting, resuming), one-shot callGateway /
// withGateway for CLI commands, target resolution and the typed errors.
export { GatewayClient, type GatewayClientOptions, type GatewayClientEvents, type HelloOk, type ConnectionState, type ConnectionStateName, type RequestOptions, type ResumeState } from './gateway-client.js';
export { callGateway, withGateway, type CallOptions, type ConnectOptions } from './call.js';
export { GatewayCallError, GatewayClosedError, GatewayConnectError, GatewayTimeoutError, GatewayUnreachableError } from './errors.js';
export { resolveGatewayTarget, type GatewayTarget, type TargetInput } from './target.js';
export { DeviceTokenStore, loadOrCreateDeviceIdentity, type DeviceIdentity } from './identity.js';
export { ProtocolClient, type CoreOptions, type CoreHooks, type CoreIdentity, type DeviceTokenCache } from './core/protocol-client.js';
export type { Transport, TransportFactory, TransportHandlers, TransportOptions } from './core/transport.js';
export { wsTransport } from './ws-transport.js';
