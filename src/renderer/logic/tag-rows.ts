/**
 * Turns a repository's tags and their fetched details into the rows the tag table shows: filtered, sorted,
 * optionally one row per digest (tags that share a digest are the same image), and multi-arch tags
 * expanded into a row per platform.
 */
import { formatPlatform } from '../../shared/reference';
import type { Platform, TagDetail } from '../../shared/types/registry';
import type { TagFilter } from './tag-filter';
import { compareNames, sortTags, type TagSort } from './tag-sort';

export interface TagRow {
  kind: 'tag';
  /** Stable row key: the tag. */
  key: string;
  tag: string;
  detail?: TagDetail;
  /** Other tags of the repository with the same digest (the same image under another name), in natural order. */
  aliases: string[];
  /** An index or manifest list with platforms to expand into. */
  multiArch: boolean;
  expanded: boolean;
}

export interface PlatformRow {
  kind: 'platform';
  key: string;
  tag: string;
  platform: Platform;
  detail: TagDetail;
}

export type TableRow = TagRow | PlatformRow;

const INDEX_MEDIA_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.has(mediaType);
}

/** Platforms worth a row: BuildKit's attestation entries (unknown/unknown) are not images. */
export function imagePlatforms(detail: TagDetail | undefined): Platform[] {
  return (detail?.platforms ?? []).filter((p) => p.os !== 'unknown' && p.architecture !== 'unknown');
}

/** digest -> tags, in natural name order (`v2` before `v10`). */
export function tagsByDigest(
  tags: readonly string[],
  details: Readonly<Record<string, TagDetail>>,
): Map<string, string[]> {
  const byDigest = new Map<string, string[]>();
  for (const tag of tags) {
    const digest = details[tag]?.digest;
    if (!digest) continue;
    const list = byDigest.get(digest);
    if (list) list.push(tag);
    else byDigest.set(digest, [tag]);
  }
  for (const list of byDigest.values()) if (list.length > 1) list.sort(compareNames);
  return byDigest;
}

/**
 * A tag row whose `aliases` are computed on first read: only the rows on screen are read, while computing
 * every row's list up front costs tags x tags-per-digest (1,000,000 entries, ~100 ms, for 10,000 tags on 100
 * images), again on every details update while the table fills. (A class: a getter on the prototype keeps
 * 10,000 rows cheap to create, where one defined per object is not.)
 */
class LazyAliasesRow implements TagRow {
  readonly kind = 'tag' as const;
  readonly key: string;
  private computed: string[] | undefined;

  constructor(
    readonly tag: string,
    readonly detail: TagDetail | undefined,
    readonly multiArch: boolean,
    readonly expanded: boolean,
    private readonly sameDigest: readonly string[] | undefined,
  ) {
    this.key = tag;
  }

  get aliases(): string[] {
    this.computed ??= this.sameDigest ? this.sameDigest.filter((other) => other !== this.tag) : [];
    return this.computed;
  }
}

export interface TagRowsInput {
  tags: readonly string[];
  details: Readonly<Record<string, TagDetail>>;
  sort: TagSort;
  filter: TagFilter;
  groupByDigest: boolean;
  /** Keys (tags) of expanded multi-arch rows. */
  expanded: ReadonlySet<string>;
}

export function buildTagRows({ tags, details, sort, filter, groupByDigest, expanded }: TagRowsInput): TableRow[] {
  const visible = filter.active ? tags.filter(filter.test) : tags;
  const sorted = sortTags(visible, details, sort);
  const sameDigest = tagsByDigest(tags, details);
  const grouped = new Set<string>();
  const rows: TableRow[] = [];
  for (const tag of sorted) {
    const detail = details[tag];
    const digest = detail?.digest;
    if (groupByDigest && digest) {
      // The first tag in sort order stands for its digest; the others appear as its aliases.
      if (grouped.has(digest)) continue;
      grouped.add(digest);
    }
    const platforms = imagePlatforms(detail);
    const multiArch = isIndexMediaType(detail?.mediaType) && platforms.length > 0;
    const isExpanded = multiArch && expanded.has(tag);
    const aliasesOf = digest === undefined ? undefined : sameDigest.get(digest);
    rows.push(new LazyAliasesRow(tag, detail, multiArch, isExpanded, aliasesOf));
    if (isExpanded && detail) {
      for (const platform of platforms) {
        rows.push({ kind: 'platform', key: `${tag}\u0000${formatPlatform(platform)}`, tag, platform, detail });
      }
    }
  }
  return rows;
}
