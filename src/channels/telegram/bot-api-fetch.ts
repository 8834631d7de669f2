// The fetch grammY calls the Bot API with: our node:http fetch (src/infra/http-fetch.ts) instead of
// its default node-fetch@2, whose whatwg-url / tr46 chain (tr46's Unicode table) costs a gateway
// with one Telegram account ~2.5 MB of heap and the CLI bundle ~0.5 MB of source it keeps in memory,
// for URL handling the Bot API never needs. The adapter passes it as `client.fetch`; the CLI bundle
// also resolves grammY's own `node-fetch` imports to this module (scripts/bundle-cli.mjs), so
// node-fetch is not even loaded there. One keep-alive pool for every account of the process.
import { createHttpFetch } from '../../infra/http-fetch.js';

let shared: ReturnType<typeof createHttpFetch> | undefined;

/** fetch(url, init) as grammY uses it: POST with a JSON or multipart (stream) body, then `res.json()`. */
export default function botApiFetch(...args: Parameters<ReturnType<typeof createHttpFetch>>): ReturnType<ReturnType<typeof createHttpFetch>> {
  return (shared ??= createHttpFetch({ plainHeaders: true }))(...args);
}
