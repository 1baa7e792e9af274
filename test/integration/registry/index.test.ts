/**
 * The persisted registry index on a real registry of its own (so its access log holds only this file's
 * requests): background indexing finds tags of repositories never opened, reading details of the 2,000-tag
 * repository once; a refresh after one new tag GETs one manifest; a new services instance on the same
 * cache answers search without a request; indexing is bounded in concurrency and stops when cancelled.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import type { OperationProgress } from '../../../src/shared/types/operations';
import type { RegistryIndexResult, SearchHit } from '../../../src/shared/types/registry';
import type { RequestLogEntry, RunningRegistry } from '../../env/registry';
import { startSeededRegistry } from '../../env/seed-cache';
import { SEED } from '../../env/seed';
import { pushUniqueImage } from '../../env/unique-image';

let registry: RunningRegistry;
let root: string;
const backends: Backend[] = [];

beforeAll(async () => {
  ({ registry } = await startSeededRegistry());
  root = await mkdtemp(join(tmpdir(), 'berth-index-'));
}, 120_000);
afterAll(async () => {
  await Promise.all(backends.map((backend) => backend.close().catch(() => undefined)));
  await registry?.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Services as the app builds them, on a config and cache folder of their own (`name`). */
async function backendOn(name: string): Promise<Backend> {
  const backend = await createBackend({
    transport: 'serve',
    env: { ...process.env, BERTH_CONFIG_DIR: join(root, name), DOCKER_CONFIG: join(root, name, 'docker') },
  });
  backends.push(backend);
  return backend;
}

async function call<T>(backend: Backend, name: string, input: object, events?: OperationProgress[]): Promise<T> {
  const outcome = await backend.dispatcher.call(name, input, (event, payload) => {
    if (event === 'operation.progress') events?.push(payload as OperationProgress);
  });
  if (!outcome.ok) throw new Error(`${name}: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value as T;
}

/** Requests made since `before` (the log only grows). */
async function since(before: number): Promise<RequestLogEntry[]> {
  return (await registry.requestLog()).slice(before);
}
const manifestGets = (log: RequestLogEntry[]) =>
  log.filter((entry) => entry.method === 'GET' && entry.path.includes('/manifests/'));

describe('the registry index', () => {
  const manyTags = SEED.manyTags.tags.map((tag) => tag.name);
  const aTag = manyTags[1234]!;

  it('indexes the tags of every repository in the background, so search finds a tag never opened', async () => {
    const backend = await backendOn('first');
    const before = (await registry.requestLog()).length;
    const events: OperationProgress[] = [];
    const result = await call<RegistryIndexResult>(
      backend,
      'registry.index',
      { registryId: registry.host, operationId: 'index-tags' },
      events,
    );
    expect(result).toMatchObject({ registry: registry.host, skipped: [] });
    expect(result.repositories).toBeGreaterThanOrEqual(SEED.repositories.length);
    expect(result.tags).toBeGreaterThan(manyTags.length);
    expect(events.at(-1)).toMatchObject({ kind: 'registry.index', done: true, status: 'Done' });
    // Tags only: the catalog and one tag list per repository (in pages), no manifest.
    const log = await since(before);
    expect(manifestGets(log)).toEqual([]);
    expect(log.every((entry) => entry.path === '/v2/' || /\/(_catalog|tags\/list)/.test(entry.path))).toBe(true);

    expect(await call<SearchHit[]>(backend, 'search.query', { query: `many/tags ${aTag}` })).toContainEqual({
      registryId: registry.host,
      repository: 'many/tags',
      tag: aTag,
    });
  });

  it('reads the details of the 2,000-tag repository once, and after one new tag GETs one manifest', async () => {
    const backend = backends[0]!;
    let before = (await registry.requestLog()).length;
    const started = Date.now();
    const first = await call<RegistryIndexResult>(backend, 'registry.index', {
      registryId: registry.host,
      details: true,
    });
    const firstMs = Date.now() - started;
    const firstLog = await since(before);
    // Every tag never seen: one GET by tag; the configs once per digest.
    expect(manifestGets(firstLog).length).toBeGreaterThanOrEqual(first.tags);
    console.info(
      `[index] details of ${first.repositories} repositories, ${first.tags} tags: ${firstMs} ms, ` +
        `${firstLog.length} requests (${manifestGets(firstLog).length} manifest GETs, ` +
        `${firstLog.filter((e) => e.path.includes('/blobs/')).length} blob GETs)`,
    );

    const repository = `scratch/index-${randomBytes(4).toString('hex')}`;
    await pushUniqueImage({ host: registry.host }, repository, '1.0');
    before = (await registry.requestLog()).length;
    const again = Date.now();
    const refreshed = await call<RegistryIndexResult>(backend, 'registry.index', {
      registryId: registry.host,
      details: true,
    });
    const refreshLog = await since(before);
    console.info(
      `[index] incremental refresh after one new tag: ${Date.now() - again} ms, ${refreshLog.length} requests ` +
        `(${refreshLog.filter((e) => e.method === 'HEAD').length} HEADs, ${manifestGets(refreshLog).length} manifest GETs)`,
    );
    expect(refreshed.tags).toBe(first.tags + 1);
    expect(manifestGets(refreshLog).map((entry) => entry.path)).toEqual([`/v2/${repository}/manifests/1.0`]);
    // The known tags are checked with a HEAD each (a tag may have moved), nothing more.
    expect(refreshLog.filter((entry) => entry.method === 'HEAD')).toHaveLength(first.tags);
    expect(refreshLog.filter((entry) => entry.path.includes('/blobs/'))).toHaveLength(1);
  }, 180_000);

  it('persists: a new services instance on the same cache answers search and cached details without a request', async () => {
    await backends[0]!.close();
    const before = (await registry.requestLog()).length;
    const backend = await backendOn('first');
    expect(await call<SearchHit[]>(backend, 'search.query', { query: `many/tags ${aTag}` })).toContainEqual({
      registryId: registry.host,
      repository: 'many/tags',
      tag: aTag,
    });
    const cached = await call<{ tag: string; created?: string }[]>(backend, 'registry.tagDetails', {
      registryId: registry.host,
      repository: 'many/tags',
      tags: manyTags,
      cachedOnly: true,
    });
    expect(cached.map((detail) => [detail.tag, detail.created])).toEqual(
      SEED.manyTags.tags.map((tag) => [tag.name, tag.created]),
    );
    expect(await since(before)).toEqual([]);
  });

  it('records what Berth writes and tells every subscriber, so search finds it without a listing', async () => {
    const backend = await backendOn('writes');
    const changes: unknown[] = [];
    const unsubscribe = backend.dispatcher.subscribe((event, payload) => {
      if (event === 'registry.changed') changes.push(payload);
    });
    const repository = `scratch/written-${randomBytes(4).toString('hex')}`;
    await call(backend, 'promotion.execute', {
      source: `${registry.host}/dev/app:1.0.0`,
      target: `${registry.host}/${repository}:7.7.7`,
    });
    unsubscribe();
    expect(changes).toContainEqual({ registryId: registry.host, host: registry.host, repository, tags: ['7.7.7'] });
    const before = (await registry.requestLog()).length;
    expect(await call<SearchHit[]>(backend, 'search.query', { query: `${repository} 7.7.7` })).toEqual([
      { registryId: registry.host, repository, tag: '7.7.7' },
    ]);
    expect(await since(before)).toEqual([]);
  });

  it('keeps at most 8 requests in flight, and stops when cancelled', async () => {
    const proxy = await countingProxy(registry.url);
    try {
      const backend = await backendOn('cancelled');
      const events: OperationProgress[] = [];
      const running = backend.dispatcher.call(
        'registry.index',
        { registryId: proxy.host, details: true, operationId: 'index-cancel' },
        (event, payload) => {
          if (event === 'operation.progress') events.push(payload as OperationProgress);
        },
      );
      // Let it get well into the 2,000 tags, then cancel.
      const deadline = Date.now() + 60_000;
      while (proxy.total() < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await backend.dispatcher.call('operations.cancel', { operationId: 'index-cancel' }, () => {})).toEqual({
        ok: true,
        value: { cancelled: true },
      });
      expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } });
      expect(events.at(-1)).toMatchObject({ kind: 'registry.index', done: true, status: 'Cancelled' });
      await new Promise((r) => setTimeout(r, 300));
      const afterCancel = proxy.total();
      await new Promise((r) => setTimeout(r, 700));
      expect(proxy.total()).toBe(afterCancel);
      expect(afterCancel).toBeLessThan(2 * manyTags.length);
      expect(proxy.maxInFlight()).toBeGreaterThan(1);
      expect(proxy.maxInFlight()).toBeLessThanOrEqual(8);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});

/**
 * A plain forwarder in front of the real registry that counts requests in flight: Berth talks to the
 * registry through it as through any loopback address.
 */
async function countingProxy(target: string): Promise<{
  host: string;
  total(): number;
  maxInFlight(): number;
  close(): Promise<void>;
}> {
  const upstream = new URL(target);
  let inFlight = 0;
  let max = 0;
  let total = 0;
  const server: Server = createServer((req, res) => {
    inFlight++;
    total++;
    max = Math.max(max, inFlight);
    let ended = false;
    const end = () => {
      if (!ended) inFlight--;
      ended = true;
    };
    res.on('close', end);
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    total: () => total,
    maxInFlight: () => max,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
