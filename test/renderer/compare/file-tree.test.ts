import { describe, expect, it } from 'vitest';
import type { ImageDiff } from '../../../src/shared/types/layers';
import {
  ancestors,
  buildTree,
  CHANGE_KINDS,
  diffInputs,
  filterTree,
  flattenTree,
  pathMatcher,
  type ChangeKind,
} from '../../../src/renderer/views/compare/file-tree';
import { findNode } from './find-node';

const files: ImageDiff['files'] = {
  added: [
    { path: '/opt/app/new-feature.txt', size: 300, type: 'file', layer: 2 },
    { path: '/usr/lib/libbig.so', size: 10_000, type: 'file', layer: 2 },
    { path: '/usr/lib/libsmall.so', size: 10, type: 'file', layer: 2 },
  ],
  removed: [
    { path: '/opt/app/removed-later.txt', size: 120, type: 'file', layer: 1 },
    { path: '/var/cache/apt/pkgcache.bin', size: 5_000, type: 'file', layer: 1 },
  ],
  modified: [
    { path: '/opt/app/version.txt', sizeA: 6, sizeB: 6, changes: ['content'], layerA: 1, layerB: 2 },
    { path: '/etc/app/config.yaml', sizeA: 40, sizeB: 90, changes: ['content', 'size'], layerA: 1, layerB: 2 },
  ],
};

const allKinds = new Set<ChangeKind>(CHANGE_KINDS);
const tree = () => buildTree(diffInputs(files));
const paths = (rows: { node: { path: string } }[]) => rows.map((r) => r.node.path);

describe('buildTree', () => {
  it('sums sizes, deltas and counts into every directory', () => {
    const root = tree();
    expect(root.counts).toEqual({ added: 3, removed: 2, modified: 2 });
    expect(root.files).toBe(7);
    expect(root.delta).toBe(300 + 10_000 + 10 - 120 - 5_000 + 50);
    const app = findNode(root, '/opt/app')!;
    expect(app.isDirectory).toBe(true);
    expect(app.delta).toBe(300 - 120);
    expect(app.counts).toEqual({ added: 1, removed: 1, modified: 1 });
    expect(findNode(root, '/etc/app/config.yaml')).toMatchObject({
      change: 'modified',
      sizeA: 40,
      sizeB: 90,
      delta: 50,
      details: ['content', 'size'],
    });
  });

  it('turns a listed path with children into a directory carrying its own change', () => {
    const root = buildTree([
      { path: '/srv/site', change: 'added', sizeA: 0, sizeB: 0 },
      { path: '/srv/site/index.html', change: 'added', sizeA: 0, sizeB: 70 },
    ]);
    const site = findNode(root, '/srv/site')!;
    expect(site).toMatchObject({ isDirectory: true, change: 'added', sizeB: 70, files: 1 });
  });

  it('keeps an empty directory entry as a directory', () => {
    const root = buildTree([{ path: '/tmp/', type: 'dir', change: 'added', sizeA: 0, sizeB: 0 }]);
    expect(findNode(root, '/tmp')).toMatchObject({ isDirectory: true, change: 'added', files: 0 });
  });
});

describe('filterTree', () => {
  it('returns the same tree when nothing is filtered', () => {
    const root = tree();
    expect(filterTree(root, { kinds: allKinds })).toBe(root);
  });

  it('filters by kind and recomputes directory deltas over what is shown', () => {
    const added = filterTree(tree(), { kinds: new Set(['added']) });
    const rows = flattenTree(added, { sort: 'name', expanded: new Set(), expandAll: true });
    expect(paths(rows).filter((p) => !findNode(added, p)!.isDirectory)).toEqual([
      '/opt/app/new-feature.txt',
      '/usr/lib/libbig.so',
      '/usr/lib/libsmall.so',
    ]);
    expect(paths(rows)).not.toContain('/etc');
    expect(findNode(added, '/opt/app')!.delta).toBe(300);
    expect(added.counts).toEqual({ added: 3, removed: 0, modified: 0 });
  });

  it('filters by path substring, case-insensitively, keeping the ancestors', () => {
    const root = filterTree(tree(), { kinds: allKinds, path: 'VERSION' });
    const rows = flattenTree(root, { sort: 'name', expanded: new Set(), expandAll: true });
    expect(paths(rows)).toEqual(['/opt', '/opt/app', '/opt/app/version.txt']);
  });

  it('keeps everything below a directory whose path matches', () => {
    const root = filterTree(tree(), { kinds: allKinds, path: '/opt/app' });
    const files = flattenTree(root, { sort: 'name', expanded: new Set(), expandAll: true }).filter(
      (r) => !r.node.isDirectory,
    );
    expect(paths(files)).toEqual(['/opt/app/new-feature.txt', '/opt/app/removed-later.txt', '/opt/app/version.txt']);
  });

  it('filters by glob, unanchored when the pattern does not start at /', () => {
    const so = filterTree(tree(), { kinds: allKinds, path: '*.so' });
    expect(so.files).toBe(2);
    const etc = filterTree(tree(), { kinds: allKinds, path: '/etc/**' });
    expect(paths(flattenTree(etc, { sort: 'name', expanded: new Set(), expandAll: true }))).toEqual([
      '/etc',
      '/etc/app',
      '/etc/app/config.yaml',
    ]);
  });

  it('combines kind and path filters, and an empty result is an empty root', () => {
    const root = filterTree(tree(), { kinds: new Set(['removed']), path: '.so' });
    expect(root.children).toEqual([]);
    expect(root.files).toBe(0);
  });

  it('hides unchanged entries of a merged tree on request', () => {
    const merged = buildTree([
      { path: '/bin/sh', sizeA: 100, sizeB: 100 },
      { path: '/etc/motd', change: 'modified', sizeA: 10, sizeB: 12 },
    ]);
    const changedOnly = filterTree(merged, { kinds: allKinds, unchanged: false });
    expect(changedOnly.files).toBe(1);
    expect(findNode(changedOnly, '/bin')).toBeUndefined();
  });
});

describe('flattenTree', () => {
  it('shows only the children of expanded directories, directories first by name', () => {
    const root = tree();
    expect(paths(flattenTree(root, { sort: 'name', expanded: new Set() }))).toEqual(['/etc', '/opt', '/usr', '/var']);
    expect(paths(flattenTree(root, { sort: 'name', expanded: new Set(['/opt', '/opt/app']) }))).toEqual([
      '/etc',
      '/opt',
      '/opt/app',
      '/opt/app/new-feature.txt',
      '/opt/app/removed-later.txt',
      '/opt/app/version.txt',
      '/usr',
      '/var',
    ]);
  });

  it('sorts by absolute size change, largest first, at every level', () => {
    const rows = flattenTree(tree(), { sort: 'delta', expanded: new Set(), expandAll: true });
    // /usr +10010, /var -5000, /opt +180, /etc +50
    expect(paths(rows.filter((r) => r.depth === 0))).toEqual(['/usr', '/var', '/opt', '/etc']);
    expect(paths(rows.filter((r) => r.node.path.startsWith('/usr/lib/')))).toEqual([
      '/usr/lib/libbig.so',
      '/usr/lib/libsmall.so',
    ]);
    expect(paths(rows.filter((r) => r.node.path.startsWith('/opt/app/')))).toEqual([
      '/opt/app/new-feature.txt',
      '/opt/app/removed-later.txt',
      '/opt/app/version.txt',
    ]);
    expect(rows.find((r) => r.node.path === '/opt/app/new-feature.txt')!.depth).toBe(2);
  });

  it('sorts by size for merged trees', () => {
    const merged = buildTree([
      { path: '/a', sizeA: 1, sizeB: 1 },
      { path: '/b', sizeA: 50, sizeB: 50 },
      { path: '/c', sizeA: 7, sizeB: 7 },
    ]);
    expect(paths(flattenTree(merged, { sort: 'size', expanded: new Set() }))).toEqual(['/b', '/c', '/a']);
  });

  it('flattens a large tree without recursion limits', () => {
    const inputs = Array.from({ length: 50_000 }, (_, i) => ({
      path: `/d${i % 100}/f${i}`,
      change: 'added' as const,
      sizeA: 0,
      sizeB: i,
    }));
    const deep = {
      path: `/${Array.from({ length: 2_000 }, (_, i) => `n${i}`).join('/')}`,
      change: 'added' as const,
      sizeA: 0,
      sizeB: 1,
    };
    const root = buildTree([...inputs, deep]);
    const rows = flattenTree(root, { sort: 'delta', expanded: new Set(), expandAll: true });
    expect(rows.length).toBe(50_000 + 100 + 2_000);
  });
});

describe('helpers', () => {
  it('lists ancestors of a path', () => {
    expect(ancestors('/opt/app/version.txt')).toEqual(['/opt', '/opt/app']);
    expect(ancestors('/x')).toEqual([]);
  });

  it('matches nothing special for an empty query', () => {
    expect(pathMatcher('  ')).toBeNull();
  });
});
