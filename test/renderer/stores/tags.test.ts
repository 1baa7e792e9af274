import { afterEach, describe, expect, it, vi } from 'vitest';
import { useOperations } from '../../../src/renderer/stores/operations';
import {
  DETAILS_CHUNK,
  MAX_REQUESTS_IN_FLIGHT,
  PRIORITY_CHUNK,
  repositoryKey,
  useTags,
} from '../../../src/renderer/stores/tags';
import { BerthError } from '../../../src/shared/errors';
import type { TagDetail } from '../../../src/shared/types/registry';
import { deferred, scriptedApi } from '../promote/scripted-api';

const TAGS = Array.from({ length: 350 }, (_, i) => `t${String(i).padStart(3, '0')}`);
const detailOf = (tag: string): TagDetail => ({
  tag,
  digest: `sha256:${'a'.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  created: new Date(Date.UTC(2024, 0, 1) + TAGS.indexOf(tag) * 1000).toISOString(),
  size: 1,
});
const key = repositoryKey('r', 'team/app');

/** Resolves when `check` passes, polling the store (bounded). */
async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(() => vi.useRealTimers());

describe('tags store', () => {
  it('lists tags, then fetches every detail in bounded chunks with at most two requests in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const chunks: string[][] = [];
    const api = scriptedApi({
      'registry.listTags': () => ({ name: 'team/app', tags: TAGS }),
      'registry.tagDetails': async ({ tags, cachedOnly }) => {
        if (cachedOnly) return [];
        chunks.push(tags);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return tags.map(detailOf);
      },
    });
    const store = useTags.of(api);
    await store.getState().open('r', 'team/app', { fetchAll: true });
    expect(store.getState().repositories[key]!.tags).toEqual({ status: 'ready', value: TAGS });
    await until(() => store.getState().repositories[key]!.fetch.complete, 'all details');
    const entry = store.getState().repositories[key]!;
    expect(Object.keys(entry.details)).toHaveLength(TAGS.length);
    expect(entry.fetch).toMatchObject({ done: 350, total: 350, complete: true });
    await until(() => !store.getState().repositories[key]!.fetch.running, 'the fetch to settle');
    expect(chunks.every((c) => c.length <= DETAILS_CHUNK)).toBe(true);
    expect(chunks.flat().sort()).toEqual(TAGS);
    expect(maxInFlight).toBeLessThanOrEqual(MAX_REQUESTS_IN_FLIGHT);
    // One operation for the user, finished.
    const ops = Object.values(useOperations.of(api).getState().entries);
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ kind: 'registry.tagDetails', done: true, status: 'Done', current: 350, total: 350 });
  });

  it('fetches the rows on screen before the rest', async () => {
    const chunks: string[][] = [];
    const api = scriptedApi({
      'registry.listTags': () => ({ name: 'team/app', tags: TAGS }),
      'registry.tagDetails': async ({ tags, cachedOnly }) => {
        if (cachedOnly) return [];
        chunks.push(tags);
        return tags.map(detailOf);
      },
    });
    const store = useTags.of(api);
    const visible = TAGS.slice(300, 330);
    // The table reports its visible rows as soon as it renders, possibly before the list arrives.
    store.getState().prioritize('r', 'team/app', visible);
    await store.getState().open('r', 'team/app', { fetchAll: true });
    await until(() => store.getState().repositories[key]!.fetch.complete, 'all details');
    expect(chunks[0]).toEqual(visible);
    expect(chunks[0]!.length).toBeLessThanOrEqual(PRIORITY_CHUNK);
  });

  it('fetches only visible rows where pulls are precious, and everything once a date sort needs it', async () => {
    const asked: string[] = [];
    const api = scriptedApi({
      'registry.listTags': () => ({ name: 'team/app', tags: TAGS }),
      'registry.tagDetails': async ({ tags, cachedOnly }) => {
        if (cachedOnly) return [];
        asked.push(...tags);
        return tags.map(detailOf);
      },
    });
    const store = useTags.of(api);
    await store.getState().open('r', 'team/app', { fetchAll: false });
    store.getState().prioritize('r', 'team/app', TAGS.slice(0, 20));
    await until(() => asked.length === 20, 'the visible rows');
    await new Promise((r) => setTimeout(r, 30));
    expect(asked).toHaveLength(20);
    expect(store.getState().repositories[key]!.fetch.complete).toBe(false);

    store.getState().setSort('r', 'team/app', { key: 'created', direction: 'desc' });
    await until(() => store.getState().repositories[key]!.fetch.complete, 'all details after the date sort');
    expect(new Set(asked).size).toBe(TAGS.length);
    expect(asked).toHaveLength(TAGS.length); // nothing asked twice
  });

  it('stops on a registry-wide failure, keeps what it has, and resumes where it stopped', async () => {
    let fail = true;
    const gate = deferred<void>();
    const api = scriptedApi({
      'registry.listTags': () => ({ name: 'team/app', tags: TAGS }),
      'registry.tagDetails': async ({ tags, cachedOnly }) => {
        if (cachedOnly) return [];
        if (tags.includes('t100') && fail) {
          await gate.promise;
          throw new BerthError('rate_limited', 'Docker Hub pull limit reached', { retryAfterSeconds: 60 });
        }
        return tags.map(detailOf);
      },
    });
    const store = useTags.of(api);
    await store.getState().open('r', 'team/app', { fetchAll: true });
    await until(() => Object.keys(store.getState().repositories[key]!.details).length >= 100, 'the first chunk');
    gate.resolve();
    await until(() => store.getState().repositories[key]!.fetch.error !== undefined, 'the error');
    await until(() => !store.getState().repositories[key]!.fetch.running, 'the fetch to stop');
    const stopped = store.getState().repositories[key]!;
    expect(stopped.fetch).toMatchObject({ complete: false, error: { code: 'rate_limited' } });
    expect(stopped.details.t000).toBeDefined();
    const op = Object.values(useOperations.of(api).getState().entries)[0]!;
    expect(op).toMatchObject({ done: true, status: 'Failed', error: { code: 'rate_limited' } });

    fail = false;
    store.getState().fetchAll('r', 'team/app');
    await until(() => store.getState().repositories[key]!.fetch.complete, 'the resumed fetch');
    expect(store.getState().repositories[key]!.fetch.error).toBeUndefined();
    const resumedAsks = api.calls
      .filter((c) => c.name === 'registry.tagDetails' && !(c.input as { cachedOnly?: boolean }).cachedOnly)
      .map((c) => (c.input as { tags: string[] }).tags);
    // After the failure only what was missing is asked again.
    const afterFailure = resumedAsks.slice(resumedAsks.findIndex((t) => t.includes('t100')) + 1).flat();
    expect(afterFailure.filter((t) => t < 't100')).toEqual([]);
  });

  it('folds the progress events of its requests into one operation', async () => {
    const release = deferred<void>();
    const api = scriptedApi({
      'registry.listTags': () => ({ name: 'team/app', tags: TAGS.slice(0, 80) }),
      'registry.tagDetails': async ({ tags, operationId, cachedOnly }) => {
        if (cachedOnly) return [];
        api.emit('operation.progress', {
          operationId: operationId!,
          kind: 'registry.tagDetails',
          status: 'Reading tag details',
          current: 40,
          total: tags.length,
          done: false,
        });
        await release.promise;
        return tags.map(detailOf);
      },
    });
    const store = useTags.of(api);
    await store.getState().open('r', 'team/app', { fetchAll: true });
    const operations = useOperations.of(api);
    await until(() => Object.values(operations.getState().entries)[0]?.current === 40, 'progress');
    expect(operations.getState().order).toHaveLength(1);
    release.resolve();
    await until(() => store.getState().repositories[key]!.fetch.complete, 'completion');
  });

  it('shows a failed tag list as an error, and a refresh retries it', async () => {
    let attempts = 0;
    const api = scriptedApi({
      'registry.listTags': () => {
        attempts++;
        if (attempts === 1) throw new BerthError('unauthorized', 'Sign in to list team/app');
        return { name: 'team/app', tags: ['1.0'] };
      },
      'registry.tagDetails': ({ tags }) => tags.map(detailOf),
    });
    const store = useTags.of(api);
    await store.getState().open('r', 'team/app', { fetchAll: true });
    expect(store.getState().repositories[key]!.tags).toMatchObject({
      status: 'error',
      error: { code: 'unauthorized' },
    });
    await store.getState().refresh('r', 'team/app');
    expect(store.getState().repositories[key]!.tags).toEqual({ status: 'ready', value: ['1.0'] });
  });
});

describe('tags store refresh', () => {
  it('asks every detail again, since a tag may point at another image now', async () => {
    let digest = 'a';
    const api = scriptedApi({
      'registry.listTags': () => ({ name: 'team/app', tags: ['latest'] }),
      'registry.tagDetails': ({ tags }) =>
        tags.map((tag) => ({
          tag,
          digest: `sha256:${digest.repeat(64)}`,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
        })),
    });
    const store = useTags.of(api);
    await store.getState().open('r', 'team/app', { fetchAll: true });
    await until(() => store.getState().repositories[key]!.fetch.complete, 'details');
    expect(store.getState().repositories[key]!.details.latest!.digest).toBe(`sha256:${'a'.repeat(64)}`);
    digest = 'b';
    await store.getState().refresh('r', 'team/app');
    await until(
      () => store.getState().repositories[key]!.details.latest?.digest === `sha256:${'b'.repeat(64)}`,
      'the new digest',
    );
  });
  it('shows what main has cached at once, marked stale, then revalidates every tag with the registry', async () => {
    const revalidated: string[] = [];
    const api = scriptedApi({
      'registry.listTags': () => ({ name: 'team/app', tags: TAGS }),
      'registry.tagDetails': async ({ tags, cachedOnly }) => {
        if (cachedOnly) return tags.slice(0, 300).map(detailOf);
        await new Promise((r) => setTimeout(r, 20));
        revalidated.push(...tags);
        return tags.map(detailOf);
      },
    });
    const store = useTags.of(api);
    await store.getState().open('r', 'team/app', { fetchAll: true });
    const first = store.getState().repositories[key]!;
    expect(Object.values(first.details).filter((d) => d.stale)).toHaveLength(300);
    expect(first.details.t000).toMatchObject({ stale: true, created: detailOf('t000').created });
    await until(
      () => !store.getState().repositories[key]!.fetch.running && revalidated.length === TAGS.length,
      'the revalidation',
    );
    const settled = store.getState().repositories[key]!;
    expect(Object.values(settled.details).some((d) => d.stale)).toBe(false);
    expect(settled.fetch).toMatchObject({ done: 350, total: 350, complete: true });
    expect([...revalidated].sort()).toEqual(TAGS);
  });
});
