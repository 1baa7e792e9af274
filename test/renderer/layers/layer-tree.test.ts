import { describe, expect, it } from 'vitest';
import { layerTree } from '../../../src/renderer/stores/layers';
import { buildTree, CHANGE_KINDS, filterTree } from '../../../src/renderer/views/compare/file-tree';
import type { MergedEntry } from '../../../src/shared/types/layers';
import { findNode } from '../compare/find-node';

const entry = (path: string, layer: number, size = 0, type: MergedEntry['type'] = 'file'): MergedEntry => ({
  path,
  type,
  size,
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 0,
  layer,
});

describe('layerTree', () => {
  const before = [
    entry('/opt', 0, 0, 'dir'),
    entry('/opt/app', 0, 0, 'dir'),
    entry('/opt/app/version.txt', 0, 6),
    entry('/opt/app/removed-later.txt', 0, 45),
    entry('/bin/sh', 0, 100),
  ];
  const after = [
    entry('/opt', 0, 0, 'dir'),
    // A directory the layer rewrote (new mtime) is not a change of its own.
    entry('/opt/app', 1, 0, 'dir'),
    entry('/opt/app/version.txt', 1, 7),
    entry('/opt/app/new-feature.txt', 1, 25),
    entry('/opt/app/cache', 1, 0, 'dir'),
    entry('/bin/sh', 0, 100),
  ];

  it('marks what the layer added, modified and removed over the merged tree up to it', () => {
    const inputs = layerTree(after, before, 1);
    const byPath = Object.fromEntries(inputs.map((i) => [i.path, i]));
    expect(byPath['/opt/app/version.txt']).toMatchObject({ change: 'modified', sizeA: 6, sizeB: 7 });
    expect(byPath['/opt/app/new-feature.txt']).toMatchObject({ change: 'added', sizeA: 0, sizeB: 25 });
    expect(byPath['/opt/app/cache']).toMatchObject({ change: 'added', type: 'dir' });
    expect(byPath['/opt/app/removed-later.txt']).toMatchObject({ change: 'removed', sizeA: 45, sizeB: 0 });
    expect(byPath['/opt/app']!.change).toBeUndefined();
    expect(byPath['/bin/sh']).toMatchObject({ sizeA: 100, sizeB: 100 });
    expect(byPath['/bin/sh']!.change).toBeUndefined();
  });

  it('gives a tree whose "changes only" view is the layer itself', () => {
    const root = buildTree(layerTree(after, before, 1));
    expect(root.counts).toEqual({ added: 2, modified: 1, removed: 1 });
    const changes = filterTree(root, { kinds: new Set(CHANGE_KINDS), unchanged: false });
    expect(findNode(changes, '/bin')).toBeUndefined();
    expect(findNode(changes, '/opt/app/cache')).toMatchObject({ isDirectory: true, change: 'added' });
    expect(changes.delta).toBe(1 + 25 - 45);
  });

  it('reads the base layer as all added', () => {
    const inputs = layerTree(before, [], 0);
    expect(inputs.filter((i) => i.type !== 'dir').every((i) => i.change === 'added')).toBe(true);
  });
});
