/**
 * The registry browser behind the API: the client plus what the UI needs on top of it — registries named
 * by settings id, tag details for the tag table (bounded concurrency, HEAD first, cached on disk by digest
 * so a second look fetches nothing that was seen), and a local search index of what has been listed.
 */
import { isBerthError } from '../../shared/errors';
import { checkReference, DOCKER_HUB, isTag, parseReference, type RepositoryName } from '../../shared/reference';
import type {
  ImageDetails,
  ManifestInfo,
  RateLimitInfo,
  Referrer,
  RepositoryList,
  TagDetail,
  TagList,
} from '../../shared/types/registry';
import { mapBounded } from '../util/async';
import type { RegistryClient } from './client';
import { manifestInfo, type Manifest } from './manifest';
import { parsePlatform } from './platform';
import { SearchIndex, type SearchHit } from './search-index';
import { TagDetailCache, readTagDetail, type CachedTagDetail } from './tag-details';

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
  cacheDir: string;
  /** Tags looked up at once by tagDetails (the transport also bounds requests per registry). */
  tagDetailsConcurrency?: number;
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
  close(): Promise<void>;
}

/** Errors that are about the registry, not one tag: stop the whole batch instead of repeating them 2,000 times. */
const REGISTRY_WIDE = new Set(['unauthorized', 'denied', 'unreachable', 'tls', 'timeout', 'rate_limited', 'cancelled']);
/** Docker Hub pulls kept in reserve: tag details never spend the last ones (a manifest GET counts as a pull). */
const HUB_PULL_RESERVE = 10;

export function createRegistryBrowser(options: RegistryBrowserOptions): RegistryBrowser {
  const { client } = options;
  const cache = new TagDetailCache(options.cacheDir);
  const index = new SearchIndex(options.cacheDir);
  const concurrency = options.tagDetailsConcurrency ?? 8;
  const reading = new Map<string, Promise<CachedTagDetail>>();

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
    index.addRepositories(registryId, repositories);
    return { registry: target.host, repositories };
  }

  async function listTags(registryId: string, repository: string, signal?: AbortSignal): Promise<TagList> {
    const target = await resolveRegistry(registryId);
    const tags = await client.listTags(checkReference({ registry: target.host, repository }), signal ? { signal } : {});
    index.addTags(registryId, repository, tags);
    return { name: repository, tags };
  }

  /**
   * One tag's details. A tag whose last known digest is cached costs one HEAD; a tag never seen costs one
   * GET by tag (not HEAD then GET). On Docker Hub a GET counts as a pull, so there it is always HEAD first.
   */
  async function detailFor(
    repo: RepositoryName,
    tag: string,
    hint: string | undefined,
    signal?: AbortSignal,
  ): Promise<TagDetail> {
    const options = signal ? { signal } : {};
    if (!isTag(tag)) return { tag, digest: '', mediaType: '', error: `"${tag.slice(0, 64)}" is not a valid tag.` };
    const ref = { ...repo, tag };
    let digest: string;
    let manifest: Manifest | undefined;
    const hinted = hint !== undefined && (await cache.get(hint)) !== undefined;
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
    const cached = await cache.get(digest);
    if (cached) return { ...cached, tag };
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
        const detail = await readTagDetail(
          client,
          manifest ?? (await client.getManifest({ ...repo, digest }, options)),
          signal,
        );
        await cache.set(digest, detail);
        return detail;
      })();
      reading.set(digest, pending);
      void pending.catch(() => undefined).finally(() => reading.delete(digest));
    }
    return { ...(await pending), tag };
  }

  /**
   * Stale-while-revalidate: what the disk cache knows about these tags, with no request to the registry, so
   * a warm repository sorts by date at once; the caller revalidates with a normal call. Tags never seen are
   * left out.
   */
  async function cachedTagDetails(repo: RepositoryName, tags: string[]): Promise<TagDetail[]> {
    const hints = await cache.tagHints(repo);
    const known: TagDetail[] = [];
    for (const tag of tags) {
      const digest = hints.get(tag);
      const cached = digest === undefined ? undefined : await cache.get(digest);
      if (cached) known.push({ ...cached, tag, stale: true });
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
    if (cachedOnly) return cachedTagDetails(repo, tags);
    const hints = await cache.tagHints(repo);
    let done = 0;
    // A tag's own failure is recorded on its row; a registry-wide one (or a cancel) stops the whole batch.
    const results = await mapBounded(tags, concurrency, signal, async (tag, _position, batchSignal) => {
      let detail: TagDetail;
      try {
        detail = await detailFor(repo, tag, hints.get(tag), batchSignal);
      } catch (error) {
        if (!isBerthError(error) || REGISTRY_WIDE.has(error.code) || batchSignal.aborted) throw error;
        detail = { tag, digest: '', mediaType: '', error: error.message };
      }
      onProgress?.({ current: ++done, total: tags.length });
      return detail;
    });
    await cache.updateTagHints(
      repo,
      new Map(results.filter((detail) => detail.digest).map((detail) => [detail.tag, detail.digest])),
    );
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
      return index.search(query, limit);
    },
    async close() {
      await index.flush();
    },
  };
}
