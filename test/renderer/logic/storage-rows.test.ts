import { describe, expect, it } from 'vitest';
import type { StorageUsage, UsageFigures } from '../../../src/shared/types/storage';
import { scopeFigures, storageRows } from '../../../src/renderer/logic/storage-rows';

const figures = (bytes: number, uniqueBytes = bytes): UsageFigures => ({
  tags: 1,
  bytes,
  uniqueBytes,
  sharedBytes: bytes - uniqueBytes,
  logicalBytes: bytes,
  dedupRatio: 1,
});

const usage: StorageUsage = {
  registryId: 'r',
  registry: 'registry.test',
  namespace: '',
  ...figures(600),
  totalBytes: 600,
  repositories: [
    { name: 'solo', pendingTags: 0, ...figures(50) },
    { name: 'team/a', pendingTags: 0, ...figures(100) },
    { name: 'team/deep/b', pendingTags: 0, ...figures(400, 300) },
  ],
  namespaces: [
    { name: 'team', repositories: 2, ...figures(550), biggestImages: [] },
    { name: 'team/deep', repositories: 1, ...figures(400, 300), biggestImages: [] },
  ],
  biggestImages: [],
  biggestLayers: [],
  pendingTags: 0,
};

describe('storageRows', () => {
  it('shows what is directly below a namespace, biggest first', () => {
    expect(storageRows(usage, '').map((row) => [row.kind, row.path])).toEqual([
      ['namespace', 'team'],
      ['repository', 'solo'],
    ]);
    expect(storageRows(usage, 'team').map((row) => [row.kind, row.name, row.bytes])).toEqual([
      ['namespace', 'deep', 400],
      ['repository', 'a', 100],
    ]);
    expect(storageRows(usage, 'nowhere')).toEqual([]);
  });

  it('gives the figures of the namespace looked at', () => {
    expect(scopeFigures(usage, '')?.bytes).toBe(600);
    expect(scopeFigures(usage, 'team/deep')?.uniqueBytes).toBe(300);
    expect(scopeFigures(usage, 'nowhere')).toBeUndefined();
  });
});
