// The Node transport of the protocol client core: the `ws` package, with the client's payload cap.
import WebSocket from 'ws';
import { MAX_PAYLOAD_BYTES } from '../protocol/constants.js';
import type { TransportFactory } from './core/transport.js';

export const wsTransport: TransportFactory = (url, handlers, opts) => {
  const headers: Record<string, string> = {};
  if (opts.origin) headers.Origin = opts.origin;
  const ws = new WebSocket(url, { headers, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  ws.on('open', () => handlers.open());
  ws.on('message', (data) => handlers.message(data.toString()));
  ws.on('error', (err) => handlers.error(err));
  ws.on('close', (code, reason) => handlers.close(code, reason.toString()));
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    get isClosed() {
      return ws.readyState === WebSocket.CLOSED;
    },
    send: (text) => ws.send(text, () => {}), // a send on a dying socket fails in the close that follows
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
  };
};
