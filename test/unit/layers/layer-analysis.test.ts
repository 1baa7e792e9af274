import { describe, expect, it } from 'vitest';
import { efficiency, layerStats } from '../../../src/main/layers/layer-analysis';
import { tableOf } from './fixtures';

describe('layerStats and efficiency', () => {
  it('counts what each layer adds, modifies and removes, and the bytes later layers waste', async () => {
    const base = await tableOf([
      { name: 'app/', type: 'directory' },
      { name: 'app/config', content: 'x'.repeat(100) },
      { name: 'app/tmp/', type: 'directory' },
      { name: 'app/tmp/a', content: 'a'.repeat(10) },
      { name: 'app/tmp/b', content: 'b'.repeat(20) },
      { name: 'app/cache/', type: 'directory' },
      { name: 'app/cache/c', content: 'c'.repeat(30) },
      { name: 'keep', content: 'k'.repeat(5) },
    ]);
    const upper = await tableOf([
      { name: 'app/', type: 'directory' },
      { name: 'app/config', content: 'y'.repeat(40) },
      { name: 'app/.wh.tmp', content: '' },
      { name: 'app/cache/.wh..wh..opq', content: '' },
      { name: 'app/cache/fresh', content: 'f'.repeat(7) },
    ]);
    expect(layerStats([base, upper])).toEqual([
      { added: 8, modified: 0, removed: 0 },
      // config and the re-listed app/ (unchanged: not counted); tmp with a and b, and cache/c, removed.
      { added: 1, modified: 1, removed: 4 },
    ]);
    const result = efficiency([base, upper], 10);
    expect(result.wastedBytes).toBe(100 + 10 + 20 + 30);
    expect(result.totalBytes).toBe(165 + 47);
    expect(result.userSizeBytes).toBe(47);
    expect(result.wasted).toEqual([
      { path: '/app/config', occurrences: 2, bytes: 100, layers: [{ layer: 0, bytes: 100 }] },
      { path: '/app/cache/c', occurrences: 2, bytes: 30, layers: [{ layer: 0, bytes: 30 }] },
      { path: '/app/tmp/b', occurrences: 2, bytes: 20, layers: [{ layer: 0, bytes: 20 }] },
      { path: '/app/tmp/a', occurrences: 2, bytes: 10, layers: [{ layer: 0, bytes: 10 }] },
    ]);
    expect(result.wastedPathCount).toBe(4);
    // dive's score: sum of each path's smallest version over the sum of all versions (deletions count).
    const minimum = 40 + 10 + 20 + 30 + 5 + 7;
    const cumulative = 100 + 40 + 10 * 2 + 20 * 2 + 30 * 2 + 5 + 7;
    expect(result.score).toBeCloseTo(minimum / cumulative, 10);
    expect(efficiency([base, upper], 1).wasted).toHaveLength(1);
  });

  it('scores an image without waste 1', async () => {
    const only = await tableOf([{ name: 'a', content: 'a' }]);
    expect(efficiency([only], 5)).toMatchObject({ wastedBytes: 0, score: 1, wasted: [], wastedPathCount: 0 });
  });
});
