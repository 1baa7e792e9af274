/**
 * Hostile or broken peers on a unix socket, standing in for an engine where a real one cannot misbehave on
 * demand: a socket that is not Docker, an engine that drops a push stream, one that speaks a too-old API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeEngine {
  host: string;
  socketPath: string;
  /** `METHOD path` of every HTTP request received. */
  requests: string[];
  close(): Promise<void>;
}

async function listen(
  server: Server,
  make: (socketPath: string) => Omit<FakeEngine, 'close' | 'host' | 'socketPath'>,
): Promise<FakeEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fake-engine-'));
  const socketPath = join(dir, 'engine.sock');
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    host: `unix://${socketPath}`,
    socketPath,
    ...make(socketPath),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An HTTP server on a unix socket; `handle` plays the engine. */
export async function startFakeHttpEngine(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<FakeEngine> {
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handle(req, res);
  });
  return listen(server, () => ({ requests }));
}

/** A unix socket that is not HTTP at all: it greets like an SSH server and hangs up. */
export async function startNonHttpSocket(): Promise<FakeEngine> {
  const server = createNetServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
  return listen(server, () => ({ requests: [] }));
}

/** Answers `/_ping` as Docker 20.10 does (API 1.41 unless told otherwise). */
export function answerPing(req: IncomingMessage, res: ServerResponse, apiVersion = '1.41'): boolean {
  if (req.url !== '/_ping') return false;
  res.writeHead(200, { 'api-version': apiVersion, ostype: 'linux', 'content-type': 'text/plain' });
  res.end('OK');
  return true;
}

/** Writes JSON progress lines as the engine does, flushed one by one. */
export function streamLines(res: ServerResponse, lines: object[]): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (const line of lines) res.write(`${JSON.stringify(line)}\r\n`);
}
