/**
 * Fake vendor peers (the test world has no Harbor and no Docker Hub). The fake Harbor is a proxy in front of
 * a real distribution registry that adds Harbor's API: its tag delete hides that one tag from the registry
 * API answers (as Harbor's does), its artifact delete deletes the manifest on the real registry, and its
 * artifact list reports the pull times a test sets. The fake Hub API holds tag records in memory, signs in
 * with a JWT and deletes tags. Both record every request so tests check exactly what Berth sent.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePeer {
  host: string;
  url: string;
  /** Requests seen, as `METHOD path`, with `authorization` noted as ` [bearer]`/` [basic]` when sent. */
  seen: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<{ host: string; url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function note(incoming: IncomingMessage): string {
  const auth = incoming.headers.authorization?.split(' ')[0]?.toLowerCase();
  return `${incoming.method} ${incoming.url}${auth ? ` [${auth}]` : ''}`;
}

function json(outgoing: ServerResponse, status: number, body: unknown): void {
  outgoing.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A plain request to the upstream registry; resolves with status, headers and body. */
function upstreamCall(
  upstream: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const [host, port] = upstream.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const sent = request({ host, port: Number(port), method, path, headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () =>
        resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
      );
      answer.on('error', reject);
    });
    sent.on('error', reject);
    sent.end();
  });
}

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface FakeHarbor extends FakePeer {
  /** `repository:tag` -> the pull time the artifact list reports for it. */
  pullTimes: Map<string, string>;
}

export async function startFakeHarbor(upstream: { host: string }): Promise<FakeHarbor> {
  const hidden = new Set<string>();
  const pullTimes = new Map<string, string>();
  const seen: string[] = [];
  const api = /^\/api\/v2\.0\/projects\/([^/]+)\/repositories\/([^/]+)\/artifacts(?:\/([^/?]+))?(?:\/tags\/([^/?]+))?/;
  const server = createServer((incoming, outgoing) => {
    const path = incoming.url ?? '/';
    if (!path.startsWith('/v2/') || incoming.method === 'DELETE') seen.push(note(incoming));
    void (async () => {
      const match = api.exec(path);
      if (match) {
        // The repository inside the project arrives encoded twice (Harbor's swagger): decode both times.
        const repository = `${decodeURIComponent(match[1]!)}/${decodeURIComponent(decodeURIComponent(match[2]!))}`;
        const reference = match[3] && decodeURIComponent(match[3]);
        const tag = match[4] && decodeURIComponent(match[4]);
        if (incoming.method === 'DELETE' && tag) {
          hidden.add(`${repository}:${tag}`);
          return json(outgoing, 200, {});
        }
        if (incoming.method === 'DELETE' && reference) {
          const answer = await upstreamCall(upstream.host, 'DELETE', `/v2/${repository}/manifests/${reference}`);
          return json(outgoing, answer.status === 202 ? 200 : answer.status, {});
        }
        if (incoming.method === 'GET' && !reference) {
          const page = Number(new URL(path, 'http://fake').searchParams.get('page') ?? '1');
          const list = await upstreamCall(upstream.host, 'GET', `/v2/${repository}/tags/list`);
          const tags = ((JSON.parse(list.body.toString() || '{}') as { tags?: string[] }).tags ?? []).filter(
            (name) => !hidden.has(`${repository}:${name}`),
          );
          const artifacts = new Map<string, { digest: string; pull_time: string; tags: unknown[] }>();
          for (const name of tags) {
            const head = await upstreamCall(upstream.host, 'HEAD', `/v2/${repository}/manifests/${name}`, {
              accept: ACCEPT,
            });
            const digest = String(head.headers['docker-content-digest']);
            const artifact = artifacts.get(digest) ?? { digest, pull_time: '0001-01-01T00:00:00.000Z', tags: [] };
            artifact.tags.push({
              name,
              pull_time: pullTimes.get(`${repository}:${name}`) ?? '0001-01-01T00:00:00.000Z',
            });
            artifacts.set(digest, artifact);
          }
          return json(outgoing, 200, page === 1 ? [...artifacts.values()] : []);
        }
        return json(outgoing, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such route in the fake' }] });
      }
      const tagsList = /^\/v2\/(.+)\/tags\/list/.exec(path);
      const manifest = /^\/v2\/(.+)\/manifests\/([^/?]+)$/.exec(path);
      if (manifest && hidden.has(`${manifest[1]}:${manifest[2]}`) && incoming.method !== 'DELETE') {
        return json(outgoing, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
      }
      if (tagsList && incoming.method === 'GET') {
        const answer = await upstreamCall(upstream.host, 'GET', path);
        if (answer.status !== 200) return json(outgoing, answer.status, JSON.parse(answer.body.toString() || '{}'));
        const body = JSON.parse(answer.body.toString()) as { name: string; tags: string[] | null };
        return json(outgoing, 200, {
          ...body,
          tags: (body.tags ?? []).filter((name) => !hidden.has(`${tagsList[1]}:${name}`)),
        });
      }
      const [host, port] = upstream.host.split(':') as [string, string];
      const forward = request(
        { host, port: Number(port), method: incoming.method, path, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      incoming.pipe(forward);
    })().catch(() => outgoing.destroy());
  });
  return { ...(await listen(server)), seen, pullTimes };
}

export interface HubTag {
  name: string;
  digest: string;
  tag_last_pulled?: string;
}

export interface FakeHub extends FakePeer {
  /** `namespace/name` -> its tag records. */
  repositories: Map<string, HubTag[]>;
}

/** Docker Hub's API: `POST /v2/users/login`, tag listing (paged by two) and tag delete, JWT required. */
export async function startFakeHub(account: { username: string; password: string }): Promise<FakeHub> {
  const repositories = new Map<string, HubTag[]>();
  const seen: string[] = [];
  const token = 'fake.hub.jwt';
  let base = '';
  const server = createServer((incoming, outgoing) => {
    seen.push(note(incoming));
    const url = new URL(incoming.url ?? '/', 'http://fake');
    if (incoming.method === 'POST' && url.pathname === '/v2/users/login') {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { username?: string; password?: string };
        if (body.username === account.username && body.password === account.password) json(outgoing, 200, { token });
        else json(outgoing, 401, { detail: 'Incorrect authentication credentials' });
      });
      return;
    }
    const match = /^\/v2\/repositories\/([^/]+)\/([^/]+)\/tags\/?([^/]*)\/?$/.exec(url.pathname);
    const tags = match ? repositories.get(`${match[1]}/${match[2]}`) : undefined;
    if (!match || !tags) return json(outgoing, 404, { message: 'object not found' });
    if (incoming.method === 'DELETE') {
      if (incoming.headers.authorization !== `Bearer ${token}`) return json(outgoing, 401, { detail: 'login needed' });
      const position = tags.findIndex((entry) => entry.name === decodeURIComponent(match[3]!));
      if (position < 0) return json(outgoing, 404, { message: 'tag not found' });
      tags.splice(position, 1);
      outgoing.writeHead(204).end();
      return;
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const results = tags.slice((page - 1) * 2, page * 2);
    const next = page * 2 < tags.length ? `${base}${url.pathname}?page_size=100&page=${page + 1}` : null;
    return json(outgoing, 200, { count: tags.length, next, results });
  });
  const listening = await listen(server);
  base = listening.url;
  return { ...listening, seen, repositories };
}
