// What the protocol client core needs from a socket. Two implementations: the Node one over the
// `ws` package (src/client/ws-transport.ts) and the browser one over the global WebSocket
// (ui/src/gateway/browser-transport.ts). Tests add an in-memory one.

export interface TransportHandlers {
  open(): void;
  message(text: string): void;
  /** A socket error; the close that follows ends the attempt. */
  error(err: Error): void;
  /** Called once per socket, also after terminate(). */
  close(code: number, reason: string): void;
}

export interface TransportOptions {
  /** Origin header (Node clients that act like a browser); a browser sends its own. */
  origin?: string;
}

export interface Transport {
  readonly isOpen: boolean;
  readonly isClosed: boolean;
  send(text: string): void;
  close(code: number, reason?: string): void;
  /** Drop the socket now, without a closing handshake (close arrives with 1006). */
  terminate(): void;
}

/** Opens a socket; throws when the URL cannot be opened at all (malformed, blocked). */
export type TransportFactory = (url: string, handlers: TransportHandlers, opts: TransportOptions) => Transport;
