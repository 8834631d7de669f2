export { createDiscordAdapter } from './adapter.js';
