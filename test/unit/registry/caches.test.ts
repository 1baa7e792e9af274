import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SearchIndex } from '../../../src/main/registry/search-index';
import { TagDetailCache } from '../../../src/main/registry/tag-details';

const D = (c: string) => `sha256:${c.repeat(64)}`;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-registry-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TagDetailCache', () => {
  it('keeps details on disk by digest, for another process to read', async () => {
    const detail = {
      digest: D('a'),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      created: '2024-01-01T00:00:00Z',
      size: 42,
    };
    await new TagDetailCache(dir).set(D('a'), detail);
    expect(await new TagDetailCache(dir).get(D('a'))).toEqual(detail);
    expect(await new TagDetailCache(dir).get(D('b'))).toBeUndefined();
  });

  it('treats a damaged or foreign file as a miss', async () => {
    const folder = join(dir, 'registry', 'tag-details');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `sha256-${'c'.repeat(64)}.json`), '{"digest": "sha256:other"');
    await writeFile(join(folder, `sha256-${'d'.repeat(64)}.json`), JSON.stringify({ digest: D('e'), mediaType: 'x' }));
    const cache = new TagDetailCache(dir);
    expect(await cache.get(D('c'))).toBeUndefined();
    expect(await cache.get(D('d'))).toBeUndefined();
    expect(await cache.get('../../etc/passwd')).toBeUndefined();
  });
});

describe('SearchIndex', () => {
  it('finds repositories and tags by words, best first, and persists', async () => {
    const index = new SearchIndex(dir);
    index.addRepositories('reg-a', ['dev/app', 'prod/app', 'team-a/service-x']);
    index.addTags('reg-a', 'dev/app', ['1.0.0', '1.1.0', 'latest']);
    index.addRepositories('reg-b', ['app']);
    expect(await index.search('app', 3)).toEqual([
      { registryId: 'reg-b', repository: 'app' },
      { registryId: 'reg-a', repository: 'dev/app' },
      { registryId: 'reg-a', repository: 'prod/app' },
    ]);
    expect(await index.search('dev 1.1', 10)).toEqual([{ registryId: 'reg-a', repository: 'dev/app', tag: '1.1.0' }]);
    expect(await index.search('   ', 10)).toEqual([]);
    await index.flush();
    expect(
      JSON.parse(await readFile(join(dir, 'registry', 'search-index.json'), 'utf8')).registries['reg-a']['dev/app'],
    ).toEqual(['1.0.0', '1.1.0', 'latest']);
    expect(await new SearchIndex(dir).search('service', 5)).toEqual([
      { registryId: 'reg-a', repository: 'team-a/service-x' },
    ]);
  });

  it('starts empty from a damaged file and merges additions into what was saved', async () => {
    await mkdir(join(dir, 'registry'), { recursive: true });
    await writeFile(join(dir, 'registry', 'search-index.json'), 'garbage');
    const first = new SearchIndex(dir);
    expect(await first.search('x', 5)).toEqual([]);
    first.addRepositories('r', ['x/one']);
    await first.flush();
    const second = new SearchIndex(dir);
    second.addRepositories('r', ['x/two']);
    await second.flush();
    expect((await new SearchIndex(dir).search('x', 5)).map((hit) => hit.repository)).toEqual(['x/one', 'x/two']);
  });
});
