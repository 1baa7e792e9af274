/**
 * The registry client against broken and hostile peers: each case must end in its clear error (code and
 * message), never a crash, a hang, or wrong data shown as right.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistryClient, type RegistryClient, type RegistryClientOptions } from '../../../src/main/registry';
import type { RegistryCredential } from '../../../src/main/credentials/credential';
import { readSourceGraph } from '../../../src/main/promotion/graph';
import { sendJson, startHostileServer, type HostileHandler, type HostileServer } from './hostile-server';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CREDENTIAL: RegistryCredential = { kind: 'basic', username: 'alice', password: 's3cret-pass' };
const BASIC = `Basic ${Buffer.from('alice:s3cret-pass').toString('base64')}`;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function server(
  handler: HostileHandler,
  options?: Parameters<typeof startHostileServer>[1],
): Promise<HostileServer> {
  const started = await startHostileServer(handler, options);
  cleanups.push(() => started.close());
  return started;
}

function client(options: Partial<RegistryClientOptions> = {}): RegistryClient {
  const created = createRegistryClient({
    credentials: async () => CREDENTIAL,
    timeouts: { connectMs: 2_000, headersMs: 1_500, bodyMs: 1_500 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 3_000 },
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

/** A registry that wants Basic auth and serves `routes` (path -> handler) to authenticated requests. */
function basicRegistry(routes: Record<string, HostileHandler>): HostileHandler {
  return async (request, response, self) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (request.headers.authorization !== BASIC) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"', 'content-length': '0' });
      return void response.end();
    }
    if (url.pathname === '/v2/') return sendJson(response, 200, {});
    const route = routes[url.pathname];
    if (!route) return sendJson(response, 404, { errors: [{ code: 'NOT_FOUND', message: 'nothing here' }] });
    return route(request, response, self);
  };
}

const image = (extra: object = {}) =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('{}'), size: 2 },
      layers: [],
      ...extra,
    }),
  );

async function expectError(promise: Promise<unknown>, code: string, message: RegExp | string): Promise<void> {
  await expect(promise).rejects.toMatchObject({
    name: 'BerthError',
    code,
    message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
  });
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Writes `total` bytes of spaces in chunks, honouring backpressure, until done or the client goes away. */
function streamSpaces(
  response: ServerResponse,
  total: number,
  chunkBytes: number,
  onWrite: (bytes: number) => void,
): void {
  const chunk = Buffer.alloc(chunkBytes, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < total && !response.destroyed) {
      sent += chunk.length;
      onWrite(chunk.length);
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    response.end();
  };
  pump();
}

describe('malformed answers', () => {
  it('a tag list that is not JSON, or JSON of the wrong shape, is a bad_response', async () => {
    let body = '{"name": "a", "tags": [';
    const hostile = await server(basicRegistry({ '/v2/a/tags/list': (_q, response) => sendJson(response, 200, body) }));
    const registry = client();
    await expectError(registry.listTags({ registry: hostile.host, repository: 'a' }), 'bad_response', 'not JSON');
    body = '{"name": "a", "tags": [1, 2]}';
    await expectError(registry.listTags({ registry: hostile.host, repository: 'a' }), 'bad_response', 'wrong shape');
    body = 'null';
    await expectError(registry.listTags({ registry: hostile.host, repository: 'a' }), 'bad_response', 'wrong shape');
  });

  it('a manifest that is malformed JSON is refused, not shown', async () => {
    const hostile = await server(
      basicRegistry({
        '/v2/a/manifests/1': (_q, response) =>
          sendJson(response, 200, '{"schemaVersion": 2, "layers": ', { 'content-type': OCI_MANIFEST }),
      }),
    );
    await expectError(
      client().getManifest({ registry: hostile.host, repository: 'a', tag: '1' }),
      'bad_response',
      'is malformed: it is not valid JSON',
    );
  });

  it('a ping that is not a registry says so', async () => {
    const hostile = await server((_q, response) => sendJson(response, 404, 'not here'));
    await expectError(
      client().listTags({ registry: hostile.host, repository: 'a' }),
      'bad_response',
      'does not serve the registry API',
    );
  });
});

describe('digests', () => {
  it('a manifest whose bytes do not match the requested digest is refused', async () => {
    const real = image();
    const tampered = image({ annotations: { evil: 'yes' } });
    const hostile = await server(
      basicRegistry({
        [`/v2/a/manifests/${sha256(real)}`]: (_q, response) =>
          sendJson(response, 200, tampered.toString(), { 'content-type': OCI_MANIFEST }),
      }),
    );
    await expectError(
      client().getManifest({ registry: hostile.host, repository: 'a', digest: sha256(real) }),
      'digest_mismatch',
      'does not match the requested digest',
    );
  });

  it('a manifest whose bytes do not match the Docker-Content-Digest the registry announced is refused', async () => {
    const hostile = await server(
      basicRegistry({
        '/v2/a/manifests/1': (_q, response) =>
          sendJson(response, 200, image().toString(), {
            'content-type': OCI_MANIFEST,
            'docker-content-digest': sha256('something else'),
          }),
      }),
    );
    await expectError(
      client().getManifest({ registry: hostile.host, repository: 'a', tag: '1' }),
      'digest_mismatch',
      'does not match the digest the registry announced',
    );
  });

  it('a blob with other bytes errors instead of ending', async () => {
    const expected = Buffer.from('the real layer');
    const hostile = await server(
      basicRegistry({
        [`/v2/a/blobs/${sha256(expected)}`]: (_q, response) => response.end(Buffer.from('the evil layer')),
      }),
    );
    const stream = await client().openBlob(
      { registry: hostile.host, repository: 'a' },
      { digest: sha256(expected), size: expected.length },
    );
    await expectError(drain(stream), 'digest_mismatch', 'does not match its digest');
  });
});

describe('signed schema 1 manifests (issue 13c)', () => {
  const SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
  const good = sha256('the signed layer');
  const evil = sha256('an unsigned layer');
  // The JWS payload as libtrust signs it: the digest covers exactly these bytes.
  const payload = `{\n   "schemaVersion": 1,\n   "name": "a",\n   "tag": "1",\n   "architecture": "amd64",\n   "fsLayers": [\n      {\n         "blobSum": "${good}"\n      }\n   ],\n   "history": [\n      {\n         "v1Compatibility": "{\\"created\\":\\"2016-01-01T00:00:00Z\\"}"\n      }\n   ]\n}`;
  const formatLength = payload.lastIndexOf('\n}');
  const protectedHeader = Buffer.from(
    JSON.stringify({
      formatLength,
      formatTail: Buffer.from(payload.slice(formatLength)).toString('base64url'),
      time: '2016-01-01T00:00:00Z',
    }),
  ).toString('base64url');
  // Served: the payload's start, then content outside the signed payload (a second fsLayers, which JSON.parse
  // would prefer, and a marker), then the signatures and the payload's tail.
  const served = `${payload.slice(0, formatLength)},\n   "fsLayers": [{"blobSum": "${evil}"}],\n   "appended": "UNSIGNED-EXTRA",\n   "signatures": [{"header": {"alg": "ES256"}, "signature": "c2ln", "protected": "${protectedHeader}"}]${payload.slice(formatLength)}`;

  async function schema1Registry(): Promise<HostileServer> {
    const route: HostileHandler = (_q, response) =>
      sendJson(response, 200, served, { 'content-type': SCHEMA1_SIGNED, 'docker-content-digest': sha256(payload) });
    return server(basicRegistry({ '/v2/a/manifests/1': route, [`/v2/a/manifests/${sha256(payload)}`]: route }));
  }

  it('shows and parses only the bytes its digest covers, never what was appended outside them', async () => {
    const hostile = await schema1Registry();
    const registry = client();
    for (const ref of [{ tag: '1' }, { digest: sha256(payload) }]) {
      const manifest = await registry.getManifest({ registry: hostile.host, repository: 'a', ...ref });
      expect(manifest.digest).toBe(sha256(payload));
      expect(manifest.bytes.toString()).toBe(payload);
      expect(manifest.size).toBe(Buffer.byteLength(payload));
      expect(manifest.parsed).toMatchObject({ form: 'schema1', fsLayers: [{ blobSum: good }] });
    }
    const details = await registry.inspect({ registry: hostile.host, repository: 'a', tag: '1' });
    expect(details.manifest).toMatchObject({ kind: 'docker-schema1', digest: sha256(payload), raw: payload });
    expect(details.manifest.raw).not.toContain('UNSIGNED-EXTRA');
    expect(details.manifest.raw).not.toContain(evil);
  });

  it('is refused by promotion, so no byte of it is copied', async () => {
    const hostile = await schema1Registry();
    await expectError(
      readSourceGraph(client(), { registry: hostile.host, repository: 'a', tag: '1' }, { withReferrers: false }),
      'unsupported',
      'schema 1',
    );
  });
});

describe('size limits', () => {
  it('a 50 MB manifest with Content-Length is refused before it is read', async () => {
    let written = 0;
    const hostile = await server(
      basicRegistry({
        '/v2/a/manifests/big': (_q, response) => {
          response.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(50 * 1024 * 1024) });
          streamSpaces(response, 50 * 1024 * 1024, 1024 * 1024, (bytes) => (written += bytes));
        },
      }),
    );
    await expectError(
      client().getManifest({ registry: hostile.host, repository: 'a', tag: 'big' }),
      'too_large',
      'larger than 4 MiB',
    );
    expect(written).toBeLessThan(50 * 1024 * 1024);
  });

  it('a 50 MB manifest streamed without a length stops being read after 4 MiB', async () => {
    let written = 0;
    let closedEarly = false;
    const hostile = await server(
      basicRegistry({
        '/v2/a/manifests/big': (_q, response) => {
          response.writeHead(200, { 'content-type': OCI_MANIFEST });
          response.on('close', () => (closedEarly = written < 50 * 1024 * 1024));
          streamSpaces(response, 50 * 1024 * 1024, 256 * 1024, (bytes) => (written += bytes));
        },
      }),
    );
    await expectError(
      client().getManifest({ registry: hostile.host, repository: 'a', tag: 'big' }),
      'too_large',
      'larger than 4 MiB',
    );
    await expect.poll(() => closedEarly, { timeout: 5_000 }).toBe(true);
  });
});

describe('broken transfers', () => {
  it('a blob cut short is an error, never a short blob taken as whole', async () => {
    const blob = Buffer.alloc(100_000, 7);
    const hostile = await server(
      basicRegistry({
        [`/v2/a/blobs/${sha256(blob)}`]: (_q, response) => {
          response.writeHead(200, {
            'content-length': String(blob.length),
            'content-type': 'application/octet-stream',
          });
          response.write(blob.subarray(0, 40_000), () => response.socket?.destroy());
        },
      }),
    );
    const stream = await client().openBlob(
      { registry: hostile.host, repository: 'a' },
      { digest: sha256(blob), size: blob.length },
    );
    await expectError(drain(stream), 'bad_response', /cut short/);
  });

  it('a server that never answers times out', async () => {
    const hostile = await server(basicRegistry({ '/v2/a/tags/list': () => undefined }));
    const started = Date.now();
    await expectError(
      client({ retry: { attempts: 1 } }).listTags({ registry: hostile.host, repository: 'a' }),
      'timeout',
      'stopped answering',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a server that stalls in the middle of a blob times out', async () => {
    const blob = Buffer.alloc(10_000, 1);
    const hostile = await server(
      basicRegistry({
        [`/v2/a/blobs/${sha256(blob)}`]: (_q, response) => {
          response.writeHead(200, { 'content-length': String(blob.length) });
          response.write(blob.subarray(0, 100));
        },
      }),
    );
    const stream = await client().openBlob(
      { registry: hostile.host, repository: 'a' },
      { digest: sha256(blob), size: blob.length },
    );
    await expectError(drain(stream), 'timeout', 'stopped answering');
  });

  it('a stalled request is cancelled by its AbortSignal', async () => {
    const hostile = await server(basicRegistry({ '/v2/a/tags/list': () => undefined }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expectError(
      client({ timeouts: { headersMs: 60_000 } }).listTags(
        { registry: hostile.host, repository: 'a' },
        { signal: controller.signal },
      ),
      'cancelled',
      'Cancelled',
    );
  });
});

describe('redirects', () => {
  it('follows a blob redirect to another host without the registry Authorization', async () => {
    const blob = Buffer.from('layer bytes from blob storage');
    const storage = await server(
      (request, response) => {
        if (request.url === '/storage/blob?sig=abc') response.end(blob);
        else sendJson(response, 404, {});
      },
      { address: '127.0.0.2' },
    );
    const hostile = await server(
      basicRegistry({
        [`/v2/a/blobs/${sha256(blob)}`]: (_q, response) => {
          response.writeHead(307, { location: `${storage.url}/storage/blob?sig=abc`, 'content-length': '0' });
          response.end();
        },
      }),
    );
    const stream = await client().openBlob(
      { registry: hostile.host, repository: 'a' },
      { digest: sha256(blob), size: blob.length },
    );
    expect(await drain(stream)).toEqual(blob);
    expect(hostile.requests.find((request) => request.url.includes('/blobs/'))?.headers.authorization).toBe(BASIC);
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('stops a redirect loop', async () => {
    const hostile = await server(
      basicRegistry({
        [`/v2/a/blobs/${sha256('x')}`]: (request, response) => {
          response.writeHead(302, { location: request.url ?? '/', 'content-length': '0' });
          response.end();
        },
      }),
    );
    await expectError(
      client().openBlob({ registry: hostile.host, repository: 'a' }, { digest: sha256('x') }),
      'bad_response',
      'redirected more than 5 times',
    );
  });

  it('refuses a redirect to plain HTTP off loopback, before connecting', async () => {
    const hostile = await server(
      basicRegistry({
        [`/v2/a/blobs/${sha256('x')}`]: (_q, response) => {
          response.writeHead(302, { location: 'http://storage.example.invalid/blob', 'content-length': '0' });
          response.end();
        },
      }),
    );
    await expectError(
      client().openBlob({ registry: hostile.host, repository: 'a' }, { digest: sha256('x') }),
      'tls',
      'Refusing plain HTTP to storage.example.invalid',
    );
  });
});

describe('a 401 from a host the registry redirected to (issue 13a)', () => {
  /**
   * Registry A (127.0.0.1) wants a Bearer token from its own token service T (127.0.0.4: another origin, as
   * auth.docker.io is for Docker Hub). `redirect` on A sends the client to B (127.0.0.2), which answers 401
   * naming C (127.0.0.3) as its token service. Only T may ever see A's credentials; C must hear nothing.
   */
  async function world(redirect: string) {
    const stranger = await server((_q, response) => sendJson(response, 200, { token: 'stolen' }), {
      address: '127.0.0.3',
    });
    const elsewhere = await server(
      (_q, response) => {
        response.writeHead(401, {
          'www-authenticate': `Bearer realm="${stranger.url}/token",service="evil"`,
          'content-length': '0',
        });
        response.end();
      },
      { address: '127.0.0.2' },
    );
    const tokens = await server(
      (request, response) =>
        sendJson(response, 200, { token: request.headers.authorization === BASIC ? 'good' : 'anonymous' }),
      { address: '127.0.0.4' },
    );
    const registry = await server((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      if (url.pathname === redirect) {
        response.writeHead(307, { location: `${elsewhere.url}${url.pathname}`, 'content-length': '0' });
        return void response.end();
      }
      if (request.headers.authorization !== 'Bearer good') {
        response.writeHead(401, {
          'www-authenticate': `Bearer realm="${tokens.url}/token",service="own",scope="repository:a:pull"`,
          'content-length': '0',
        });
        return void response.end();
      }
      if (url.pathname === '/v2/') return sendJson(response, 200, {});
      if (url.pathname === '/v2/a/tags/list') return sendJson(response, 200, { name: 'a', tags: ['1'] });
      return sendJson(response, 404, { errors: [{ code: 'NOT_FOUND' }] });
    });
    return { stranger, elsewhere, tokens, registry };
  }

  it("is an error naming that host; its token service gets nothing, and later operations use the registry's own challenge", async () => {
    const { stranger, elsewhere, tokens, registry } = await world('/v2/a/manifests/1');
    const berth = client();
    await expectError(
      berth.getManifest({ registry: registry.host, repository: 'a', tag: '1' }),
      'bad_response',
      elsewhere.host,
    );
    expect(stranger.requests.filter((request) => request.headers.authorization !== undefined)).toEqual([]);
    expect(stranger.requests).toHaveLength(0);
    expect(elsewhere.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
    // A later, unrelated operation on A answers A's own challenge, at A's own token service.
    expect(await berth.listTags({ registry: registry.host, repository: 'a' })).toEqual(['1']);
    expect(stranger.requests).toHaveLength(0);
    expect(tokens.requests.length).toBeGreaterThan(0);
    expect(tokens.requests.every((request) => request.headers.authorization === BASIC)).toBe(true);
  });

  it('on the ping too: a /v2/ redirected to a host that challenges is an error naming it, and nothing is sent', async () => {
    const { stranger, elsewhere, tokens, registry } = await world('/v2/');
    await expectError(client().listTags({ registry: registry.host, repository: 'a' }), 'bad_response', elsewhere.host);
    expect(stranger.requests).toHaveLength(0);
    expect(tokens.requests).toHaveLength(0);
    expect(elsewhere.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
  });
});

describe('pagination', () => {
  const page = (tags: string[], link?: string) => (_q: IncomingMessage, response: ServerResponse) =>
    sendJson(response, 200, { name: 'a', tags }, link ? { link } : {});

  it('follows Link pages to the end', async () => {
    let served = 0;
    const hostile = await server(
      basicRegistry({
        '/v2/a/tags/list': (request, response) => {
          const last = new URL(request.url ?? '', 'http://x').searchParams.get('last');
          served++;
          if (!last) return page(['1', '2'], '</v2/a/tags/list?n=2&last=2>; rel="next"')(request, response);
          if (last === '2')
            return page(['3', '4'], `<http://${request.headers.host}/v2/a/tags/list?n=2&last=4>; rel="next"`)(
              request,
              response,
            );
          return page(['5'])(request, response);
        },
      }),
    );
    expect(await client().listTags({ registry: hostile.host, repository: 'a' })).toEqual(['1', '2', '3', '4', '5']);
    expect(served).toBe(3);
  });

  it('stops a Link that points back to a page already read', async () => {
    const hostile = await server(basicRegistry({ '/v2/a/tags/list': page(['1'], '</v2/a/tags/list>; rel="next"') }));
    await expectError(
      client().listTags({ registry: hostile.host, repository: 'a' }),
      'bad_response',
      'link back to a page already read',
    );
  });

  it('stops endless new pages that bring nothing new', async () => {
    let counter = 0;
    const hostile = await server(
      basicRegistry({
        '/v2/a/tags/list': (q, r) => page(['same'], `</v2/a/tags/list?last=same&page=${++counter}>; rel="next"`)(q, r),
      }),
    );
    await expectError(
      client().listTags({ registry: hostile.host, repository: 'a' }),
      'bad_response',
      'bring no new entries',
    );
    expect(counter).toBeLessThanOrEqual(3);
  });

  it('bounds endless pages of new entries', async () => {
    let counter = 0;
    const hostile = await server(
      basicRegistry({
        '/v2/a/tags/list': (q, r) => page([`t${++counter}`], `</v2/a/tags/list?last=t${counter}>; rel="next"`)(q, r),
      }),
    );
    await expectError(
      client({ paging: { maxPages: 50 } }).listTags({ registry: hostile.host, repository: 'a' }),
      'bad_response',
      'kept sending more pages',
    );
    expect(counter).toBe(50);
  });

  it('does not follow a Link to another host', async () => {
    const hostile = await server(
      basicRegistry({ '/v2/a/tags/list': page(['1'], '<http://127.0.0.2:9/v2/a/tags/list?last=1>; rel="next"') }),
    );
    await expectError(
      client().listTags({ registry: hostile.host, repository: 'a' }),
      'bad_response',
      'linked its next page to another host',
    );
  });
});

describe('auth', () => {
  /** A bearer registry whose tokens are the base64 of their scopes; `onToken` may answer instead. */
  function bearerRegistry(options: {
    onToken?: HostileHandler;
    needs?: Record<string, string>;
    revokeFirst?: boolean;
  }): HostileHandler {
    let revoked = options.revokeFirst ?? false;
    return async (request, response, self) => {
      const url = new URL(request.url ?? '/', 'http://x');
      if (url.pathname === '/token') {
        if (options.onToken) return options.onToken(request, response, self);
        return sendJson(response, 200, {
          token: Buffer.from(url.searchParams.getAll('scope').join(' ')).toString('base64url'),
          expires_in: 300,
        });
      }
      const challenge = (scope: string, error?: string) =>
        `Bearer realm="${self.url}/token",service="hostile",scope="${scope}"${error ? `,error="${error}"` : ''}`;
      const granted = request.headers.authorization?.startsWith('Bearer ')
        ? Buffer.from(request.headers.authorization.slice(7), 'base64url').toString()
        : undefined;
      if (url.pathname === '/v2/') {
        response.writeHead(401, { 'www-authenticate': challenge(''), 'content-length': '0' });
        return void response.end();
      }
      const needed = options.needs?.[url.pathname] ?? 'repository:a:pull';
      if (granted === undefined || !granted.split(' ').includes(needed) || revoked) {
        revoked = false;
        response.writeHead(401, {
          'www-authenticate': challenge(needed, granted === undefined ? undefined : 'insufficient_scope'),
          'content-length': '0',
        });
        return void response.end();
      }
      return sendJson(response, 200, { name: 'a', tags: ['1'] });
    };
  }

  it('a token endpoint that answers garbage is a bad_response', async () => {
    const hostile = await server(
      bearerRegistry({ onToken: (_q, response) => sendJson(response, 200, '<html>login</html>') }),
    );
    await expectError(
      client().listTags({ registry: hostile.host, repository: 'a' }),
      'bad_response',
      'answered something that is not a token',
    );
  });

  it('a token endpoint that refuses the credentials is unauthorized, without the secret in the message', async () => {
    const hostile = await server(
      bearerRegistry({ onToken: (_q, response) => sendJson(response, 401, { errors: [{ code: 'UNAUTHORIZED' }] }) }),
    );
    const failure = client().listTags({ registry: hostile.host, repository: 'a' });
    await expectError(failure, 'unauthorized', 'refused the saved credentials');
    await failure.catch((error: Error) => expect(error.message).not.toContain('s3cret-pass'));
  });

  it('merges the scope a registry asks for (insufficient_scope), then asks for it at once', async () => {
    const hostile = await server(bearerRegistry({ needs: { '/v2/a/tags/list': 'repository:a:pull,metadata_read' } }));
    const registry = client();
    expect(await registry.listTags({ registry: hostile.host, repository: 'a' })).toEqual(['1']);
    expect(await registry.listTags({ registry: hostile.host, repository: 'a' })).toEqual(['1']);
    const tokenScopes = hostile.requests
      .filter((request) => request.url.startsWith('/token'))
      .map((request) => new URL(request.url, 'http://x').searchParams.getAll('scope'));
    expect(tokenScopes).toEqual([['repository:a:pull'], ['repository:a:pull,metadata_read']]);
    expect(hostile.requests.find((request) => request.url.startsWith('/token'))?.headers.authorization).toBe(BASIC);
  });

  it('retries once with a new token after a 401', async () => {
    const hostile = await server(bearerRegistry({ revokeFirst: true }));
    expect(await client().listTags({ registry: hostile.host, repository: 'a' })).toEqual(['1']);
    expect(hostile.requests.filter((request) => request.url.startsWith('/token'))).toHaveLength(2);
  });

  it('asks for credentials when Basic is required and none are saved', async () => {
    const hostile = await server(basicRegistry({}));
    await expectError(
      client({ credentials: async () => undefined }).listTags({ registry: hostile.host, repository: 'a' }),
      'unauthorized',
      'requires signing in',
    );
  });
});

describe('rate limits and retries', () => {
  it('waits out a short Retry-After and a 503, then succeeds', async () => {
    let calls = 0;
    const hostile = await server(
      basicRegistry({
        '/v2/a/tags/list': (_q, response) => {
          calls++;
          if (calls === 1)
            return sendJson(response, 429, { errors: [{ code: 'TOOMANYREQUESTS' }] }, { 'retry-after': '1' });
          if (calls === 2) return sendJson(response, 503, 'busy');
          return sendJson(response, 200, { name: 'a', tags: ['ok'] });
        },
      }),
    );
    const started = Date.now();
    expect(await client().listTags({ registry: hostile.host, repository: 'a' })).toEqual(['ok']);
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('does not sit out a long Retry-After: rate_limited with the wait for the UI', async () => {
    const hostile = await server(
      basicRegistry({
        '/v2/a/tags/list': (_q, response) =>
          sendJson(
            response,
            429,
            { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] },
            { 'retry-after': '3600' },
          ),
      }),
    );
    const failure = client().listTags({ registry: hostile.host, repository: 'a' });
    await expectError(failure, 'rate_limited', 'Try again in 60 min');
    await failure.catch((error: { details?: Record<string, unknown> }) =>
      expect(error.details).toMatchObject({ retryAfterSeconds: 3600 }),
    );
  });

  it('reads Docker Hub-style rate-limit headers and exposes them', async () => {
    const hostile = await server(
      basicRegistry({
        '/v2/a/tags/list': (_q, response) =>
          sendJson(
            response,
            200,
            { name: 'a', tags: [] },
            { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '42;w=21600' },
          ),
      }),
    );
    const registry = client();
    await registry.listTags({ registry: hostile.host, repository: 'a' });
    expect(await registry.rateLimit(hostile.host)).toMatchObject({ limit: 100, remaining: 42, windowSeconds: 21600 });
  });
});

describe('refusals turned into clear messages', () => {
  it('a closed catalog says to add repositories by name', async () => {
    const hostile = await server(
      basicRegistry({ '/v2/_catalog': (_q, response) => sendJson(response, 403, { errors: [{ code: 'DENIED' }] }) }),
    );
    await expectError(
      client().listRepositories(hostile.host),
      'unsupported',
      'does not list repositories for this account: add one by name',
    );
  });

  it('a registry that refuses the page size is listed in its own default pages', async () => {
    // Like distribution above its catalog.maxentries: 400 PAGINATION_NUMBER_INVALID for n=1000, pages of 2 without n.
    const names = ['a', 'b', 'c', 'd', 'e'];
    const hostile = await server(
      basicRegistry({
        '/v2/_catalog': (request, response) => {
          const url = new URL(request.url ?? '/', 'http://x');
          if (url.searchParams.has('n'))
            return sendJson(response, 400, { errors: [{ code: 'PAGINATION_NUMBER_INVALID', detail: { n: 1000 } }] });
          const last = url.searchParams.get('last');
          const start = last === null ? 0 : names.indexOf(last) + 1;
          const page = names.slice(start, start + 2);
          if (start + 2 < names.length) response.setHeader('link', `</v2/_catalog?last=${page.at(-1)}>; rel="next"`);
          return sendJson(response, 200, { repositories: page });
        },
      }),
    );
    expect(await client().listRepositories(hostile.host)).toEqual(names);
    const catalog = hostile.requests.filter((request) => request.url.startsWith('/v2/_catalog'));
    expect(catalog.map((request) => request.url)).toContain('/v2/_catalog?n=1000');
    expect(catalog.filter((request) => request.url.includes('n=')).length).toBe(
      catalog.filter((request) => request.url === '/v2/_catalog?n=1000').length,
    );
  });

  it('a refused tag deletion says to delete by digest', async () => {
    const hostile = await server(
      basicRegistry({
        '/v2/a/manifests/1': (_q, response) => sendJson(response, 400, { errors: [{ code: 'DIGEST_INVALID' }] }),
      }),
    );
    await expectError(
      client().deleteTag(`${hostile.host}/a:1`),
      'unsupported',
      'Delete the manifest by digest instead',
    );
  });
});

describe('TLS and proxies', () => {
  it('a self-signed registry is a tls error until its CA is configured', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-tls-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    const tls = {
      key: await readFile(join(dir, 'key.pem'), 'utf8'),
      cert: await readFile(join(dir, 'cert.pem'), 'utf8'),
    };
    const hostile = await server(
      basicRegistry({ '/v2/a/tags/list': (_q, response) => sendJson(response, 200, { name: 'a', tags: ['secure'] }) }),
      { tls },
    );
    await expectError(
      client().listTags({ registry: hostile.host, repository: 'a' }),
      'tls',
      'add the CA file in the registry settings',
    );
    const trusting = client({
      hostOptions: (host) => ({ insecure: false, ...(host === hostile.host ? { caPath: join(dir, 'cert.pem') } : {}) }),
    });
    expect(await trusting.listTags({ registry: hostile.host, repository: 'a' })).toEqual(['secure']);
    const insecure = client({ hostOptions: () => ({ insecure: true }) });
    expect(await insecure.listTags({ registry: hostile.host, repository: 'a' })).toEqual(['secure']);
  });

  it('goes through HTTPS_PROXY / HTTP_PROXY for a remote registry', async () => {
    const registry = await server(
      basicRegistry({
        '/v2/a/tags/list': (_q, response) => sendJson(response, 200, { name: 'a', tags: ['via-proxy'] }),
      }),
    );
    const tunnels: string[] = [];
    const proxy = createServer((_q, response) => sendJson(response, 501, 'tunnels only'));
    // The proxy "reaches" registry.example.test by tunnelling to the local fake registry: nothing leaves the machine.
    proxy.on('connect', (request: IncomingMessage, socket: Socket) => {
      tunnels.push(request.url ?? '');
      const upstream = connect(Number(registry.host.split(':')[1]), '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          proxy.closeAllConnections();
          proxy.close(() => resolve());
        }),
    );
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const remote = 'registry.example.test:5000';
    const viaProxy = client({
      env: { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl },
      hostOptions: (host) => ({ insecure: host === remote }),
    });
    expect(await viaProxy.listTags({ registry: remote, repository: 'a' })).toEqual(['via-proxy']);
    expect(tunnels.every((target) => target === remote)).toBe(true);
    expect(
      registry.requests.some((request) => request.headers.host === remote && request.url === '/v2/a/tags/list'),
    ).toBe(true);
  });
});

describe("Docker Hub's repository API (reached by name only; played here since no network is allowed)", () => {
  it('lists a namespace through every page, signed in', async () => {
    const hub = await server((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      if (url.pathname === '/v2/users/login' && request.method === 'POST')
        return sendJson(response, 200, { token: 'hub-jwt' });
      if (request.headers.authorization !== 'Bearer hub-jwt') return sendJson(response, 401, {});
      if (url.pathname === '/v2/repositories/alice/' && !url.searchParams.get('page')) {
        return sendJson(response, 200, {
          count: 3,
          next: `http://${request.headers.host}/v2/repositories/alice/?page=2&page_size=100`,
          results: [{ name: 'one' }, { name: 'two' }],
        });
      }
      if (url.pathname === '/v2/repositories/alice/')
        return sendJson(response, 200, { count: 3, next: null, results: [{ name: 'three' }] });
      return sendJson(response, 404, {});
    });
    const registry = client({
      dockerHubApi: hub.url,
      credentials: async (host) => (host === 'docker.io' ? CREDENTIAL : undefined),
    });
    expect(await registry.listRepositories('docker.io')).toEqual(['alice/one', 'alice/two', 'alice/three']);
    expect(hub.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /v2/users/login',
      'GET /v2/repositories/alice/?page_size=100',
      'GET /v2/repositories/alice/?page=2&page_size=100',
    ]);
  });
});
