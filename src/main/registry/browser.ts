/**
 * The registry browser behind the API: the client plus what the UI needs on top of it — registries named
 * by settings id, tag details for the tag table (bounded concurrency, HEAD first, kept by digest in the
 * registry index so a second look fetches nothing that was seen), search over that index, and the
 * background indexing that fills it.
 */
import { join } from 'node:path';
import { isBerthError } from '../../shared/errors';
import { checkReference, DOCKER_HUB, isTag, parseReference, type RepositoryName } from '../../shared/reference';
import type {
  ImageDetails,
  ManifestInfo,
  RateLimitInfo,
  Referrer,
  RegistryChange,
  RegistryIndexResult,
  RepositoryList,
  SearchHit,
  TagDetail,
  TagList,
} from '../../shared/types/registry';
import { mapBounded } from '../util/async';
import type { RegistryClient } from './client';
import { indexRegistry, type IndexOptions, type IndexProgress } from './index/indexer';
import { RegistryIndex, summaryComplete, type DigestSummary } from './index/registry-index';
import { openIndexStore } from './index/store';
import { manifestInfo, type Manifest } from './manifest';
import { parsePlatform } from './platform';
import { readDigestSummary, tagDetailOf } from './tag-details';

/** A registry as the settings know it. */
export interface RegistryTarget {
  id: string;
  /** Registry name as in references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  /** Repositories added by hand (for registries whose catalog is closed). */
  repositories?: string[];
}

export interface RegistryBrowserOptions {
  client: RegistryClient;
  /** Maps a settings id to its registry; the one place that knows about settings. */
  resolveRegistry: (registryId: string) => RegistryTarget | Promise<RegistryTarget>;
  /** The settings id to name a registry host by in search hits and change events (default: the host). */
  registryIdForHost?: (host: string) => string;
  /** The registry index lives in `<cacheDir>/registry/index`. */
  cacheDir: string;
  /** Tags looked up at once by tagDetails (the transport also bounds requests per registry). */
  tagDetailsConcurrency?: number;
  /** Repositories indexed at once by `index` (each with `tagDetailsConcurrency` tags in flight). */
  indexConcurrency?: number;
  /** Hears every change Berth made to a registry (after the index recorded it), to tell the UI. */
  onChange?: (change: RegistryChange) => void;
  /** Hears why the index is kept in memory only (another process holds it). */
  onIndexFallback?: (reason: string) => void;
}

/** A write Berth made to a registry: a tag (or a manifest by digest) put, or deleted. */
export interface RegistryWrite {
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
  deleted?: boolean;
}

export interface TagDetailsProgress {
  current: number;
  total: number;
}

export interface RegistryBrowser {
  readonly client: RegistryClient;
  resolveRegistry(registryId: string): Promise<RegistryTarget>;
  /** Catalog (or Docker Hub namespace) plus repositories added by hand. */
  listRepositories(registryId: string, signal?: AbortSignal): Promise<RepositoryList>;
  listTags(registryId: string, repository: string, signal?: AbortSignal): Promise<TagList>;
  inspect(reference: string, platform?: string, signal?: AbortSignal): Promise<ImageDetails>;
  manifest(reference: string, signal?: AbortSignal): Promise<ManifestInfo>;
  referrers(reference: string, signal?: AbortSignal): Promise<Referrer[]>;
  /** Digest, created date, size and platforms per tag, in the order asked; one failing tag gets `error`. */
  tagDetails(
    registryId: string,
    repository: string,
    tags: string[],
    options?: { signal?: AbortSignal; onProgress?: (progress: TagDetailsProgress) => void; cachedOnly?: boolean },
  ): Promise<TagDetail[]>;
  rateLimit(registryId: string, signal?: AbortSignal): Promise<RateLimitInfo | null>;
  search(query: string, limit: number): Promise<SearchHit[]>;
  /**
   * Brings the index of a registry up to date: its repositories and their tags, and with `details` a summary
   * of every digest not yet indexed (tags already known cost a HEAD each, new digests one GET). Bounded,
   * cancellable; a second call for a registry being indexed the same way joins the running one.
   */
  index(
    registryId: string,
    options?: {
      details?: boolean;
      signal?: AbortSignal;
      onProgress?: (progress: IndexProgress) => void;
    } & Pick<IndexOptions, 'repositories' | 'onRepository'>,
  ): Promise<RegistryIndexResult>;
  /** Records a write Berth made (promotion, push, delete) and tells `onChange`. */
  noteWrite(write: RegistryWrite): Promise<void>;
  /** The index itself, for features that read it (storage usage, drift, lineage). */
  registryIndex(): Promise<RegistryIndex>;
  close(): Promise<void>;
}

/** Errors that are about the registry, not one tag: stop the whole batch instead of repeating them 2,000 times. */
const REGISTRY_WIDE = new Set(['unauthorized', 'denied', 'unreachable', 'tls', 'timeout', 'rate_limited', 'cancelled']);
/** Tag digests written to the index at once while tag details are read. */
const RECORD_BATCH = 100;
/** Docker Hub pulls kept in reserve: tag details never spend the last ones (a manifest GET counts as a pull). */
const HUB_PULL_RESERVE = 10;

export function createRegistryBrowser(options: RegistryBrowserOptions): RegistryBrowser {
  const { client } = options;
  // Opened on first use: a command that never reads the index (most CLI commands) neither loads LevelDB nor
  // takes its one-process lock from the app.
  let opening: Promise<RegistryIndex> | undefined;
  const opened = () =>
    (opening ??= openIndexStore(join(options.cacheDir, 'registry', 'index'), options.onIndexFallback).then(
      (store) => new RegistryIndex(store),
    ));
  const concurrency = options.tagDetailsConcurrency ?? 8;
  const reading = new Map<string, Promise<DigestSummary>>();
  const indexing = new Map<string, Promise<RegistryIndexResult>>();
  /** Ends background indexing when the services close. */
  const closing = new AbortController();
  const idForHost = (host: string) => {
    try {
      return options.registryIdForHost?.(host) ?? host;
    } catch {
      return host;
    }
  };

  async function resolveRegistry(registryId: string): Promise<RegistryTarget> {
    return options.resolveRegistry(registryId);
  }

  async function listRepositories(registryId: string, signal?: AbortSignal): Promise<RepositoryList> {
    const target = await resolveRegistry(registryId);
    const byHand = target.repositories ?? [];
    let listed: string[];
    try {
      listed = await client.listRepositories(target.host, signal ? { signal } : {});
    } catch (error) {
      // A closed catalog is normal; the repositories added by hand are then the list.
      const closed =
        isBerthError(error) &&
        (error.code === 'unsupported' || (target.host === DOCKER_HUB && error.code === 'invalid_input'));
      if (!closed || byHand.length === 0) throw error;
      listed = [];
    }
    const repositories = [...new Set([...listed, ...byHand])];
    // A closed catalog lists only what was added by hand: that does not say the others are gone.
    await (await opened()).setRepositories(target.host, repositories, listed.length > 0);
    return { registry: target.host, repositories };
  }

  async function listTags(registryId: string, repository: string, signal?: AbortSignal): Promise<TagList> {
    const target = await resolveRegistry(registryId);
    const tags = await client.listTags(checkReference({ registry: target.host, repository }), signal ? { signal } : {});
    await (await opened()).setTags(target.host, repository, tags);
    return { name: repository, tags };
  }

  /**
   * One tag's details. A tag whose last known digest is indexed costs one HEAD; a tag never seen costs one
   * GET by tag (not HEAD then GET). On Docker Hub a GET counts as a pull, so there it is always HEAD first.
   */
  async function detailFor(
    index: RegistryIndex,
    repo: RepositoryName,
    tag: string,
    hinted: DigestSummary | undefined,
    signal?: AbortSignal,
  ): Promise<TagDetail> {
    const options = signal ? { signal } : {};
    if (!isTag(tag)) return { tag, digest: '', mediaType: '', error: `"${tag.slice(0, 64)}" is not a valid tag.` };
    const ref = { ...repo, tag };
    let digest: string;
    let manifest: Manifest | undefined;
    if (hinted || repo.registry === DOCKER_HUB) {
      const head = await client.headManifest(ref, options);
      if (!head) return { tag, digest: '', mediaType: '', error: `Tag ${tag} no longer exists.` };
      digest = head.digest;
    } else {
      try {
        manifest = await client.getManifest(ref, options);
      } catch (error) {
        if (isBerthError(error) && error.code === 'not_found')
          return { tag, digest: '', mediaType: '', error: `Tag ${tag} no longer exists.` };
        throw error;
      }
      digest = manifest.digest;
    }
    const known = hinted?.digest === digest ? hinted : await index.summary(digest);
    if (known && summaryComplete(known)) return tagDetailOf(known, tag);
    if (repo.registry === DOCKER_HUB) {
      const limit = await client.rateLimit(DOCKER_HUB);
      if (limit?.remaining !== undefined && limit.remaining <= HUB_PULL_RESERVE) {
        return { tag, digest, mediaType: '', error: `Skipped to save Docker Hub pulls (${limit.remaining} left).` };
      }
    }
    // Tags often share a digest (1.2, 1, latest): read each digest once.
    let pending = reading.get(digest);
    if (!pending) {
      pending = (async () => {
        const summary = await readDigestSummary(
          client,
          manifest ?? (await client.getManifest({ ...repo, digest }, options)),
          signal,
        );
        await index.putSummary(summary);
        return summary;
      })();
      reading.set(digest, pending);
      void pending.catch(() => undefined).finally(() => reading.delete(digest));
    }
    return tagDetailOf(await pending, tag);
  }

  /** The index's summary of each tag's last known digest (tags never seen, or whose digest was never read, are absent). */
  async function knownSummaries(index: RegistryIndex, repo: RepositoryName): Promise<Map<string, DigestSummary>> {
    const digests = await index.tagDigests(repo.registry, repo.repository);
    const summaries = await index.summaries([...digests.values()]);
    const known = new Map<string, DigestSummary>();
    for (const [tag, digest] of digests) {
      const summary = summaries.get(digest);
      if (summary) known.set(tag, summary);
    }
    return known;
  }

  async function tagDetails(
    registryId: string,
    repository: string,
    tags: string[],
    {
      signal,
      onProgress,
      cachedOnly = false,
    }: { signal?: AbortSignal; onProgress?: (progress: TagDetailsProgress) => void; cachedOnly?: boolean } = {},
  ): Promise<TagDetail[]> {
    const target = await resolveRegistry(registryId);
    const repo = checkReference({ registry: target.host, repository });
    const index = await opened();
    const known = await knownSummaries(index, repo);
    // Stale-while-revalidate: what the index knows, with no request to the registry, so a warm repository
    // sorts by date at once; the caller revalidates with a normal call. Tags never seen are left out.
    if (cachedOnly)
      return tags.flatMap((tag) => {
        const summary = known.get(tag);
        return summary ? [{ ...tagDetailOf(summary, tag), stale: true }] : [];
      });
    let done = 0;
    // Digests are recorded as they come, a batch at a time, so readers of the index (storage usage) see a
    // 2,000-tag repository fill in while it is read.
    let seen = new Map<string, string>();
    const record = () => {
      const batch = seen;
      seen = new Map();
      return index.setTagDigests(repo.registry, repo.repository, batch);
    };
    // A tag's own failure is recorded on its row; a registry-wide one (or a cancel) stops the whole batch.
    const results = await mapBounded(tags, concurrency, signal, async (tag, _position, batchSignal) => {
      let detail: TagDetail;
      try {
        detail = await detailFor(index, repo, tag, known.get(tag), batchSignal);
      } catch (error) {
        if (!isBerthError(error) || REGISTRY_WIDE.has(error.code) || batchSignal.aborted) throw error;
        detail = { tag, digest: '', mediaType: '', error: error.message };
      }
      if (detail.digest) seen.set(detail.tag, detail.digest);
      if (seen.size >= RECORD_BATCH) await record();
      onProgress?.({ current: ++done, total: tags.length });
      return detail;
    });
    await record();
    return results;
  }

  async function rateLimit(registryId: string, signal?: AbortSignal): Promise<RateLimitInfo | null> {
    const target = await resolveRegistry(registryId);
    return (await client.rateLimit(target.host, { probe: true, ...(signal ? { signal } : {}) })) ?? null;
  }

  return {
    client,
    resolveRegistry,
    listRepositories,
    listTags,
    async inspect(reference, platform, signal) {
      return client.inspect(reference, {
        ...(platform ? { platform: parsePlatform(platform) } : {}),
        ...(signal ? { signal } : {}),
      });
    },
    async manifest(reference, signal) {
      const ref = parseReference(reference);
      return manifestInfo(await client.getManifest(ref, signal ? { signal } : {}), ref);
    },
    async referrers(reference, signal) {
      return client.listReferrers(reference, signal ? { signal } : {});
    },
    tagDetails,
    rateLimit,
    async search(query, limit) {
      const hits = await (await opened()).search(query, limit);
      return hits.map(({ host, repository, tag }) => ({
        registryId: idForHost(host),
        repository,
        ...(tag !== undefined ? { tag } : {}),
      }));
    },
    async index(registryId, { details = false, signal, onProgress, repositories, onRepository } = {}) {
      const target = await resolveRegistry(registryId);
      const key = `${target.host}\u0000${details}`;
      // A run over chosen repositories is its caller's alone: neither joins nor is joined by a whole-registry run.
      let running = repositories ? undefined : indexing.get(key);
      if (!running) {
        running = indexRegistry(
          {
            listRepositories: (id, innerSignal) => listRepositories(id, innerSignal),
            listTags: (id, repository, innerSignal) => listTags(id, repository, innerSignal),
            tagDetails: (id, repository, tags, innerSignal, onTag) =>
              tagDetails(id, repository, tags, { signal: innerSignal, onProgress: onTag }),
          },
          {
            registryId,
            host: target.host,
            // Docker Hub counts manifest GETs as pulls: its tags are listed, their details read when opened.
            details: details && target.host !== DOCKER_HUB,
            concurrency: options.indexConcurrency ?? 2,
            signal: signal ? AbortSignal.any([signal, closing.signal]) : closing.signal,
            ...(onProgress ? { onProgress } : {}),
            ...(repositories ? { repositories } : {}),
            ...(onRepository ? { onRepository } : {}),
          },
        );
        if (repositories) return running;
        indexing.set(key, running);
        const settled = running;
        void settled
          .catch(() => undefined)
          .finally(() => {
            if (indexing.get(key) === settled) indexing.delete(key);
          });
      }
      return running;
    },
    async noteWrite(write) {
      const index = await opened();
      const { host, repository, tag, digest, deleted } = write;
      let tags = tag !== undefined ? [tag] : [];
      if (tag !== undefined && deleted) await index.removeTags(host, repository, [tag]);
      else if (tag !== undefined && digest) await index.setTagDigests(host, repository, new Map([[tag, digest]]));
      else if (deleted && digest) {
        // A manifest deleted by digest takes every tag on it along.
        const digests = await index.tagDigests(host, repository);
        tags = [...digests].filter(([, tagDigest]) => tagDigest === digest).map(([name]) => name);
        await index.removeTags(host, repository, tags);
      } else if (!deleted) {
        // A manifest put by digest (a child of an index being copied) makes the repository exist.
        await index.setRepositories(host, [repository], false);
      }
      options.onChange?.({ registryId: idForHost(host), host, repository, tags });
    },
    registryIndex: () => opened(),
    async close() {
      closing.abort();
      await Promise.allSettled([...indexing.values()]);
      if (opening) await (await opening).close();
    },
  };
}
