// Loads the Control UI's browser modules (ui/src/**) in Node through Vite, compiled exactly as the
// bundle sees them, for unit tests of their pure logic.
import path from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { findPackageRoot } from '../gateway/control-ui-http.js';

/** A middleware-mode Vite server rooted at ui/; `ssrLoadModule('/src/…')` returns a module. Close it after. */
export function uiModuleServer(): Promise<ViteDevServer> {
  return createServer({
    root: path.join(findPackageRoot(), 'ui'),
    configFile: false,
    logLevel: 'silent',
    appType: 'custom',
    server: { middlewareMode: true, hmr: false, ws: false },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
}
