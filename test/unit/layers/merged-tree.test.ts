import { describe, expect, it } from 'vitest';
import { MergedTree } from '../../../src/main/layers/merged-tree';
import { hex, tableOf } from './fixtures';

const paths = (tree: MergedTree) => [...tree.paths()].sort();

describe('MergedTree', () => {
  it('applies a whiteout to the layers below only, removing the whole subtree', async () => {
    const base = await tableOf([
      { name: 'a/', type: 'directory' },
      { name: 'a/b/', type: 'directory' },
      { name: 'a/b/c', content: 'c' },
      { name: 'a/keep', content: 'keep' },
    ]);
    // The layer deletes the lower a/b and creates its own a/b in the same tar, in either order.
    const upper = await tableOf([
      { name: 'a/b/new', content: 'new' },
      { name: 'a/.wh.b', content: '' },
      { name: 'a/.wh.missing', content: '' },
    ]);
    const tree = MergedTree.build([base, upper]);
    expect(paths(tree)).toEqual(['/a', '/a/b', '/a/b/new', '/a/keep']);
    const b = tree.entry('/a/b', tree.ref('/a/b')!);
    expect(b).toMatchObject({ type: 'dir', layer: 1, implicit: true });
  });

  it('hides the lower contents of an opaque directory but keeps the same layer entries, before or after the marker', async () => {
    const base = await tableOf([
      { name: 'd/', type: 'directory', mode: 0o700 },
      { name: 'd/x', content: 'x' },
      { name: 'd/y/', type: 'directory' },
      { name: 'd/y/z', content: 'z' },
      { name: 'other', content: 'o' },
    ]);
    const upper = await tableOf([
      { name: 'd/', type: 'directory', mode: 0o755 },
      { name: 'd/before', content: 'before' },
      { name: 'd/.wh..wh..opq', content: '' },
      { name: 'd/after', content: 'after' },
    ]);
    const tree = MergedTree.build([base, upper]);
    expect(paths(tree)).toEqual(['/d', '/d/after', '/d/before', '/other']);
    expect(tree.entry('/d', tree.ref('/d')!)).toMatchObject({ mode: 0o755, layer: 1 });
    // A later layer's opaque marker hides what this layer added, too.
    const third = await tableOf([{ name: 'd/.wh..wh..opq', content: '' }]);
    expect(paths(MergedTree.build([base, upper, third]))).toEqual(['/d', '/other']);
  });

  it('replaces a directory by a file (dropping its children) and a file by a directory', async () => {
    const base = await tableOf([
      { name: 'dir/', type: 'directory' },
      { name: 'dir/child', content: 'child' },
      { name: 'file', content: 'file' },
    ]);
    const upper = await tableOf([
      { name: 'dir', content: 'now a file' },
      { name: 'file/', type: 'directory' },
      { name: 'file/inside', content: 'inside' },
    ]);
    const tree = MergedTree.build([base, upper]);
    expect(paths(tree)).toEqual(['/dir', '/file', '/file/inside']);
    expect(tree.entry('/dir', tree.ref('/dir')!)).toMatchObject({ type: 'file', sha256: hex('now a file'), layer: 1 });
  });

  it('gives paths without directory entries implicit directories from the layer that needed them', async () => {
    const tree = MergedTree.build([await tableOf([{ name: 'x/y/z', content: 'z' }])]);
    expect(paths(tree)).toEqual(['/x', '/x/y', '/x/y/z']);
    expect(tree.entry('/x/y', tree.ref('/x/y')!)).toEqual({
      path: '/x/y',
      type: 'dir',
      size: 0,
      mode: 0o755,
      uid: 0,
      gid: 0,
      mtime: 0,
      layer: 0,
      implicit: true,
    });
  });

  it('gives a hard link to a lower layer file that file content', async () => {
    const base = await tableOf([{ name: 'bin/tool', content: 'tool' }]);
    const upper = await tableOf([{ name: 'bin/alias', type: 'link', linkname: 'bin/tool' }]);
    const tree = MergedTree.build([base, upper]);
    expect(tree.entry('/bin/alias', tree.ref('/bin/alias')!)).toMatchObject({
      type: 'hardlink',
      linkTarget: '/bin/tool',
      size: 4,
      sha256: hex('tool'),
      layer: 1,
    });
  });

  it('lists a directory, a subtree, a file, and nothing for a missing path', async () => {
    const tree = MergedTree.build([
      await tableOf([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/b', content: 'b' },
        { name: 'etc/a/', type: 'directory' },
        { name: 'etc/a/deep', content: 'deep' },
        { name: 'etc/a-c', content: 'ac' },
        { name: 'top', content: 't' },
      ]),
    ]);
    expect(tree.list('/', false)!.map((entry) => entry.path)).toEqual(['/etc', '/top']);
    expect(tree.list('/etc', false)!.map((entry) => entry.path)).toEqual(['/etc/a', '/etc/a-c', '/etc/b']);
    expect(tree.list('/', true)!.map((entry) => entry.path)).toEqual([
      '/etc',
      '/etc/a',
      '/etc/a/deep',
      '/etc/a-c',
      '/etc/b',
      '/top',
    ]);
    expect(tree.list('/etc/b', false)!.map((entry) => entry.path)).toEqual(['/etc/b']);
    expect(tree.list('/nope', false)).toBeUndefined();
  });
});
