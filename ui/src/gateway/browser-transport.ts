// The browser transport of the shared protocol client core (src/client/core): the global WebSocket.
import type { TransportFactory } from '../../../src/client/core/transport.js';

export const browserTransport: TransportFactory = (url, handlers) => {
  const ws = new WebSocket(url); // throws on a malformed or CSP-blocked URL: the core reports it
  let closed = false;
  const closeOnce = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    handlers.close(code, reason);
  };
  ws.onopen = () => handlers.open();
  ws.onmessage = (ev) => handlers.message(String(ev.data));
  ws.onerror = () => handlers.error(new Error('WebSocket error'));
  ws.onclose = (ev) => closeOnce(ev.code, ev.reason);
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    get isClosed() {
      return closed || ws.readyState === WebSocket.CLOSED;
    },
    send(text) {
      try {
        ws.send(text);
      } catch {
        // not open any more: the close that follows ends the attempt
      }
    },
    close: (code, reason) => ws.close(code, reason),
    // A browser cannot drop a socket without the closing handshake: start it and end the attempt now.
    terminate() {
      try {
        ws.close();
      } catch {
        // already closing
      }
      closeOnce(1006, '');
    },
  };
};
