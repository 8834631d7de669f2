// The proxy lines that fix each failure `doctor --url` can name. docs/reverse-proxy.md holds the
// full, tested configurations these come from.

export const UPGRADE_HEADER_FIX = [
  'nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;',
  'Apache: ProxyPass / http://127.0.0.1:18789/ upgrade=websocket (a2enmod proxy proxy_http proxy_wstunnel)',
  'Caddy: reverse_proxy 127.0.0.1:18789 (upgrades are forwarded by default; remove any header_up -Upgrade/-Connection)',
].join(' | ');

export function idleTimeoutFix(keepAliveSeconds: number): string {
  return `openclaw config set gateway.websocket.keepAlive ${keepAliveSeconds}  # or raise the proxy idle timeout: nginx proxy_read_timeout 3600s; Apache ProxyPass ... timeout=3600 (and Timeout); Caddy stream_timeout`;
}

export const FORWARDED_FOR_FIX = 'nginx: proxy_set_header X-Forwarded-For $remote_addr; | Apache: ProxyAddHeaders Off + RequestHeader set X-Forwarded-For "expr=%{REMOTE_ADDR}" | Caddy: header_up X-Forwarded-For {remote_host}';
