// Entry of the CLI bundle (scripts/bundle-cli.mjs bundles from here into dist/cli/openclaw.cjs).
// No top-level await: the bundle is CommonJS.
import { runCli } from './program.js';

void runCli(process.argv);
