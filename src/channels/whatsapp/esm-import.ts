// `import()` that survives the CommonJS CLI bundle (see esm-loader.cts): used for Baileys and for
// the test-only fake socket module. Unbundled (tests, plain tsc output) the loader sits beside this
// file; from the bundle (dist/cli/openclaw.cjs) it is at ../channels/whatsapp/.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

let loader: ((specifier: string) => Promise<unknown>) | undefined;

export async function importEsm<T>(specifier: string): Promise<T> {
  if (!loader) {
    const candidates = ['./esm-loader.cjs', '../channels/whatsapp/esm-loader.cjs'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
    const file = candidates.find((f) => fs.existsSync(f));
    if (!file) throw new Error(`cannot load ${specifier}: esm-loader.cjs is missing next to ${fileURLToPath(import.meta.url)} (rebuild: npm run build)`);
    loader = createRequire(import.meta.url)(file) as (specifier: string) => Promise<unknown>;
  }
  return (await loader(specifier)) as T;
}
