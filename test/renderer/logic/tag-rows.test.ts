import { describe, expect, it } from 'vitest';
import { makeTagFilter } from '../../../src/renderer/logic/tag-filter';
import { buildTagRows, imagePlatforms } from '../../../src/renderer/logic/tag-rows';
import type { TagDetail } from '../../../src/shared/types/registry';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const IMAGE = 'application/vnd.docker.distribution.manifest.v2+json';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const details: Record<string, TagDetail> = {
  '1.0.0': { tag: '1.0.0', digest: digest('a'), mediaType: IMAGE, created: '2024-01-01T00:00:00Z' },
  '1.1.0': { tag: '1.1.0', digest: digest('b'), mediaType: IMAGE, created: '2024-02-01T00:00:00Z' },
  latest: { tag: 'latest', digest: digest('b'), mediaType: IMAGE, created: '2024-02-01T00:00:00Z' },
  multi: {
    tag: 'multi',
    digest: digest('c'),
    mediaType: INDEX,
    created: '2023-01-01T00:00:00Z',
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'unknown', architecture: 'unknown' },
    ],
  },
};
const tags = Object.keys(details);
const base = {
  tags,
  details,
  sort: { key: 'name', direction: 'asc' } as const,
  filter: makeTagFilter('', 'substring'),
  groupByDigest: false,
  expanded: new Set<string>(),
};

describe('tag rows', () => {
  it('lists every tag with the other tags of its digest as aliases', () => {
    const rows = buildTagRows(base);
    expect(rows.map((r) => r.key)).toEqual(['1.0.0', '1.1.0', 'latest', 'multi']);
    expect(rows.find((r) => r.key === 'latest')).toMatchObject({ aliases: ['1.1.0'] });
    expect(rows.find((r) => r.key === '1.0.0')).toMatchObject({ aliases: [] });
  });

  it('lists the aliases in natural order, whatever order the registry listed the tags in', () => {
    const same = (tag: string): TagDetail => ({ tag, digest: digest('d'), mediaType: IMAGE });
    const names = ['v10', 'latest', 'v2', 'v1'];
    const rows = buildTagRows({ ...base, tags: names, details: Object.fromEntries(names.map((t) => [t, same(t)])) });
    expect(rows.find((r) => r.key === 'v10')).toMatchObject({ aliases: ['latest', 'v1', 'v2'] });
    expect(rows.find((r) => r.key === 'v1')).toMatchObject({ aliases: ['latest', 'v2', 'v10'] });
  });

  it('groups tags that share a digest into one row, the first in sort order standing for it', () => {
    const byName = buildTagRows({ ...base, groupByDigest: true });
    expect(byName.map((r) => r.key)).toEqual(['1.0.0', '1.1.0', 'multi']);
    const byNameDesc = buildTagRows({ ...base, groupByDigest: true, sort: { key: 'name', direction: 'desc' } });
    expect(byNameDesc.map((r) => r.key)).toEqual(['multi', 'latest', '1.0.0']);
    expect(byNameDesc[1]).toMatchObject({ aliases: ['1.1.0'] });
  });

  it('groups only what the filter keeps, and keeps tags without details apart', () => {
    const rows = buildTagRows({
      ...base,
      tags: [...tags, 'pending'],
      groupByDigest: true,
      filter: makeTagFilter('l*', 'glob'),
    });
    expect(rows.map((r) => r.key)).toEqual(['latest']);
    const withPending = buildTagRows({ ...base, tags: [...tags, 'pending', 'pending2'], groupByDigest: true });
    expect(withPending.map((r) => r.key)).toContain('pending');
    expect(withPending.map((r) => r.key)).toContain('pending2');
  });

  it('expands a multi-arch tag into its image platforms (not attestations)', () => {
    const collapsed = buildTagRows(base);
    expect(collapsed.find((r) => r.key === 'multi')).toMatchObject({ multiArch: true, expanded: false });
    const rows = buildTagRows({ ...base, expanded: new Set(['multi', '1.0.0']) });
    const index = rows.findIndex((r) => r.key === 'multi');
    expect(
      rows.slice(index + 1).map((r) => (r.kind === 'platform' ? `${r.platform.os}/${r.platform.architecture}` : r.key)),
    ).toEqual(['linux/amd64', 'linux/arm64']);
    // A single-platform image has nothing to expand, whatever the expanded set says.
    expect(rows.filter((r) => r.kind === 'platform' && r.tag === '1.0.0')).toHaveLength(0);
    expect(imagePlatforms(details.multi)).toHaveLength(2);
  });

  it('sorts by date across the digest groups', () => {
    const rows = buildTagRows({ ...base, groupByDigest: true, sort: { key: 'created', direction: 'desc' } });
    expect(rows.map((r) => r.key)).toEqual(['1.1.0', '1.0.0', 'multi']);
  });
});
