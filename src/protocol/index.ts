// Pure protocol definitions: import specific files from the UI (frames.ts pulls in zod).
export * from './constants.js';
export * from './scopes.js';
export * from './events.js';
export * from './close-codes.js';
export * from './errors.js';
export * from './device-auth.js';
export * from './frames.js';
