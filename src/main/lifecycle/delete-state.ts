/**
 * What a repository holds right now, read through the registry browser (so the one registry index is
 * brought up to date as a side effect, as browsing does): every tag with its digest, media type and created
 * date. Deletion plans are made from it and checked against a fresh read before anything is written.
 */
import { BerthError } from '../../shared/errors';
import type { TagDetail } from '../../shared/types/registry';
import type { RegistryBrowser } from '../registry/browser';

export interface RepositoryState {
  registry: string;
  repository: string;
  /** Tag -> its detail (digest, media type, created); tags that vanished while reading are left out. */
  tags: Map<string, TagDetail>;
}

export async function readRepository(
  browser: RegistryBrowser,
  registry: string,
  repository: string,
  signal?: AbortSignal,
): Promise<RepositoryState> {
  const { tags } = await browser.listTags(registry, repository, signal);
  const details = await browser.tagDetails(registry, repository, tags, signal ? { signal } : {});
  const byTag = new Map<string, TagDetail>();
  for (const detail of details) {
    if (detail.digest) byTag.set(detail.tag, detail);
    else if (!/no longer exists/.test(detail.error ?? ''))
      throw new BerthError('bad_response', `Could not read ${registry}/${repository}:${detail.tag}: ${detail.error}`, {
        registry,
      });
  }
  return { registry, repository, tags: byTag };
}

/** Digest -> the tags pointing at it. */
export function tagsByDigest(state: RepositoryState): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [tag, detail] of state.tags) {
    const list = grouped.get(detail.digest) ?? [];
    list.push(tag);
    grouped.set(detail.digest, list);
  }
  return grouped;
}
