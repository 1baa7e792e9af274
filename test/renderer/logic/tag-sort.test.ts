import { describe, expect, it } from 'vitest';
import { compareNames, countSortable, sortTags, tagVersion } from '../../../src/renderer/logic/tag-sort';
import type { TagDetail } from '../../../src/shared/types/registry';

const detail = (tag: string, fields: Partial<TagDetail> = {}): TagDetail => ({
  tag,
  digest: `sha256:${'0'.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  ...fields,
});

describe('tag sorting', () => {
  it('orders names naturally: digit runs by value, letters case-insensitively', () => {
    expect(sortTags(['v10', 'v2', 'V1', 'build-0010', 'build-9', 'a'], {}, { key: 'name', direction: 'asc' })).toEqual([
      'a',
      'build-9',
      'build-0010',
      'V1',
      'v2',
      'v10',
    ]);
    expect(compareNames('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareNames('2024-01-09', '2024-01-10')).toBeLessThan(0);
    expect(compareNames('abc', 'abc')).toBe(0);
    expect(sortTags(['b', 'a', 'c'], {}, { key: 'name', direction: 'desc' })).toEqual(['c', 'b', 'a']);
  });

  it('reads versions from version-looking tags only', () => {
    expect(tagVersion('v1.2.3-rc.1')?.version).toBe('1.2.3-rc.1');
    expect(tagVersion('1.2')?.version).toBe('1.2.0');
    expect(tagVersion('3.19-alpine')?.version).toBe('3.19.0-alpine');
    expect(tagVersion('latest')).toBeNull();
    expect(tagVersion('build-2024')).toBeNull();
    expect(tagVersion('sha-1234567')).toBeNull();
  });

  it('orders by semantic version (prereleases first), tags without a version last in both directions', () => {
    const tags = ['latest', '1.10.0', '1.2.0', 'v1.2.0-rc1', '1.2', 'sha-abc1234', '2.0.0', 'build-2024'];
    expect(sortTags(tags, {}, { key: 'semver', direction: 'asc' })).toEqual([
      'v1.2.0-rc1',
      '1.2',
      '1.2.0',
      '1.10.0',
      '2.0.0',
      'build-2024',
      'latest',
      'sha-abc1234',
    ]);
    expect(sortTags(tags, {}, { key: 'semver', direction: 'desc' })).toEqual([
      '2.0.0',
      '1.10.0',
      '1.2',
      '1.2.0',
      'v1.2.0-rc1',
      'build-2024',
      'latest',
      'sha-abc1234',
    ]);
  });

  it('orders by created date and size, tags not fetched yet last, ties by name', () => {
    const details = {
      old: detail('old', { created: '2020-01-01T00:00:00Z', size: 300 }),
      new: detail('new', { created: '2024-01-01T00:00:00Z', size: 100 }),
      twin: detail('twin', { created: '2024-01-01T00:00:00Z', size: 100 }),
      broken: detail('broken', { error: 'manifest unknown' }),
    };
    const tags = ['pending', 'old', 'twin', 'new', 'broken'];
    expect(sortTags(tags, details, { key: 'created', direction: 'desc' })).toEqual([
      'new',
      'twin',
      'old',
      'broken',
      'pending',
    ]);
    expect(sortTags(tags, details, { key: 'created', direction: 'asc' })).toEqual([
      'old',
      'new',
      'twin',
      'broken',
      'pending',
    ]);
    expect(sortTags(tags, details, { key: 'size', direction: 'desc' })).toEqual([
      'old',
      'new',
      'twin',
      'broken',
      'pending',
    ]);
  });

  it('counts how many tags a sort can place: every tag for names, fetched ones (or failed ones) for dates', () => {
    const details = {
      a: detail('a', { created: '2024-01-01T00:00:00Z' }),
      b: detail('b', { error: 'gone' }),
      c: detail('c'),
    };
    expect(countSortable(['a', 'b', 'c', 'd'], details, 'name')).toBe(4);
    expect(countSortable(['a', 'b', 'c', 'd'], details, 'created')).toBe(2);
  });

  it('sorts 2,000 tags the same however they arrive', () => {
    const tags = Array.from({ length: 2000 }, (_, i) => `${i % 7}.${i % 13}.${i}`);
    const shuffled = [...tags].reverse();
    expect(sortTags(shuffled, {}, { key: 'semver', direction: 'asc' })).toEqual(
      sortTags(tags, {}, { key: 'semver', direction: 'asc' }),
    );
  });
});
