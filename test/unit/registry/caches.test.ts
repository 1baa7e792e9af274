import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistryBrowser } from '../../../src/main/registry/browser';
import type { RegistryClient } from '../../../src/main/registry/client';
import { RegistryIndex } from '../../../src/main/registry/index/registry-index';
import { openIndexStore } from '../../../src/main/registry/index/store';

const D = (c: string) => `sha256:${c.repeat(64)}`;
let dir: string;
let indexDir: string;
const open: RegistryIndex[] = [];

/** The index in `indexDir`, as a new services instance would open it. */
async function openIndex(onFallback?: (reason: string) => void): Promise<RegistryIndex> {
  const index = new RegistryIndex(await openIndexStore(indexDir, onFallback));
  open.push(index);
  return index;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-cache-'));
  indexDir = join(dir, 'registry', 'index');
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((index) => index.close().catch(() => undefined)));
  await rm(dir, { recursive: true, force: true });
});

describe('digest summaries in the registry index', () => {
  it('keeps summaries on disk by digest, for the next process to read', async () => {
    const summary = {
      digest: D('a'),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      created: '2024-01-01T00:00:00Z',
      size: 42,
      config: D('c'),
      layers: [D('1'), D('2')],
    };
    const first = await openIndex();
    expect(first.persistent).toBe(true);
    await first.putSummary(summary);
    await first.close();
    const second = await openIndex();
    expect(await second.summary(D('a'))).toEqual(summary);
    expect(await second.summary(D('b'))).toBeUndefined();
    expect(await second.summaries([D('a'), D('b'), 'not-a-digest'])).toEqual(new Map([[D('a'), summary]]));
  });

  it('treats a damaged or foreign entry as a miss', async () => {
    const store = await openIndexStore(indexDir);
    await store.batch([
      { type: 'put', key: `d\u0000${D('c')}`, value: '{"digest": "sha256:other"' },
      { type: 'put', key: `d\u0000${D('d')}`, value: JSON.stringify({ digest: D('e'), mediaType: 'x' }) },
    ]);
    const index = new RegistryIndex(store);
    open.push(index);
    expect(await index.summary(D('c'))).toBeUndefined();
    expect(await index.summary(D('d'))).toBeUndefined();
    expect(await index.summary('../../etc/passwd')).toBeUndefined();
  });
});

describe('search over the registry index', () => {
  it('finds repositories and tags by words, best first, and persists', async () => {
    const index = await openIndex();
    await index.setRepositories('reg-a', ['dev/app', 'prod/app', 'team-a/service-x'], true);
    await index.setTags('reg-a', 'dev/app', ['1.0.0', '1.1.0', 'latest']);
    await index.setRepositories('reg-b', ['app'], true);
    expect(await index.search('app', 3)).toEqual([
      { host: 'reg-b', repository: 'app' },
      { host: 'reg-a', repository: 'dev/app' },
      { host: 'reg-a', repository: 'prod/app' },
    ]);
    expect(await index.search('dev 1.1', 10)).toEqual([{ host: 'reg-a', repository: 'dev/app', tag: '1.1.0' }]);
    expect(await index.search('   ', 10)).toEqual([]);
    await index.close();
    const reopened = await openIndex();
    expect([...(await reopened.tags('reg-a', 'dev/app')).keys()]).toEqual(['1.0.0', '1.1.0', 'latest']);
    expect(await reopened.search('service', 5)).toEqual([{ host: 'reg-a', repository: 'team-a/service-x' }]);
  });

  it('starts empty from a damaged folder and merges additions into what was saved', async () => {
    await mkdir(indexDir, { recursive: true });
    await writeFile(join(indexDir, 'CURRENT'), 'garbage');
    const first = await openIndex();
    expect(first.persistent).toBe(true);
    expect(await first.search('x', 5)).toEqual([]);
    await first.setRepositories('r', ['x/one'], false);
    await first.close();
    const second = await openIndex();
    await second.setRepositories('r', ['x/two'], false);
    await second.close();
    expect((await (await openIndex()).search('x', 5)).map((hit) => hit.repository)).toEqual(['x/one', 'x/two']);
  });

  it('keeps tag digests across a new listing, drops tags and repositories gone from a complete one', async () => {
    const index = await openIndex();
    await index.setRepositories('reg', ['a', 'b'], true);
    await index.setTags('reg', 'a', ['1', '2']);
    await index.setTagDigests('reg', 'a', new Map([['1', D('1')]]));
    await index.setTags('reg', 'a', ['1', '3']);
    expect(await index.tags('reg', 'a')).toEqual(
      new Map([
        ['1', D('1')],
        ['3', ''],
      ]),
    );
    expect(await index.tagDigests('reg', 'a')).toEqual(new Map([['1', D('1')]]));
    await index.setTags('reg', 'b', ['x']);
    await index.setRepositories('reg', ['a'], true);
    expect(await index.repositories('reg')).toEqual(['a']);
    expect(await index.tags('reg', 'b')).toEqual(new Map());
    expect(await index.counts('reg')).toEqual({ repositories: 1, tags: 2 });
  });

  it('answers from memory when another process holds the folder, and says why', async () => {
    const holder = await openIndex();
    await holder.setRepositories('reg', ['held'], true);
    const reasons: string[] = [];
    const second = await openIndex((reason) => reasons.push(reason));
    expect(second.persistent).toBe(false);
    expect(reasons).toEqual([expect.stringContaining('another Berth process')]);
    await second.setRepositories('reg', ['mine'], true);
    expect(await second.search('mine', 5)).toEqual([{ host: 'reg', repository: 'mine' }]);
    expect(await holder.search('mine', 5)).toEqual([]);
  });
});

describe('the registry browser', () => {
  it('opens the index on first use only, so a command that never reads it takes no lock', async () => {
    const listing = () => readdir(join(dir, 'registry')).catch(() => [] as string[]);
    // No request is made in this test: the client is never called.
    const unused = createRegistryBrowser({
      client: {} as RegistryClient,
      resolveRegistry: () => ({ host: 'reg' }) as never,
      cacheDir: dir,
    });
    await unused.close();
    expect(await listing()).toEqual([]);
    const used = createRegistryBrowser({
      client: {} as RegistryClient,
      resolveRegistry: () => ({ host: 'reg' }) as never,
      cacheDir: dir,
    });
    expect((await used.registryIndex()).persistent).toBe(true);
    expect(await listing()).toEqual(['index']);
    await used.close();
  });
});
