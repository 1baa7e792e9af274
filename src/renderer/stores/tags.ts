/**
 * Tags of the repositories the user opened, and each tag's details (digest, media type, created, size,
 * platforms). Details come from `registry.tagDetails`, which does HEAD-then-GET and caches by digest on
 * disk; this store asks for them in chunks, visible rows first, a few requests at a time, merges what comes
 * back, and reports one operation per repository in the status bar. Sorting by date or size therefore
 * covers the whole repository once the fetch completes, and is exact for what is known before.
 *
 * Docker Hub counts manifest GETs against a pull limit, so for registries where `fetchAll` is false only
 * rows on screen are fetched until the user sorts by date or size (or asks for everything).
 *
 * When Berth changes a repository that is open (`registry.changed`), its tag list loads again and the
 * details of the tags it names are asked again; the other tags keep theirs.
 */
import type { ErrorData } from '../../shared/errors';
import type { TagDetail } from '../../shared/types/registry';
import type { FilterMode } from '../logic/tag-filter';
import { sortNeedsDetails, type TagSort } from '../logic/tag-sort';
import { apiStore } from './api-store';
import { toErrorData, track, type Loadable } from './loadable';
import { newOperationId, useOperations } from './operations';
import { changedRegistryIds, onRegistryChanges, useRegistries } from './registries';

export interface DetailsFetch {
  /** Tags with details (or a per-tag error) so far. */
  done: number;
  /** Tags in the repository. */
  total: number;
  running: boolean;
  /** Set when a whole request failed (rate limit, sign-in...): fetching stopped; `resume` retries. */
  error?: ErrorData;
  /** Every tag has details: a date or size sort is complete. */
  complete: boolean;
}

export interface RepositoryTags {
  registryId: string;
  repository: string;
  tags?: Loadable<string[]>;
  details: Record<string, TagDetail>;
  fetch: DetailsFetch;
  filterText: string;
  filterMode: FilterMode;
  /** Tags of expanded multi-arch rows. */
  expanded: string[];
}

export interface TagsState {
  repositories: Record<string, RepositoryTags>;
  /** Shared by every repository: a user who sorts by date wants the next repository by date too. */
  sort: TagSort;
  groupByDigest: boolean;
  /** Loads the tag list (once; `refresh` reloads) and starts fetching details. */
  open(registryId: string, repository: string, options: { fetchAll: boolean }): Promise<void>;
  refresh(registryId: string, repository: string): Promise<void>;
  /** Rows on screen: fetched before anything else. */
  prioritize(registryId: string, repository: string, tags: readonly string[]): void;
  /** Fetch details for every tag (also what a date or size sort triggers). */
  fetchAll(registryId: string, repository: string): void;
  setSort(registryId: string, repository: string, sort: TagSort): void;
  setGroupByDigest(group: boolean): void;
  setFilter(registryId: string, repository: string, text: string, mode: FilterMode): void;
  toggleExpanded(registryId: string, repository: string, tag: string, expanded?: boolean): void;
}

export function repositoryKey(registryId: string, repository: string): string {
  return `${registryId}\u0000${repository}`;
}

/** Tags per `registry.tagDetails` request: big enough to amortise a round trip, small enough to show progress. */
export const DETAILS_CHUNK = 100;
/** Tags for the first request of rows on screen, so they fill in quickly. */
export const PRIORITY_CHUNK = 50;
/** Requests in flight per repository (main bounds its own registry concurrency on top). */
export const MAX_REQUESTS_IN_FLIGHT = 2;

interface Fetcher {
  wanted: 'visible' | 'all';
  /** Tags not yet asked for. */
  pending: Set<string>;
  priority: string[];
  inFlight: number;
  /** childOperationId -> progress of that request (tags done), for a smooth status bar. */
  childProgress: Map<string, number>;
  operationId?: string;
  stopped: boolean;
}

const emptyFetch = (total = 0): DetailsFetch => ({ done: 0, total, running: false, complete: total === 0 });

export const useTags = apiStore<TagsState>((api) => (set, get) => {
  const fetchers = new Map<string, Fetcher>();
  /** Rows on screen reported before the tag list (and so the fetcher) existed. */
  const earlyPriority = new Map<string, string[]>();
  const childToKey = new Map<string, string>();
  const operations = () => useOperations.of(api).getState();

  const repo = (key: string) => get().repositories[key];
  const patch = (key: string, change: Partial<RepositoryTags> | ((r: RepositoryTags) => Partial<RepositoryTags>)) => {
    set((s) => {
      const current = s.repositories[key];
      if (!current) return s;
      const next = typeof change === 'function' ? change(current) : change;
      return { repositories: { ...s.repositories, [key]: { ...current, ...next } } };
    });
  };

  const reportProgress = (key: string) => {
    const fetcher = fetchers.get(key);
    const r = repo(key);
    if (!fetcher?.operationId || !r) return;
    const partial = [...fetcher.childProgress.values()].reduce((a, b) => a + b, 0);
    operations().update(fetcher.operationId, {
      current: Math.min(r.fetch.total, r.fetch.done + partial),
      total: r.fetch.total,
      status: `${r.fetch.done.toLocaleString('en-US')} of ${r.fetch.total.toLocaleString('en-US')} tags`,
    });
  };

  api.on('operation.progress', (event) => {
    const key = childToKey.get(event.operationId);
    const fetcher = key ? fetchers.get(key) : undefined;
    if (!key || !fetcher || event.done) return;
    fetcher.childProgress.set(event.operationId, event.current);
    reportProgress(key);
  });

  const finishOperation = (fetcher: Fetcher, error?: ErrorData) => {
    if (!fetcher.operationId) return;
    operations().finish(fetcher.operationId, error);
    fetcher.operationId = undefined;
  };

  /** Takes the next chunk: rows on screen first, then (when everything is wanted) the rest in list order. */
  const nextChunk = (fetcher: Fetcher): string[] => {
    const chunk: string[] = [];
    while (fetcher.priority.length > 0 && chunk.length < PRIORITY_CHUNK) {
      const tag = fetcher.priority.shift()!;
      if (fetcher.pending.delete(tag)) chunk.push(tag);
    }
    if (chunk.length > 0 || fetcher.wanted === 'visible') return chunk;
    for (const tag of fetcher.pending) {
      chunk.push(tag);
      if (chunk.length >= DETAILS_CHUNK) break;
    }
    chunk.forEach((tag) => fetcher.pending.delete(tag));
    return chunk;
  };

  const pump = (key: string) => {
    const fetcher = fetchers.get(key);
    const r = repo(key);
    if (!fetcher || !r || fetcher.stopped) return;
    while (fetcher.inFlight < MAX_REQUESTS_IN_FLIGHT) {
      const chunk = nextChunk(fetcher);
      if (chunk.length === 0) break;
      if (!fetcher.operationId) {
        fetcher.operationId = operations().start({
          kind: 'registry.tagDetails',
          label: `Tag details · ${r.repository}`,
          total: r.fetch.total,
          cancellable: true,
        });
      }
      void request(key, fetcher, chunk);
    }
    const idle = fetcher.inFlight === 0;
    patch(key, (cur) => ({ fetch: { ...cur.fetch, running: !idle } }));
    if (idle) finishOperation(fetcher);
  };

  const request = async (key: string, fetcher: Fetcher, chunk: string[]) => {
    const r = repo(key)!;
    const childId = newOperationId();
    childToKey.set(childId, key);
    if (fetcher.operationId) operations().adopt(childId, fetcher.operationId);
    fetcher.inFlight++;
    patch(key, (cur) => ({ fetch: { ...cur.fetch, running: true } }));
    try {
      const details = await api.call('registry.tagDetails', {
        registryId: r.registryId,
        repository: r.repository,
        tags: chunk,
        operationId: childId,
      });
      if (fetchers.get(key) !== fetcher) return;
      mergeDetails(key, details);
    } catch (error) {
      if (fetchers.get(key) !== fetcher) return;
      // Put the chunk back so a retry picks it up, and stop: the next request would fail the same way.
      chunk.forEach((tag) => fetcher.pending.add(tag));
      fetcher.stopped = true;
      const data = toErrorData(error);
      patch(key, (cur) => ({ fetch: { ...cur.fetch, error: data } }));
      finishOperation(fetcher, data);
    } finally {
      childToKey.delete(childId);
      fetcher.childProgress.delete(childId);
      fetcher.inFlight--;
      if (fetchers.get(key) === fetcher) {
        if (fetcher.stopped && fetcher.inFlight === 0)
          patch(key, (cur) => ({ fetch: { ...cur.fetch, running: false } }));
        else pump(key);
        reportProgress(key);
      }
    }
  };

  const mergeDetails = (key: string, incoming: TagDetail[]) => {
    patch(key, (cur) => {
      const details = { ...cur.details };
      for (const detail of incoming) details[detail.tag] = detail;
      const done = Object.keys(details).length;
      return { details, fetch: { ...cur.fetch, done, complete: done >= cur.fetch.total } };
    });
  };

  const startFetcher = (key: string, wanted: Fetcher['wanted']) => {
    const r = repo(key);
    const tags = r?.tags?.value;
    if (!r || !tags) return;
    const previous = fetchers.get(key);
    if (previous) {
      finishOperation(previous);
      previous.stopped = true;
    }
    const fetcher: Fetcher = {
      wanted,
      // Tags shown from the cache (stale) are asked again too.
      pending: new Set(tags.filter((t) => !r.details[t] || r.details[t].stale)),
      priority: previous?.priority ?? earlyPriority.get(key) ?? [],
      inFlight: 0,
      childProgress: new Map(),
      stopped: false,
    };
    fetchers.set(key, fetcher);
    earlyPriority.delete(key);
    patch(key, (cur) => ({ fetch: { ...cur.fetch, error: undefined } }));
    pump(key);
  };

  const ensureRepository = (registryId: string, repository: string): string => {
    const key = repositoryKey(registryId, repository);
    if (!repo(key)) {
      set((s) => ({
        repositories: {
          ...s.repositories,
          [key]: {
            registryId,
            repository,
            details: {},
            fetch: emptyFetch(),
            filterText: '',
            filterMode: 'substring',
            expanded: [],
          },
        },
      }));
    }
    return key;
  };

  const loadTags = async (key: string, fetchAll: boolean) => {
    const r = repo(key)!;
    const tags = await track(
      r.tags,
      (tagsState) => patch(key, { tags: tagsState }),
      async () => (await api.call('registry.listTags', { registryId: r.registryId, repository: r.repository })).tags,
    );
    if (!tags) return;
    patch(key, (cur) => {
      const known = new Set(tags);
      const details = Object.fromEntries(Object.entries(cur.details).filter(([tag]) => known.has(tag)));
      const done = Object.keys(details).length;
      return { details, fetch: { ...emptyFetch(tags.length), done, complete: done >= tags.length } };
    });
    await showCachedDetails(key, tags);
    const wantAll = fetchAll || sortNeedsDetails(get().sort.key);
    startFetcher(key, wantAll ? 'all' : 'visible');
  };

  /**
   * Stale-while-revalidate: what main's disk cache already knows (no registry request) fills the table and
   * the sort at once; the fetcher then asks again for those tags, so a moved tag is corrected a moment later.
   */
  const showCachedDetails = async (key: string, tags: string[]) => {
    const r = repo(key);
    const unknown = tags.filter((tag) => !r?.details[tag]);
    if (!r || unknown.length === 0) return;
    try {
      const cached = await api.call('registry.tagDetails', {
        registryId: r.registryId,
        repository: r.repository,
        tags: unknown,
        cachedOnly: true,
      });
      mergeDetails(
        key,
        cached.map((detail) => ({ ...detail, stale: true })),
      );
    } catch {
      // Only a speed-up: the fetcher asks the registry for every tag anyway.
    }
  };

  onRegistryChanges(api, (changes) => {
    const registries = useRegistries.of(api).getState().list?.value;
    for (const change of changes) {
      for (const registryId of changedRegistryIds(change, registries)) {
        const key = repositoryKey(registryId, change.repository);
        if (repo(key)?.tags?.status !== 'ready') continue;
        patch(key, (cur) => {
          const details = { ...cur.details };
          for (const tag of change.tags) delete details[tag];
          return { details };
        });
        void loadTags(key, fetchers.get(key)?.wanted === 'all');
      }
    }
  });

  return {
    repositories: {},
    sort: { key: 'name', direction: 'asc' },
    groupByDigest: false,
    async open(registryId, repository, options) {
      const key = ensureRepository(registryId, repository);
      const r = repo(key)!;
      if (r.tags?.status === 'ready' || r.tags?.status === 'loading') {
        const fetcher = fetchers.get(key);
        if (options.fetchAll && fetcher && fetcher.wanted === 'visible') get().fetchAll(registryId, repository);
        return;
      }
      await loadTags(key, options.fetchAll);
    },
    async refresh(registryId, repository) {
      const key = ensureRepository(registryId, repository);
      const fetcher = fetchers.get(key);
      // A tag may point at another image now: every detail is asked again (main's digest cache keeps
      // that to a HEAD per unchanged tag).
      patch(key, { details: {} });
      await loadTags(key, fetcher?.wanted === 'all');
    },
    prioritize(registryId, repository, tags) {
      const key = repositoryKey(registryId, repository);
      const fetcher = fetchers.get(key);
      if (!fetcher) {
        earlyPriority.set(key, [...tags]);
        return;
      }
      if (fetcher.stopped) return;
      fetcher.priority = tags.filter((t) => fetcher.pending.has(t));
      if (fetcher.priority.length > 0) pump(key);
    },
    fetchAll(registryId, repository) {
      const key = repositoryKey(registryId, repository);
      const fetcher = fetchers.get(key);
      if (fetcher && !fetcher.stopped) {
        fetcher.wanted = 'all';
        pump(key);
      } else {
        startFetcher(key, 'all');
      }
    },
    setSort(registryId, repository, sort) {
      set({ sort });
      if (sortNeedsDetails(sort.key)) get().fetchAll(registryId, repository);
    },
    setGroupByDigest(groupByDigest) {
      set({ groupByDigest });
    },
    setFilter(registryId, repository, filterText, filterMode) {
      patch(repositoryKey(registryId, repository), { filterText, filterMode });
    },
    toggleExpanded(registryId, repository, tag, expanded) {
      patch(repositoryKey(registryId, repository), (cur) => {
        const isOpen = cur.expanded.includes(tag);
        const open = expanded ?? !isOpen;
        if (open === isOpen) return {};
        return { expanded: open ? [...cur.expanded, tag] : cur.expanded.filter((t) => t !== tag) };
      });
    },
  };
});
