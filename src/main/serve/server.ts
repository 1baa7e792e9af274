import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallMessage, ServerMessage } from '../../shared/wire';
import { API_PATH, WIRE_PROTOCOL } from '../../shared/wire';
import type { Dispatcher } from '../api/dispatcher';
import { hostAllowed, originAllowed, tokenFromProtocols, tokenMatches } from './access';
import { callFrameLimit } from './frame-limit';
import { serveStatic } from './static-files';

export interface ServeOptions {
  dispatcher: Dispatcher;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Tests pass one; otherwise 256 random bits. */
  token?: string;
}

export interface RunningServe {
  port: number;
  token: string;
  /** The URL to open: the token rides in the fragment, which browsers never send to a server. */
  url: string;
  close(): Promise<void>;
}

/** Bounds for hostile clients: a connection cannot start unbounded work. */
const MAX_CALLS_IN_FLIGHT = 64;
/** Open API connections at once: a person's tabs need a handful; each may buffer a frame of callFrameLimit() bytes. */
export const MAX_CONNECTIONS = 32;
/**
 * Over MAX_CONNECTIONS the upgrade is accepted and closed at once with 1013 "Try Again Later" (IANA WebSocket
 * close code registry) and this reason: a page's WebSocket sees a close code and reason, never the status or
 * body of a refused upgrade, so this is the only way the UI can say why. At most 123 bytes (RFC 6455 5.5).
 */
export const TRY_AGAIN_LATER = 1013;
export const TOO_MANY_CONNECTIONS = `Berth already has ${MAX_CONNECTIONS} connections open: close other Berth tabs, then reload this page.`;

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const server: Server = createServer();
  // The frame limit is the contract's largest valid call: anything bigger is closed with 1009 by ws itself.
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: callFrameLimit(),
    handleProtocols: () => WIRE_PROTOCOL,
  });
  let port = 0;
  let connections = 0;

  server.on('request', (request, response) => {
    if (!hostAllowed(request, port)) {
      response.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    serveStatic(options.rendererDir, request.url ?? '/', response, port).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands over an upgrade's socket with no 'error' listener: a client that resets before the refusal
    // below is written would otherwise end the process with ECONNRESET. (ws adds its own once it takes over.)
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0];
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== API_PATH || !hostAllowed(request, port) || !originAllowed(request, port))
      return refuse(403, 'Forbidden');
    if (!tokenMatches(tokenFromProtocols(request.headers['sec-websocket-protocol']), token))
      return refuse(401, 'Unauthorized');
    sockets.handleUpgrade(request, socket, head, (ws) => {
      // A frame over maxPayload, invalid UTF-8 or another protocol violation: ws has already closed this one
      // connection with the matching code (1009, 1007, 1002; see receiverOnError in ws/lib/websocket.js) before
      // emitting 'error'. Unlistened, the 'error' would be thrown and end the whole process
      // (https://nodejs.org/api/events.html#error-events).
      ws.on('error', () => undefined);
      if (connections >= MAX_CONNECTIONS) return ws.close(TRY_AGAIN_LATER, TOO_MANY_CONNECTIONS);
      connections++;
      ws.once('close', () => connections--);
      serveConnection(ws, options.dispatcher);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveConnection(ws: WebSocket, dispatcher: Dispatcher): void {
  const closed = new AbortController();
  let inFlight = 0;
  const send = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  // Events for every window (a registry Berth changed) reach this connection until it closes.
  const unsubscribe = dispatcher.subscribe((event, payload) =>
    send({ type: 'event', event, payload } as ServerMessage),
  );
  ws.on('close', () => {
    unsubscribe();
    closed.abort();
  });
  ws.on('message', (data, isBinary) => {
    const message = isBinary ? undefined : parseCall(data.toString());
    if (!message) {
      ws.close(1003, 'Expected a JSON call message');
      return;
    }
    if (inFlight >= MAX_CALLS_IN_FLIGHT) {
      send({
        type: 'result',
        id: message.id,
        ok: false,
        error: { code: 'rate_limited', message: 'Too many requests in flight on this connection' },
      });
      return;
    }
    inFlight++;
    const sink = (event: string, payload: unknown) => send({ type: 'event', event, payload } as ServerMessage);
    void dispatcher
      .call(message.name, message.input, sink as never, closed.signal)
      .then((outcome) => send({ type: 'result', id: message.id, ...outcome }))
      .finally(() => inFlight--);
  });
}

function parseCall(text: string): CallMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<CallMessage>;
    if (value?.type === 'call' && Number.isSafeInteger(value.id) && typeof value.name === 'string')
      return value as CallMessage;
  } catch {
    // fall through: not JSON
  }
  return undefined;
}
