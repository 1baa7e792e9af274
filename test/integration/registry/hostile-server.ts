/**
 * A small HTTP(S) server that plays a hostile or broken registry (the one place a fake server is right):
 * each test gives the handler that misbehaves the way it needs. Every request is recorded with its
 * headers, so tests can assert what arrived (e.g. that no Authorization reached another host).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export type HostileHandler = (request: IncomingMessage, response: ServerResponse, server: HostileServer) => unknown;

export interface HostileServer {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` (https:// with tls) */
  url: string;
  requests: RecordedRequest[];
  /** Sockets seen so far (to check that a client hung up). */
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function startHostileServer(
  handler: HostileHandler,
  options: { address?: string; tls?: { key: string; cert: string } } = {},
): Promise<HostileServer> {
  const address = options.address ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  // eslint-disable-next-line prefer-const
  let hostile: HostileServer;
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    Promise.resolve(handler(request, response, hostile)).catch(() => response.destroy());
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `${address}:${port}`;
  hostile = {
    host,
    url: `${options.tls ? 'https' : 'http'}://${host}`,
    requests,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return hostile;
}

/** Sends JSON with the registry's usual headers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'docker-distribution-api-version': 'registry/2.0',
    ...headers,
  });
  response.end(text);
}
