// The package's public entry point (`import … from 'openclaw-gateway'`): the client SDK and the
// protocol types. `openclaw-gateway/client` and `openclaw-gateway/protocol` are the two halves alone.
export * from './client/index.js';
export * from './protocol/index.js';
