// Serves the built Control UI (dist/control-ui) at gateway.controlUi.basePath: static files with a
// strict CSP (own origin + this gateway's WebSocket, no inline script, no framing), SPA fallback to
// index.html, and nothing outside the build directory (no `..`, no dotfiles, no symlinks out).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler } from './extensions.js';
import type { GatewayServices } from './methods/types.js';

export interface ControlUiHandlerOptions {
  services: GatewayServices;
  /** Directory of the built app; default settings.controlUi.root, else <package root>/dist/control-ui. */
  root?: string;
}

/** Paths other handlers own, even when the UI is mounted at `/`. */
const RESERVED_PREFIXES = ['/v1/', '/hooks/', '/tools/', '/api/', '/__openclaw__/', '/avatar/'];
const RESERVED_PATHS = new Set(['/health', '/healthz', '/ready', '/readyz', '/startup', '/startupz', '/v1', '/tools/invoke']);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The directory holding package.json, found by walking up from `fromDir`. */
export function findPackageRoot(fromDir: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = fromDir;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return fromDir;
    dir = parent;
  }
}

export function defaultControlUiRoot(): string {
  return path.join(findPackageRoot(), 'dist', 'control-ui');
}

/** `''` for the root mount, else `/segment[/segment]` without a trailing slash. */
export function normalizeBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').trim().replace(/\/+$/, '');
  if (!trimmed) return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** CSP: only this origin, plus this gateway's WebSocket; a malformed Host gets `'self'` alone. */
export function controlUiCsp(host: string | undefined): string {
  const ws = host && HOST_HEADER.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

function setUiHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', controlUiCsp(req.headers.host));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  setUiHeaders(req, res);
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : text + '\n');
}

function sendBody(req: IncomingMessage, res: ServerResponse, body: Buffer, type: string, cache: string): void {
  setUiHeaders(req, res);
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', cache);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The request path relative to the mount, or null when the request is not for the UI. */
function relativeUiPath(pathname: string, basePath: string): string | null {
  if (!basePath) {
    if (RESERVED_PATHS.has(pathname) || RESERVED_PREFIXES.some((p) => pathname.startsWith(p))) return null;
    return pathname;
  }
  if (pathname === basePath) return '';
  if (!pathname.startsWith(basePath + '/')) return null;
  return pathname.slice(basePath.length);
}

/** Resolves a URL path inside root; null for anything that could escape it or is hidden. */
function resolveInside(root: string, rel: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  const file = path.join(root, ...segments);
  const back = path.relative(root, file);
  if (back.startsWith('..') || path.isAbsolute(back)) return null;
  return file;
}

/** A regular file whose real path stays inside the real root (no symlinks out). */
function statInside(realRoot: string, file: string): fs.Stats | null {
  try {
    const real = fs.realpathSync(file);
    const back = path.relative(realRoot, real);
    if (back.startsWith('..') || path.isAbsolute(back)) return null;
    const st = fs.statSync(real);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/** index.html with a <base> so relative asset URLs work from any SPA route. */
function indexHtml(root: string, basePath: string): Buffer | null {
  try {
    const html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
    const base = `<base href="${basePath}/">`;
    return Buffer.from(/<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => `${m}\n    ${base}`) : base + html, 'utf8');
  } catch {
    return null;
  }
}

export function createControlUiHandler(o: ControlUiHandlerOptions): HttpHandler {
  return (req, res) => {
    const ui = o.services.settings().controlUi;
    if (!ui.enabled || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const basePath = normalizeBasePath(ui.basePath);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false;
    }
    const rel = relativeUiPath(url.pathname, basePath);
    if (rel === null) return false;
    if (rel === '') {
      // /base → /base/ so relative asset URLs resolve under the mount.
      setUiHeaders(req, res);
      res.statusCode = 302;
      res.setHeader('Location', `${basePath}/${url.search}`);
      res.end();
      return true;
    }
    const root = path.resolve(o.root ?? ui.root ?? defaultControlUiRoot());
    let realRoot: string;
    try {
      realRoot = fs.realpathSync(root);
    } catch {
      realRoot = '';
    }
    const index = realRoot ? indexHtml(realRoot, basePath) : null;
    if (!index) {
      sendText(req, res, 503, `The Control UI is not built (no ${path.join(root, 'index.html')}). Fix: npm run build:ui`);
      return true;
    }
    const file = resolveInside(realRoot, rel);
    if (file === null) {
      sendText(req, res, 404, 'Not found');
      return true;
    }
    if (file === realRoot || path.relative(realRoot, file) === 'index.html') {
      sendBody(req, res, index, CONTENT_TYPES['.html'], 'no-cache');
      return true;
    }
    const st = statInside(realRoot, file);
    if (st) {
      const ext = path.extname(file).toLowerCase();
      // Vite puts content-hashed names under assets/: safe to cache forever.
      const immutable = path.relative(realRoot, file).startsWith(`assets${path.sep}`);
      sendBody(req, res, fs.readFileSync(file), CONTENT_TYPES[ext] ?? 'application/octet-stream', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return true;
    }
    // A missing file (has an extension) is a 404; anything else is a client-side route.
    if (path.extname(file)) sendText(req, res, 404, 'Not found');
    else sendBody(req, res, index, CONTENT_TYPES['.html'], 'no-cache');
    return true;
  };
}
