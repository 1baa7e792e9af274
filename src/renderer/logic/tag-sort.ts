/**
 * Orders for the tag table. Tags whose details are not fetched yet sort after every known value in both
 * directions, so a date or size sort is exact for what is known and completes itself as details arrive.
 */
import coerce from 'semver/functions/coerce';
import parseSemver from 'semver/functions/parse';
import type SemVer from 'semver/classes/semver';
import type { TagDetail } from '../../shared/types/registry';

export type TagSortKey = 'name' | 'semver' | 'created' | 'size';
export type SortDirection = 'asc' | 'desc';
export interface TagSort {
  key: TagSortKey;
  direction: SortDirection;
}

export const SORT_LABELS: Record<TagSortKey, string> = {
  name: 'Name',
  semver: 'Version',
  created: 'Created',
  size: 'Size',
};

/** Sort keys that need each tag's manifest and config (fetched in the background). */
export function sortNeedsDetails(key: TagSortKey): boolean {
  return key === 'created' || key === 'size';
}

const semverCache = new Map<string, SemVer | null>();

/**
 * The version a tag names: strict or loose semver (`1.2.3`, `v1.2.3-rc.1`), or a version-looking prefix
 * coerced (`1.2` -> 1.2.0, `3.19-alpine` -> 3.19.0-alpine). Tags that do not start with a version
 * (`latest`, `sha-abc1234`, `build-2024`) have none, rather than a number fished out of the middle.
 */
export function tagVersion(tag: string): SemVer | null {
  const cached = semverCache.get(tag);
  if (cached !== undefined) return cached;
  let version: SemVer | null = null;
  if (/^v?\d/.test(tag)) version = parseSemver(tag, { loose: true }) ?? coerce(tag, { includePrerelease: true });
  if (semverCache.size > 50_000) semverCache.clear();
  semverCache.set(tag, version);
  return version;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * Natural order (`v2` before `v10`, case-insensitive first), the order people expect from a list of
 * names. Hand-rolled because Intl.Collator's numeric mode costs ~40 µs a comparison, which is 80 ms for
 * a 2,000-tag sort, on every refresh of the table.
 */
export function compareNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      // Compare the whole digit runs by value: skip leading zeros, then the longer run is larger.
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      let si = i;
      let sj = j;
      while (si < ei - 1 && a.charCodeAt(si) === 48) si++;
      while (sj < ej - 1 && b.charCodeAt(sj) === 48) sj++;
      const lengthDifference = ei - si - (ej - sj);
      if (lengthDifference !== 0) return lengthDifference;
      for (; si < ei; si++, sj++) {
        const d = a.charCodeAt(si) - b.charCodeAt(sj);
        if (d !== 0) return d;
      }
      i = ei;
      j = ej;
      continue;
    }
    const la = ca >= 65 && ca <= 90 ? ca + 32 : ca;
    const lb = cb >= 65 && cb <= 90 ? cb + 32 : cb;
    if (la !== lb) return la - lb;
    i++;
    j++;
  }
  const rest = a.length - i - (b.length - j);
  return rest !== 0 ? rest : a < b ? -1 : a > b ? 1 : 0;
}

type Value = number | SemVer | undefined;

function valueOf(key: TagSortKey, tag: string, detail: TagDetail | undefined): Value {
  switch (key) {
    case 'semver':
      return tagVersion(tag) ?? undefined;
    case 'created': {
      const time = detail?.created ? Date.parse(detail.created) : NaN;
      return Number.isNaN(time) ? undefined : time;
    }
    case 'size':
      return detail?.size;
    case 'name':
      return undefined;
  }
}

function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // SemVer#compare on the parsed instances: semver's compare() would parse both strings again.
  return (a as SemVer).compare(b as SemVer);
}

/**
 * Sorts tag names (a new array) by `sort`, looking details up in `details`. Ties break by name, always
 * ascending, so equal dates keep a stable, readable order.
 */
export function sortTags(
  tags: readonly string[],
  details: Readonly<Record<string, TagDetail>>,
  sort: TagSort,
): string[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  if (sort.key === 'name') return [...tags].sort((a, b) => sign * compareNames(a, b));
  // Decorate once: 2,000 tags sort in well under a millisecond when values are not recomputed per compare.
  const decorated = tags.map((tag) => ({ tag, value: valueOf(sort.key, tag, details[tag]) }));
  decorated.sort((x, y) => {
    if (x.value === undefined || y.value === undefined) {
      if (x.value !== y.value) return x.value === undefined ? 1 : -1;
      return compareNames(x.tag, y.tag);
    }
    return sign * compareValues(x.value, y.value) || compareNames(x.tag, y.tag);
  });
  return decorated.map((d) => d.tag);
}

/** How many of `tags` have the value the sort needs (all of them for name and version sorts). */
export function countSortable(
  tags: readonly string[],
  details: Readonly<Record<string, TagDetail>>,
  key: TagSortKey,
): number {
  if (!sortNeedsDetails(key)) return tags.length;
  let known = 0;
  for (const tag of tags) {
    const detail = details[tag];
    if (detail && (detail.error !== undefined || valueOf(key, tag, detail) !== undefined)) known++;
  }
  return known;
}
