// The discord.js packages, required when this module is first evaluated. The CLI bundle keeps them
// external, and the bundler hoists an external `import` to the bundle's first lines, where it ran
// on every start of every command (@discordjs/ws, ws and discord-api-types: ~30 ms, several MB)
// even without a Discord account. Here they load with the adapter, which registry.ts imports on
// first use. Type imports stay plain `import type`.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const discordWs = require('@discordjs/ws') as typeof import('@discordjs/ws');
export const discordApi = require('discord-api-types/v10') as typeof import('discord-api-types/v10');
