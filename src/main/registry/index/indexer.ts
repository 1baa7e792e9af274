/**
 * Background indexing of one registry: list its repositories, list each one's tags (cheap), and read the
 * details of every tag through `tagDetails`, which is incremental (a tag whose digest is indexed costs a
 * HEAD, a digest never seen one GET plus its config). A few repositories at a time, each with the browser's
 * own bound on tags in flight, under the transport's per-registry bound; cancellable through the signal.
 */
import { isBerthError, type BerthError } from '../../../shared/errors';
import type { RegistryIndexResult, RepositoryList, TagDetail, TagList } from '../../../shared/types/registry';
import { mapBounded, throwIfAborted } from '../../util/async';

export interface IndexProgress {
  /** Repositories done, of `total`. */
  current: number;
  total: number;
  /** Tags whose details were read so far. */
  tags: number;
  /** Tags listed so far (grows while repositories are listed): with `tags`, a progress bar by tag. */
  tagsListed: number;
  status: string;
}

/** The browser's own operations, so indexing fills the index exactly as browsing does. */
export interface IndexSteps {
  listRepositories(registryId: string, signal: AbortSignal): Promise<RepositoryList>;
  listTags(registryId: string, repository: string, signal: AbortSignal): Promise<TagList>;
  tagDetails(
    registryId: string,
    repository: string,
    tags: string[],
    signal: AbortSignal,
    onTag: () => void,
  ): Promise<TagDetail[]>;
}

export interface IndexOptions {
  registryId: string;
  host: string;
  /** Read tag details (digests and summaries); false lists tags only. */
  details: boolean;
  /** Repositories at once. */
  concurrency: number;
  signal: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  /**
   * Index exactly these repositories instead of the catalog's (the drift matrix: a repository another
   * registry has, which this one may lack or hide, so its tag list is what tells).
   */
  repositories?: readonly string[];
  /** Hears each repository once it is indexed, or with the error it was skipped for. */
  onRepository?: (repository: string, error?: BerthError) => void;
}

/** Failures that say the registry as a whole cannot be read now: stop instead of failing every repository. */
const REGISTRY_WIDE = new Set(['unreachable', 'tls', 'timeout', 'rate_limited', 'cancelled']);

export async function indexRegistry(steps: IndexSteps, options: IndexOptions): Promise<RegistryIndexResult> {
  const { registryId, host, signal } = options;
  throwIfAborted(signal);
  let tagsRead = 0;
  let done = 0;
  let total = 0;
  let tags = 0;
  const report = (status: string) =>
    options.onProgress?.({ current: done, total, tags: tagsRead, tagsListed: tags, status });
  let repositories: readonly string[];
  if (options.repositories) repositories = options.repositories;
  else {
    report(`Listing repositories of ${host}`);
    ({ repositories } = await steps.listRepositories(registryId, signal));
  }
  total = repositories.length;
  const skipped: RegistryIndexResult['skipped'] = [];
  const progressText = () =>
    `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} repositories · ${tagsRead.toLocaleString('en-US')} tags`;
  report(progressText());
  await mapBounded(repositories, options.concurrency, signal, async (repository, _position, inner) => {
    let failure: BerthError | undefined;
    try {
      const list = await steps.listTags(registryId, repository, inner);
      tags += list.tags.length;
      if (options.details && list.tags.length > 0)
        await steps.tagDetails(registryId, repository, list.tags, inner, () => {
          tagsRead++;
          report(progressText());
        });
    } catch (error) {
      // One repository that is denied or gone is noted and skipped; the rest of the registry is still indexed.
      if (!isBerthError(error) || REGISTRY_WIDE.has(error.code) || inner.aborted) throw error;
      skipped.push({ repository, error: error.message });
      failure = error;
    }
    done++;
    options.onRepository?.(repository, failure);
    report(progressText());
  });
  return { registryId, registry: host, repositories: repositories.length, tags, skipped };
}
