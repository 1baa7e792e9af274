import { describe, expect, it } from 'vitest';
import { isProbablyText, resolveFile } from '../../../src/main/layers/file-reader';
import { MergedTree } from '../../../src/main/layers/merged-tree';
import { hex, tableOf } from './fixtures';

describe('resolveFile', () => {
  it('follows symlinks in every component, chroot-style, and hard links to their data', async () => {
    const base = await tableOf([
      { name: 'usr/lib/os-release', content: 'ID=debian\n' },
      { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { name: 'lib', type: 'symlink', linkname: '/usr/lib' },
      { name: 'escape', type: 'symlink', linkname: '../../../../usr/lib/os-release' },
      { name: 'usr/lib/alias', type: 'link', linkname: 'usr/lib/os-release' },
      { name: 'loop-a', type: 'symlink', linkname: 'loop-b' },
      { name: 'loop-b', type: 'symlink', linkname: 'loop-a' },
      { name: 'dangling', type: 'symlink', linkname: '/nowhere' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
    ]);
    const tree = MergedTree.build([base]);
    for (const path of ['/etc/os-release', '/lib/os-release', '/escape', '/usr/lib/../lib/os-release']) {
      expect(resolveFile(tree, path)).toMatchObject({
        path: '/usr/lib/os-release',
        layer: 0,
        size: 10,
        sha256: hex('ID=debian\n'),
      });
    }
    const alias = resolveFile(tree, '/usr/lib/alias');
    expect(alias).toMatchObject({ path: '/usr/lib/alias', sha256: hex('ID=debian\n') });
    expect(base.path(alias.row)).toBe('/usr/lib/os-release');
    expect(() => resolveFile(tree, '/loop-a')).toThrow(/more than 40 symlinks/);
    expect(() => resolveFile(tree, '/dangling')).toThrow(/does not exist in the image \(\/nowhere is missing\)/);
    expect(() => resolveFile(tree, '/usr/lib/os-release/x')).toThrow(/is not a directory/);
    expect(() => resolveFile(tree, '/lib')).toThrow(/is a directory/);
    expect(() => resolveFile(tree, '/dev/null')).toThrow(/not a regular file/);
  });

  it('reads a hard link whose target is in a lower layer from that layer', async () => {
    const base = await tableOf([{ name: 'bin/tool', content: 'tool' }]);
    const upper = await tableOf([{ name: 'bin/again', type: 'link', linkname: 'bin/tool' }]);
    expect(resolveFile(MergedTree.build([base, upper]), '/bin/again')).toMatchObject({
      layer: 0,
      row: 0,
      sha256: hex('tool'),
    });
  });
});

describe('isProbablyText', () => {
  it('tells UTF-8 text from binary, even when the preview cuts a character in two', () => {
    expect(isProbablyText(Buffer.from('plain text\n'))).toBe(true);
    const japanese = Buffer.from('日本語のテキスト');
    expect(isProbablyText(japanese.subarray(0, japanese.length - 1))).toBe(true);
    expect(isProbablyText(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00]))).toBe(false);
    expect(isProbablyText(Buffer.from([0xff, 0xfe, 0x41, 0x42]))).toBe(false);
  });
});
