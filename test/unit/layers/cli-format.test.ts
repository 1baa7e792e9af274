import { describe, expect, it } from 'vitest';
import { layersText, modeString } from '../../../src/main/cli/commands/layers';

describe('layer command output', () => {
  it('writes modes as ls does', () => {
    expect(modeString('file', 0o644)).toBe('-rw-r--r--');
    expect(modeString('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(modeString('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(modeString('file', 0o2644)).toBe('-rw-r-Sr--');
    expect(modeString('symlink', 0o777)).toBe('lrwxrwxrwx');
    expect(modeString('char', 0o666)).toBe('crw-rw-rw-');
  });

  it('lays the layer table out in aligned columns', () => {
    const text = layersText([
      {
        layer: 0,
        digest: `sha256:${'a'.repeat(64)}`,
        mediaType: 'x',
        compressedSize: 1500,
        createdBy: '/bin/sh -c #(nop) ADD\n file',
        added: 3,
        modified: 0,
        removed: 0,
        sizeBytes: 2_000_000,
        entryCount: 3,
      },
      {
        layer: 1,
        digest: `sha256:${'b'.repeat(64)}`,
        mediaType: 'x',
        compressedSize: 20,
        added: 0,
        modified: 1,
        removed: 12,
        sizeBytes: 5,
        entryCount: 14,
      },
    ]).split('\n');
    expect(text).toEqual([
      '#  DIGEST        SIZE    CONTENT  ENTRIES  CHANGES    CREATED BY',
      '0  aaaaaaaaaaaa  1.5 kB  2.0 MB   3        +3 ~0 -0   /bin/sh -c #(nop) ADD file',
      '1  bbbbbbbbbbbb  20 B    5 B      14       +0 ~1 -12',
    ]);
  });
});
