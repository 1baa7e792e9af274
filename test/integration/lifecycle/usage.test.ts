/**
 * `berth usage` as users run it, on a registry of this test's own (a copy of the seeded world, so its
 * storage folder can be walked): every figure equals an independent walk of that folder, two repositories
 * sharing a base layer split it into unique and shared bytes, every platform of a multi-arch index is
 * counted, and a second run answers from the registry index (HEADs, no manifest GET).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend } from '../../../src/main/api/backend';
import type { StorageUsage } from '../../../src/shared/types/storage';
import { runCli } from '../../env/cli';
import { TreeBuilder } from '../../env/layers';
import type { RunningRegistry } from '../../env/registry';
import { startSeededRegistry } from '../../env/seed-cache';
import { SEED, type SeedResult } from '../../env/seed';
import { pushTreeImage } from '../../env/unique-image';
import { groupFigures, manifestBlobs, walkStorage, type StorageWalk } from './storage-walk';

let registry: RunningRegistry;
let seed: SeedResult;
let home: string;
let env: NodeJS.ProcessEnv;
const base = new TreeBuilder().file('/base/lib.bin', randomBytes(96 * 1024));

beforeAll(async () => {
  ({ registry, seed } = await startSeededRegistry());
  // Two repositories built on the same base layer, each with a layer of its own.
  for (const name of ['one', 'two'])
    await pushTreeImage({ host: registry.host }, `shared/${name}`, '1', [
      base,
      new TreeBuilder().file(`/app/${name}.bin`, randomBytes(32 * 1024)),
    ]);
  home = await mkdtemp(join(tmpdir(), 'berth-usage-'));
  env = {
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'config'),
    BERTH_CACHE_DIR: join(home, 'cache'),
    DBUS_SESSION_BUS_ADDRESS: '',
  };
}, 120_000);
afterAll(async () => {
  await registry?.dispose();
  if (home) await rm(home, { recursive: true, force: true });
});

const berth = (...args: string[]) => runCli(args, { env, timeoutMs: 180_000 });

async function usage(target: string, ...flags: string[]): Promise<StorageUsage> {
  const run = await berth('usage', target, '--json', ...flags);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as StorageUsage;
}

describe('berth usage', () => {
  let walk: StorageWalk;
  let cold: StorageUsage;

  it('equals an independent walk of the registry storage, per repository and in total', async () => {
    const before = (await registry.requestLog()).length;
    cold = await usage(registry.host);
    walk = await walkStorage(registry.storageDir);
    const names = [...walk.repositories.keys()].sort();
    expect(cold.repositories.map((repository) => repository.name)).toEqual(names);
    for (const repository of cold.repositories) {
      const { name, tags, bytes, uniqueBytes, sharedBytes } = repository;
      expect({ name, tags, bytes, uniqueBytes, sharedBytes }).toEqual({ name, ...groupFigures(walk, [name]) });
    }
    const total = groupFigures(walk, names);
    expect(cold.totalBytes).toBe(total.bytes);
    expect(cold.uniqueBytes).toBe(total.bytes);
    expect(cold.pendingTags).toBe(0);
    expect(cold.repositories.find((r) => r.name === SEED.manyTags.repository)?.tags).toBe(SEED.manyTags.count);
    // The cold run did read manifests.
    const gets = (await registry.requestLog())
      .slice(before)
      .filter((e) => e.method === 'GET' && e.path.includes('/manifests/'));
    expect(gets.length).toBeGreaterThan(SEED.manyTags.count / 2);
  }, 240_000);

  it('splits a shared base layer: unique per repository, shared between them, unique to their namespace', async () => {
    const one = cold.repositories.find((r) => r.name === 'shared/one')!;
    const two = cold.repositories.find((r) => r.name === 'shared/two')!;
    expect(one.sharedBytes).toBeGreaterThan(96 * 1024 * 0.9);
    expect(one.sharedBytes).toBe(two.sharedBytes);
    expect(one.uniqueBytes).toBeGreaterThan(0);
    const namespace = await usage(`${registry.host}/shared`);
    expect(namespace.repositories.map((r) => r.name)).toEqual(['shared/one', 'shared/two']);
    const figures = groupFigures(walk, ['shared/one', 'shared/two']);
    expect(namespace.totalBytes).toBe(figures.bytes);
    // Within the namespace the base is referenced only there: all of it is unique to the namespace.
    expect(namespace.uniqueBytes).toBe(figures.bytes);
    expect(namespace.totalBytes).toBe(one.bytes + two.bytes - one.sharedBytes);
  });

  it('counts every platform of a multi-arch index', async () => {
    for (const [reference, platforms] of Object.entries(seed.platforms)) {
      const name = reference.split(':')[0]!;
      const repository = cold.repositories.find((r) => r.name === name)!;
      const children = Object.values(platforms);
      expect(children.length).toBeGreaterThan(1);
      // What counting one platform would give: the index plus the first platform's manifest, config, layers.
      const sizes = new Map<string, number>();
      const onePlatform = new Set([seed.manifests[reference]!.digest]);
      await manifestBlobs(registry.storageDir, children[0]!.digest, onePlatform, sizes);
      sizes.set(seed.manifests[reference]!.digest, seed.manifests[reference]!.size);
      const onePlatformBytes = [...onePlatform].reduce((sum, digest) => sum + sizes.get(digest)!, 0);
      expect(repository.bytes).toBe(groupFigures(walk, [name]).bytes);
      expect(repository.bytes).toBeGreaterThan(onePlatformBytes);
    }
  });

  it('answers a second run from the registry index: no manifest GET, the same figures', async () => {
    const before = (await registry.requestLog()).length;
    const warm = await usage(registry.host);
    const requests = (await registry.requestLog()).slice(before);
    expect(requests.filter((e) => e.method === 'GET' && e.path.includes('/manifests/'))).toEqual([]);
    expect(requests.filter((e) => e.method === 'HEAD').length).toBeGreaterThan(SEED.manyTags.count - 1);
    expect(warm.repositories).toEqual(cold.repositories);
    expect(warm.totalBytes).toBe(cold.totalBytes);
    // --cached answers from the index alone: not one request.
    const quiet = (await registry.requestLog()).length;
    const cached = await usage(registry.host, '--cached');
    expect((await registry.requestLog()).slice(quiet)).toEqual([]);
    expect(cached.repositories).toEqual(cold.repositories);
  }, 240_000);

  it('reads again a manifest whose summary an older Berth wrote without blob sizes', async () => {
    // The CLI's own cache, opened in-process after the CLI runs above (LevelDB admits one process).
    const backend = await createBackend({ transport: 'serve', env: { ...process.env, ...env } });
    try {
      const index = await backend.services.browser.registryIndex();
      const digest = seed.manifests['dev/app:1.0.0']!.digest;
      const { blobs: _blobs, ...older } = (await index.summary(digest))!;
      await index.putSummary(older);
      const call = async (refresh: boolean) => {
        const outcome = await backend.dispatcher.call(
          'storage.usage',
          { registryId: registry.host, refresh },
          () => undefined,
        );
        if (!outcome.ok) throw new Error(outcome.error.message);
        return outcome.value as StorageUsage;
      };
      const stale = await call(false);
      // dev/app:1.0.0 and test/app:1.0.0 share that manifest: both tags wait for a refresh.
      expect(stale.pendingTags).toBe(2);
      const before = (await registry.requestLog()).length;
      const fresh = await call(true);
      const gets = (await registry.requestLog())
        .slice(before)
        .filter((e) => e.method === 'GET' && e.path.includes('/manifests/'));
      // Only that manifest is read again (once per repository at most), nothing else.
      expect(gets.length).toBeGreaterThan(0);
      expect(gets.every((e) => e.path.endsWith(`/manifests/${digest}`))).toBe(true);
      expect(fresh.pendingTags).toBe(0);
      expect(fresh.repositories).toEqual(cold.repositories);
    } finally {
      await backend.close();
    }
  }, 240_000);

  it('prints a table, and refuses bad targets clearly', async () => {
    const plain = await berth('usage', `${registry.host}/shared`);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^REPOSITORY\s+TAGS\s+BYTES\s+UNIQUE\s+SHARED/m);
    expect(plain.stdout).toMatch(/^shared\/one\s+1\s/m);
    const missing = await berth('usage', `${registry.host}/no-such-namespace`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no repository under no-such-namespace/');
    const malformed = await berth('usage', `${registry.host}//x`);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('is not REGISTRY or REGISTRY/NAMESPACE');
    const unreachable = await berth('usage', '127.0.0.1:1');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^berth: /);
  }, 240_000);
});
