// @discordjs/rest's Node build brings its own copy of undici (several MB of RSS for a few REST
// calls); its web build is the same client on the fetch Node already ships. The package's exports
// map offers the web build only to non-Node runtimes, so it is loaded here by path, beside the
// entry the resolver picks. Errors are duck-typed in errors.ts, so either build's classes work.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { REST as RestClient } from '@discordjs/rest';

export type REST = RestClient;

const require = createRequire(import.meta.url);
const webBuild = path.join(path.dirname(require.resolve('@discordjs/rest')), 'web.js');

export const REST: typeof RestClient = (require(webBuild) as { REST: typeof RestClient }).REST;
