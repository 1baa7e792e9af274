import { describe, expect, it } from 'vitest';
import { diffText, layersText, modeString } from '../../../src/main/cli/commands/layers';
import type { ImageDiff } from '../../../src/shared/types/layers';

describe('layer command output', () => {
  it('writes modes as ls does', () => {
    expect(modeString('file', 0o644)).toBe('-rw-r--r--');
    expect(modeString('dir', 0o1777)).toBe('drwxrwxrwt');
    expect(modeString('file', 0o4755)).toBe('-rwsr-xr-x');
    expect(modeString('file', 0o2644)).toBe('-rw-r-Sr--');
    expect(modeString('symlink', 0o777)).toBe('lrwxrwxrwx');
    expect(modeString('char', 0o666)).toBe('crw-rw-rw-');
  });

  it('lays the layer table out in aligned columns, numbering layers from 1 as the UI does', () => {
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
      '1  aaaaaaaaaaaa  1.5 kB  2.0 MB   3        +3 ~0 -0   /bin/sh -c #(nop) ADD file',
      '2  bbbbbbbbbbbb  20 B    5 B      14       +0 ~1 -12',
    ]);
  });

  it('numbers the layers and history steps of a diff from 1 as well', () => {
    const layer = (c: string) => ({ digest: `sha256:${c.repeat(64)}`, size: 10, createdBy: `COPY ${c} /` });
    const diff: ImageDiff = {
      a: 'a',
      b: 'b',
      sizeA: 20,
      sizeB: 20,
      layers: {
        shared: [{ ...layer('a'), indexA: 0, indexB: 0 }],
        onlyA: [{ ...layer('b'), indexA: 1 }],
        onlyB: [{ ...layer('c'), indexB: 1 }],
        commonBase: 1,
      },
      config: [],
      history: { a: ['ADD a /', 'COPY b /'], b: ['ADD a /', 'COPY c /'], firstDifference: 1 },
      files: { added: [], removed: [], modified: [] },
      directoryDeltas: {},
      warnings: [],
    };
    const lines = diffText(diff).split('\n');
    expect(lines).toContain('  - A#2 bbbbbbbbbbbb 10 B COPY b /');
    expect(lines).toContain('  + B#2 cccccccccccc 10 B COPY c /');
    // The second step differs: step 2, as Compare's History tab numbers it.
    expect(lines).toContain('History: differs from step 2 (2 steps in A, 2 in B)');
  });
});
