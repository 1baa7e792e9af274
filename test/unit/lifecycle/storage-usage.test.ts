/**
 * Storage usage from blob references, on hand-made references whose answers are worked out in the
 * comments: unique vs shared across repositories and namespaces, tags sharing a digest, the dedup ratio,
 * the biggest lists, and what a removal leaves unreferenced (retention's bytes freed).
 */
import { describe, expect, it } from 'vitest';
import { unreferencedAfter, type BlobReferences } from '../../../src/main/lifecycle/blob-references';
import { computeUsage, namespacesOf } from '../../../src/main/lifecycle/storage-usage';
import type { BlobSize } from '../../../src/main/registry/index/registry-index';

const d = (name: string) => `sha256:${name.padEnd(64, '0')}`;
const manifest = (name: string, size: number): BlobSize => ({ digest: d(name), size, kind: 'manifest' });
const layer = (name: string, size: number): BlobSize => ({ digest: d(name), size, kind: 'layer' });

// base (1000) is in team/a and team/b; x (100) only in team/a; y (200) in team/b and other/c.
const blobs = new Map<string, BlobSize[]>([
  [d('ma'), [manifest('ma', 1), layer('base', 1000), layer('x', 100)]],
  [d('mb'), [manifest('mb', 2), layer('base', 1000), layer('y', 200)]],
  [d('mc'), [manifest('mc', 3), layer('y', 200)]],
]);
const references = (): BlobReferences => ({
  host: 'registry.test',
  tags: new Map([
    [
      'team/a',
      new Map([
        ['1', d('ma')],
        ['latest', d('ma')],
      ]),
    ],
    ['team/b', new Map([['1', d('mb')]])],
    ['other/c', new Map([['1', d('mc')]])],
  ]),
  blobs,
  summaries: new Map(),
  pending: new Map([['team/b', 2]]),
});

describe('computeUsage', () => {
  it('splits each repository into unique and shared bytes, registry-wide', () => {
    const usage = computeUsage(references(), { registryId: 'r', namespace: '' });
    const byName = Object.fromEntries(usage.repositories.map((r) => [r.name, r]));
    // team/a: ma(1) + base(1000) + x(100); base is shared with team/b.
    expect(byName['team/a']).toMatchObject({ tags: 2, bytes: 1101, uniqueBytes: 101, sharedBytes: 1000 });
    // Two tags of one digest: stored once, counted twice logically.
    expect(byName['team/a']!.logicalBytes).toBe(2202);
    expect(byName['team/a']!.dedupRatio).toBe(2);
    expect(byName['team/b']).toMatchObject({ tags: 1, bytes: 1202, uniqueBytes: 2, sharedBytes: 1200, pendingTags: 2 });
    expect(byName['other/c']).toMatchObject({ bytes: 203, uniqueBytes: 3, sharedBytes: 200 });
    // Whole registry: every distinct blob once, all of it unique to the registry.
    expect(usage.totalBytes).toBe(1 + 2 + 3 + 1000 + 100 + 200);
    expect(usage.uniqueBytes).toBe(usage.totalBytes);
    expect(usage.pendingTags).toBe(2);
  });

  it('counts a namespace as one group: what only it references is unique to it', () => {
    const usage = computeUsage(references(), { registryId: 'r', namespace: 'team' });
    expect(usage.repositories.map((r) => r.name)).toEqual(['team/a', 'team/b']);
    // team: ma, mb, base, x, y = 1303; y is shared with other/c.
    expect(usage).toMatchObject({ totalBytes: 1303, uniqueBytes: 1103, sharedBytes: 200, tags: 3 });
    const whole = computeUsage(references(), { registryId: 'r', namespace: '' });
    expect(whole.namespaces.map((n) => [n.name, n.bytes, n.uniqueBytes])).toEqual([
      ['other', 203, 3],
      ['team', 1303, 1103],
    ]);
  });

  it('lists the biggest images (tags together) and layers (with how many repositories use them)', () => {
    const usage = computeUsage(references(), { registryId: 'r', namespace: '' });
    expect(usage.biggestImages[0]).toEqual({ repository: 'team/b', digest: d('mb'), tags: ['1'], bytes: 1202 });
    expect(usage.biggestImages.find((i) => i.repository === 'team/a')?.tags).toEqual(['1', 'latest']);
    expect(usage.namespaces.find((n) => n.name === 'other')?.biggestImages.map((i) => i.repository)).toEqual([
      'other/c',
    ]);
    expect(usage.biggestLayers.map((l) => [l.size, l.repositories])).toEqual([
      [1000, 2],
      [200, 2],
      [100, 1],
    ]);
  });

  it('names the namespaces a repository is under', () => {
    expect(namespacesOf('a/b/c')).toEqual(['a', 'a/b']);
    expect(namespacesOf('alone')).toEqual([]);
  });
});

describe('unreferencedAfter', () => {
  it('frees only what no remaining manifest of any repository references', () => {
    // Deleting team/a's image frees ma and x; base stays (team/b).
    expect(unreferencedAfter(references(), [{ repository: 'team/a', digest: d('ma') }])).toMatchObject({
      bytes: 101,
      unknown: [],
    });
    // Deleting team/b's too frees base; y stays (other/c).
    const both = unreferencedAfter(references(), [
      { repository: 'team/a', digest: d('ma') },
      { repository: 'team/b', digest: d('mb') },
    ]);
    expect(both.bytes).toBe(1 + 100 + 2 + 1000);
    expect(unreferencedAfter(references(), [{ repository: 'team/a', digest: d('zz') }]).unknown).toEqual([d('zz')]);
  });

  it('keeps the children of a deleted index (distribution keeps untagged manifests) unless they go too', () => {
    // multi/x:1 is an index (10) of two platforms: p1 (20) with layer l1 (300), p2 (30) with layer l2 (400).
    const refs = references();
    const p1 = [manifest('p1', 20), layer('l1', 300)];
    const p2 = [manifest('p2', 30), layer('l2', 400)];
    refs.blobs.set(d('ix'), [manifest('ix', 10), ...p1, ...p2]);
    refs.tags.set('multi/x', new Map([['1', d('ix')]]));
    const index = { repository: 'multi/x', digest: d('ix') };
    const child = (name: string) => ({ repository: 'multi/x', digest: d(name) });
    expect(unreferencedAfter(refs, [index])).toMatchObject({ bytes: 10, unknown: [] });
    expect(unreferencedAfter(refs, [index, child('p1'), child('p2')])).toMatchObject({ bytes: 760, unknown: [] });
    // One child goes, one stays: without the children's own lists nothing below the index counts as freed.
    expect(unreferencedAfter(refs, [index, child('p1')])).toMatchObject({ bytes: 10, unknown: [d('p2')] });
    // With them (summaries of the children in the index), exactly the deleted platform's blobs.
    refs.blobs.set(d('p1'), p1);
    refs.blobs.set(d('p2'), p2);
    expect(unreferencedAfter(refs, [index, child('p1')])).toMatchObject({ bytes: 330, unknown: [] });
  });

  it('keeps a digest alive that another repository still holds', () => {
    const refs = references();
    refs.tags.set('copy/a', new Map([['1', d('ma')]]));
    expect(unreferencedAfter(refs, [{ repository: 'team/a', digest: d('ma') }]).bytes).toBe(0);
  });
});
