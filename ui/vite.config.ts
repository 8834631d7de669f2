// Builds the Control UI into dist/control-ui (served by src/gateway/control-ui-http.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const pkg = JSON.parse(readFileSync(here('../package.json'), 'utf8')) as { version: string };

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  define: { __UI_VERSION__: JSON.stringify(pkg.version) },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/control-ui'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script>/<style>: the gateway's CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
