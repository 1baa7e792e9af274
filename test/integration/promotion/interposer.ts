/**
 * A reverse proxy in front of a real registry that behaves like deployments Berth meets in the wild, for the
 * two cases a plain distribution registry never shows:
 *   - `declineMounts`: the cross-repository mount is refused (the `mount`/`from` parameters are dropped, so the
 *     registry opens an ordinary upload session and answers 202, as registries do when they decline);
 *   - `maxBodyBytes`: request bodies above a size are refused with 413, as nginx's `client_max_body_size`
 *     does in front of many registries (the body is read and discarded first, like nginx's lingering close).
 * Deletes can be misanswered too (`answerDelete`), for the delete tests' hostile peers.
 * Everything else passes through unchanged, Host header included, so the registry's Location headers point
 * back at the proxy.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InterposerOptions {
  declineMounts?: boolean;
  maxBodyBytes?: number;
  /**
   * Plays a registry that misanswers deletes: called for every DELETE (its path and how many DELETEs came
   * before); an answer is sent instead of forwarding (nothing is deleted), undefined forwards it.
   */
  answerDelete?: (path: string, before: number) => { status: number; body: string } | undefined;
}

export interface RunningInterposer {
  host: string;
  /** Requests seen, as `METHOD path`. */
  seen: string[];
  close(): Promise<void>;
}

function stripMount(url: string): string {
  const parsed = new URL(url, 'http://proxy');
  parsed.searchParams.delete('mount');
  parsed.searchParams.delete('from');
  return `${parsed.pathname}${parsed.search}`;
}

export async function startInterposer(
  upstream: { host: string },
  options: InterposerOptions,
): Promise<RunningInterposer> {
  const [upstreamHost, upstreamPort] = upstream.host.split(':') as [string, string];
  const seen: string[] = [];
  let deletes = 0;
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const method = incoming.method ?? 'GET';
    seen.push(`${method} ${incoming.url ?? ''}`);
    if (method === 'DELETE' && options.answerDelete) {
      const answer = options.answerDelete(incoming.url ?? '/', deletes++);
      if (answer) {
        incoming.resume();
        outgoing.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        return;
      }
    }
    const declared = Number(incoming.headers['content-length'] ?? 0);
    if (options.maxBodyBytes !== undefined && declared > options.maxBodyBytes) {
      incoming.resume();
      incoming.on('end', () =>
        outgoing
          .writeHead(413, { 'content-type': 'text/html' })
          .end('<html><body>413 Request Entity Too Large</body></html>'),
      );
      return;
    }
    const path = options.declineMounts && method === 'POST' ? stripMount(incoming.url ?? '/') : (incoming.url ?? '/');
    const forward = request(
      { host: upstreamHost, port: Number(upstreamPort), method, path, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
