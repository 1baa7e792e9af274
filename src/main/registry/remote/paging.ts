/**
 * `n`/`last` pagination following the `Link: <...>; rel="next"` header (distribution spec, "Listing Tags"
 * and the catalog API), to the end, bounded: a Link to a page already seen, pages that bring nothing new,
 * or more pages than any real registry has all stop the walk with a clear error instead of a hang.
 */
import { BerthError } from '../../../shared/errors';
import { headerValue } from '../errors';
import type { Requester } from '../requester';
import { readBody } from '../transport';

export interface PagingLimits {
  maxPages: number;
  maxItems: number;
}

export const DEFAULT_PAGING: PagingLimits = { maxPages: 5_000, maxItems: 1_000_000 };
/** A page is JSON text; 32 MiB holds a million tags. */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;

/** The `rel="next"` target of a Link header, resolved against the page's URL. */
export function nextLink(link: string | undefined, current: URL): URL | undefined {
  if (!link) return undefined;
  for (const match of link.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]*)*)/g)) {
    const params = match[2] ?? '';
    if (!/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(params)) continue;
    try {
      return new URL(match[1]!, current);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface PagedList {
  registry: string;
  first: string;
  scopes: string[];
  action: string;
  signal?: AbortSignal;
  limits: PagingLimits;
  /** Items of one page; throws bad_response when the page is not what the API returns. */
  items(json: unknown): string[];
  /** Statuses the caller turns into its own error (e.g. a closed catalog). */
  handles?: number[];
  /**
   * The first page without `n`, asked when the registry refuses the page size with 400 (distribution
   * answers PAGINATION_NUMBER_INVALID above its `catalog.maxentries`, 1,000 by default): its own default
   * page size then, and its Links from there.
   */
  fallbackFirst?: string;
  onHandled?(status: number, body: Buffer | undefined): Promise<never>;
}

/** Walks every page and returns the items in order, without duplicates. */
export async function collectPages(requester: Requester, list: PagedList): Promise<string[]> {
  const { registry, limits, action } = list;
  const baseUrl = await requester.baseUrl(registry, list.signal);
  const seenItems = new Set<string>();
  const items: string[] = [];
  const seenPages = new Set<string>();
  let url: URL | undefined = new URL(list.first, baseUrl);
  let fallback = list.fallbackFirst === undefined ? undefined : new URL(list.fallbackFirst, baseUrl);
  let pages = 0;
  while (url) {
    if (seenPages.has(url.href)) {
      throw new BerthError(
        'bad_response',
        `Could not ${action}: ${registry}'s pages link back to a page already read (a pagination loop).`,
        { registry },
      );
    }
    if (++pages > limits.maxPages || items.length > limits.maxItems) {
      throw new BerthError(
        'bad_response',
        `Could not ${action}: ${registry} kept sending more pages (over ${limits.maxPages} pages or ${limits.maxItems} entries).`,
        { registry },
      );
    }
    seenPages.add(url.href);
    const response = await requester.send(registry, {
      method: 'GET',
      path: url,
      scopes: list.scopes,
      action,
      ...(list.signal ? { signal: list.signal } : {}),
      ...(list.handles || fallback ? { handles: [...(list.handles ?? []), ...(fallback ? [400] : [])] } : {}),
    });
    const errorBody = () =>
      readBody(
        response,
        64 * 1024,
        { registry, action },
        () => new BerthError('too_large', 'error body too large'),
      ).catch(() => undefined);
    if (fallback && response.status === 400) {
      await errorBody();
      seenPages.clear();
      pages = 0;
      url = fallback;
      fallback = undefined;
      continue;
    }
    fallback = undefined;
    if (list.handles?.includes(response.status) && list.onHandled) {
      return list.onHandled(response.status, await errorBody());
    }
    const body = await readBody(
      response,
      MAX_PAGE_BYTES,
      { registry, action },
      () =>
        new BerthError('too_large', `Could not ${action}: a page from ${registry} is larger than 32 MiB.`, {
          registry,
        }),
    );
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BerthError(
        'bad_response',
        `Could not ${action}: ${registry} answered with something that is not JSON.`,
        { registry },
      );
    }
    let added = 0;
    for (const item of list.items(json)) {
      if (seenItems.has(item)) continue;
      seenItems.add(item);
      items.push(item);
      added++;
    }
    const next = nextLink(headerValue(response.headers, 'link'), url);
    if (next && next.origin !== baseUrl.origin) {
      throw new BerthError(
        'bad_response',
        `Could not ${action}: ${registry} linked its next page to another host (${next.host}); not following it.`,
        { registry },
      );
    }
    if (next && added === 0) {
      throw new BerthError(
        'bad_response',
        `Could not ${action}: ${registry} keeps linking to further pages that bring no new entries (a pagination loop).`,
        { registry },
      );
    }
    url = next;
  }
  return items;
}
