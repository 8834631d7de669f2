// One sentence per config key, added to the JSON Schema as `description` (`openclaw config schema`,
// the `config.schema` RPC, the Control UI's config form). Keys are dotted paths; `*` stands for any
// key of a map (a provider id, an account id, a group id). Kept beside the schema, not in it, so the
// zod definitions stay short; schema.test.ts checks every path here names a real schema node.

export const SCHEMA_DESCRIPTIONS: Record<string, string> = {
  gateway: 'How the gateway listens, who may connect and what it serves.',
  'gateway.mode': 'local: loopback only; remote: all interfaces, auth required; hybrid: all interfaces, loopback clients keep local trust. The gateway does not start while unset.',
  'gateway.bind': 'Where to listen: loopback (127.0.0.1), lan (0.0.0.0), tailnet, auto, or custom (uses customBindHost). Default: loopback for local mode, lan otherwise.',
  'gateway.host': 'Deprecated: use gateway.bind.',
  'gateway.port': 'The port for WebSocket, HTTP and the Control UI (default 18789; --port and OPENCLAW_GATEWAY_PORT win).',
  'gateway.customBindHost': 'The IPv4 address to listen on when bind is "custom" (the gateway also listens on 127.0.0.1, same port, for the CLI on that machine).',
  'gateway.publicOrigin': 'The public URL when the gateway is behind a reverse proxy (https://gw.example.com). Kept for upstream; not used by this gateway yet.',
  'gateway.auth': 'How clients prove who they are.',
  'gateway.auth.mode': 'none, token, password or trusted-proxy (default: password when a password is set, else token).',
  'gateway.auth.token': 'The shared token clients send (OPENCLAW_GATEWAY_TOKEN overrides it).',
  'gateway.auth.password': 'The shared password for password mode (OPENCLAW_GATEWAY_PASSWORD overrides it).',
  'gateway.auth.allowTailscale': 'Trust Tailscale identity headers (default on with tailscale.mode "serve" and token or no auth).',
  'gateway.auth.rateLimit': 'Failed sign-in attempts allowed per client before a lockout.',
  'gateway.auth.rateLimit.maxAttempts': 'Failed attempts within the window before the client is locked out (default 10).',
  'gateway.auth.rateLimit.windowMs': 'The window failed attempts are counted in, in milliseconds (default 60000).',
  'gateway.auth.rateLimit.lockoutMs': 'How long a locked-out client waits, in milliseconds (default 300000).',
  'gateway.auth.rateLimit.exemptLoopback': 'Never lock out clients on 127.0.0.1 (default true).',
  'gateway.auth.trustedProxy': 'trusted-proxy mode: the reverse proxy authenticates users and names them in a header.',
  'gateway.auth.trustedProxy.userHeader': 'The header carrying the authenticated user (required).',
  'gateway.auth.trustedProxy.requiredHeaders': 'Headers every proxied request must carry.',
  'gateway.auth.trustedProxy.allowUsers': 'Only these users may connect (empty: everyone the proxy lets through).',
  'gateway.auth.trustedProxy.allowLoopback': 'Accept the user header from loopback clients too (default false).',
  'gateway.auth.identityScopes': 'Operator scopes per proxy user, e.g. {"user@x": ["operator.admin"]}.',
  'gateway.token': 'Deprecated: use gateway.auth.token.',
  'gateway.remote': 'Client side: the gateway the CLI talks to when it is not this machine.',
  'gateway.remote.url': 'WebSocket URL of the remote gateway (wss://host:18789).',
  'gateway.remote.transport': 'ssh (a tunnel through sshTarget) or direct. Kept for upstream; this CLI connects directly.',
  'gateway.remote.token': 'The token for the remote gateway.',
  'gateway.remote.password': 'The password for the remote gateway.',
  'gateway.remote.tlsFingerprint': 'The SHA-256 fingerprint the remote certificate must have. Kept for upstream; not checked yet.',
  'gateway.remote.sshTarget': 'user@host for the SSH tunnel. Kept for upstream; not used yet.',
  'gateway.remote.sshIdentity': 'The SSH private key file for the tunnel. Kept for upstream; not used yet.',
  'gateway.remote.remotePort': 'The gateway port on the remote host (for the SSH tunnel). Kept for upstream; not used yet.',
  'gateway.trustedProxies': 'Proxy IPs or CIDRs whose X-Forwarded-For is believed (default none).',
  'gateway.allowRealIpFallback': 'Also believe X-Real-IP from trusted proxies (default false).',
  'gateway.controlUi': 'The browser dashboard served by the gateway.',
  'gateway.controlUi.enabled': 'Serve the Control UI (default true).',
  'gateway.controlUi.basePath': 'The URL path the Control UI is served under (default "/").',
  'gateway.controlUi.root': 'Serve the Control UI from this directory instead of the built-in one.',
  'gateway.controlUi.allowedOrigins': 'Browser origins besides the gateway\'s own that may open a WebSocket (https://ops.example.com).',
  'gateway.controlUi.allowInsecureAuth': 'Let browsers on plain HTTP away from localhost sign in (the token travels in clear text; default false).',
  'gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback': 'Accept an origin that only matches the Host header (default false; only behind a proxy you control).',
  'gateway.controlUi.dangerouslyDisableDeviceAuth': 'Retired and ignored.',
  'gateway.websocket': 'WebSocket connection settings.',
  'gateway.websocket.keepAlive': 'Seconds between pings (default 30); no pong within two intervals closes the connection.',
  'gateway.tls': 'Serve HTTPS and WSS. Kept for upstream; this gateway serves plain HTTP (put a TLS proxy in front).',
  'gateway.tls.enabled': 'Turn TLS on.',
  'gateway.tls.autoGenerate': 'Create a self-signed certificate when none is given.',
  'gateway.tls.certPath': 'The PEM certificate file.',
  'gateway.tls.keyPath': 'The PEM private key file.',
  'gateway.tls.caPath': 'The PEM CA bundle file.',
  'gateway.http': 'The HTTP API beside the WebSocket.',
  'gateway.http.endpoints.chatCompletions.enabled': 'Serve the OpenAI-compatible /v1 API (default: only when bound to loopback).',
  'gateway.http.endpoints.responses.enabled': 'Also serve the /v1 group for Responses clients (default false).',
  'gateway.http.securityHeaders.strictTransportSecurity': 'The Strict-Transport-Security header value. Kept for upstream; not sent yet.',
  'gateway.reload': 'What happens when openclaw.json changes.',
  'gateway.reload.mode': 'off, hot (apply in place), restart, or hybrid (hot where possible, else restart; default).',
  'gateway.reload.debounceMs': 'Wait this long after the last change before reloading, in milliseconds (default 300).',
  'gateway.nodes': 'Devices and nodes that pair with the gateway.',
  'gateway.nodes.pairing.autoApproveLocal': 'Approve devices on this machine without asking (default true).',
  'gateway.nodes.pairing.autoApproveCidrs': 'Approve devices from these networks without asking. Kept for upstream; not applied yet.',
  'gateway.tailscale': 'Publish the gateway through Tailscale.',
  'gateway.tailscale.mode': 'off, serve or funnel (default off). Here it only sets the default of gateway.auth.allowTailscale; the gateway does not run tailscale itself.',
  'gateway.tools.allow': 'Tools /tools/invoke may run (empty: all that are not denied).',
  'gateway.tools.deny': 'Tools /tools/invoke never runs.',
  models: 'The model backends the agents call.',
  'models.mode': 'merge or replace (upstream: beside or instead of its built-in catalog). This gateway has no built-in catalog, so both mean: the providers below.',
  'models.providers': 'Model backends by id; a model is named "<provider id>/<model id>".',
  'models.providers.*.baseUrl': 'The backend\'s API base URL (http://127.0.0.1:11434/v1).',
  'models.providers.*.apiKey': 'The API key (prefer apiKeyEnv or ${VAR}: the file then holds no secret).',
  'models.providers.*.apiKeyEnv': 'The environment variable holding the API key.',
  'models.providers.*.api': 'The wire protocol: openai-completions or anthropic-messages.',
  'models.providers.*.headers': 'Extra HTTP headers sent with every request.',
  'models.providers.*.models': 'The models this backend serves: [{id, name, contextWindow, maxTokens, compat}].',
  agents: 'The agents: which model answers, with which prompt.',
  'agents.defaults': 'Settings every agent inherits.',
  'agents.defaults.model': '"provider/model", or {primary, fallbacks} tried in order when a model fails.',
  'agents.defaults.models': 'Per-model aliases and parameters.',
  'agents.defaults.heartbeat': 'A periodic agent turn whose answer is delivered to a channel.',
  'agents.defaults.heartbeat.every': 'How often ("30m"; "0m" turns it off).',
  'agents.defaults.heartbeat.target': 'owner, last, none, or a channel id.',
  'agents.defaults.heartbeat.to': 'The recipient on the target channel.',
  'agents.defaults.heartbeat.prompt': 'What the heartbeat turn asks the agent.',
  'agents.defaults.timeoutSeconds': 'Per request: the longest wait for the first byte and between chunks (default 120).',
  'agents.defaults.systemPrompt': 'The system prompt of every agent without its own.',
  'agents.list': 'Named agents: [{id, name, model, systemPrompt, default}].',
  channels: 'Chat channels the gateway answers on.',
  'channels.telegram': 'A Telegram bot (token from @BotFather).',
  'channels.telegram.enabled': 'Run this bot (default true).',
  'channels.telegram.botToken': 'The bot token, or a SecretRef {source, id}.',
  'channels.telegram.tokenFile': 'A file holding the bot token.',
  'channels.telegram.apiRoot': 'The Bot API server (default https://api.telegram.org).',
  'channels.telegram.dmPolicy': 'Who may DM: pairing (unknown senders get a code to approve; default), allowlist, open, disabled.',
  'channels.telegram.allowFrom': 'Telegram user ids allowed to DM.',
  'channels.telegram.groupPolicy': 'Groups the bot answers in: allowlist (default), open, disabled.',
  'channels.telegram.groupAllowFrom': 'Senders whose group messages are answered ("*" for everyone).',
  'channels.telegram.groups': 'Per group id: requireMention, enabled, allowFrom, systemPrompt.',
  'channels.telegram.historyLimit': 'Unmentioned group messages kept as context (default 50).',
  'channels.telegram.textChunkLimit': 'Longer replies are split into messages of at most this many characters.',
  'channels.telegram.webhookUrl': 'Receive updates by webhook at this public URL instead of polling.',
  'channels.telegram.accounts': 'More bots by account id, each with the keys above.',
  'channels.defaults.groupPolicy': 'The groupPolicy of every channel account that sets none (default allowlist).',
  'channels.discord': 'A Discord bot.',
  'channels.whatsapp': 'A WhatsApp account linked by QR (openclaw channels login --channel whatsapp).',
  'channels.imessage': 'iMessage on a Mac.',
  session: 'How conversations map to sessions.',
  'session.dmScope': 'main: every DM in the agent\'s main session; per-peer, per-channel-peer, per-account-channel-peer: one session each.',
  commands: 'Chat commands (/new, /reset…).',
  'commands.ownerAllowFrom': 'Command owners, e.g. ["telegram:123456789"]; also the heartbeat\'s owner target.',
  messages: 'Message handling shared by all channels.',
  'messages.groupChat.mentionPatterns': 'Case-insensitive regexes that count as mentioning the bot in groups.',
  'messages.groupChat.historyLimit': 'Unmentioned group messages kept as context, for channels without their own historyLimit (default 50).',
  logging: 'The gateway log file.',
  'logging.level': 'The least severe level written: debug, info (default), warn, error (OPENCLAW_LOG_LEVEL wins).',
  'logging.maxFileBytes': 'Rotate the log at this size (default 10 MiB).',
  'logging.maxFiles': 'Rotated log files kept (default 5).',
  'logging.file': 'Upstream: the log file path. Kept; this gateway writes to its state directory.',
  'logging.redactSensitive': 'Upstream: off or tools. Kept; this gateway always redacts secrets in its log.',
  meta: 'Written by setup (createdAt, createdBy).',
  env: 'Environment values for the gateway.',
  'env.vars': 'Values used when the process environment does not set them.',
};

type Node = { properties?: Record<string, Node>; additionalProperties?: unknown; anyOf?: Node[]; oneOf?: Node[]; description?: string };

/** The schema nodes a dotted path names (several when a union has object variants). */
export function schemaNodesAt(root: object, path: string): Node[] {
  let nodes: Node[] = [root as Node];
  for (const seg of path.split('.')) {
    const next: Node[] = [];
    const visit = (n: Node) => {
      for (const v of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) visit(v);
      if (seg === '*') {
        if (n.additionalProperties && typeof n.additionalProperties === 'object') next.push(n.additionalProperties as Node);
      } else if (n.properties?.[seg]) next.push(n.properties[seg]);
    };
    nodes.forEach(visit);
    nodes = next;
  }
  return nodes;
}

/** Writes the descriptions into a JSON Schema of openclaw.json (in place) and returns it. */
export function addDescriptions<T extends object>(schema: T): T {
  for (const [path, text] of Object.entries(SCHEMA_DESCRIPTIONS)) for (const n of schemaNodesAt(schema, path)) n.description = text;
  return schema;
}
