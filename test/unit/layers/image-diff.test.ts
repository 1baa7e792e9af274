import { describe, expect, it } from 'vitest';
import type { ImageConfigSummary } from '../../../src/shared/types/registry';
import { alignLayers, diffConfigs, diffFiles, diffHistory } from '../../../src/main/layers/image-diff';
import { MergedTree } from '../../../src/main/layers/merged-tree';
import type { SourceImage } from '../../../src/main/layers/sources/image-source';
import { hex, tableOf } from './fixtures';

function config(overrides: Partial<ImageConfigSummary> = {}): ImageConfigSummary {
  return {
    digest: 'sha256:c',
    platform: { os: 'linux', architecture: 'amd64' },
    env: ['PATH=/bin', 'MODE=a'],
    entrypoint: ['/app'],
    cmd: ['--serve'],
    user: 'app',
    workingDir: '/srv',
    exposedPorts: ['8080/tcp'],
    volumes: [],
    labels: { version: '1', team: 'x' },
    history: [
      { createdBy: 'ADD base', emptyLayer: false, layerIndex: 0 },
      { createdBy: 'ENV MODE=a', emptyLayer: true },
      { createdBy: 'COPY app', emptyLayer: false, layerIndex: 1 },
    ],
    ...overrides,
  };
}

function image(layers: { digest: string; diffId: string; size: number }[], summary = config()): SourceImage {
  return {
    transport: 'oci',
    reference: 'x',
    configDigest: summary.digest,
    config: summary,
    layers: layers.map((layer) => ({
      ...layer,
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digestKnown: true,
    })),
  };
}

describe('diffFiles', () => {
  it('reports added, removed and modified entries with each changed attribute, and directory deltas', async () => {
    const a = MergedTree.build([
      await tableOf([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/same', content: 'same' },
        { name: 'etc/content', content: 'aaaa' },
        { name: 'etc/size', content: 'short' },
        { name: 'etc/mode', content: 'm', mode: 0o644 },
        { name: 'etc/owner', content: 'o', uid: 0, gid: 0 },
        { name: 'etc/link', type: 'symlink', linkname: 'same' },
        { name: 'etc/kind', content: 'was a file' },
        { name: 'gone/', type: 'directory' },
        { name: 'gone/file', content: '12345' },
        { name: 'dirmode/', type: 'directory', mode: 0o755 },
      ]),
    ]);
    const b = MergedTree.build([
      await tableOf([
        { name: 'etc/', type: 'directory', mtime: new Date('2025-01-01T00:00:00Z') },
        { name: 'etc/same', content: 'same', mtime: new Date('2025-01-01T00:00:00Z') },
        { name: 'etc/content', content: 'bbbb' },
        { name: 'etc/size', content: 'much longer' },
        { name: 'etc/mode', content: 'm', mode: 0o600 },
        { name: 'etc/owner', content: 'o', uid: 1000, gid: 1000 },
        { name: 'etc/link', type: 'symlink', linkname: 'content' },
        { name: 'etc/kind/', type: 'directory' },
        { name: 'new/', type: 'directory' },
        { name: 'new/file', content: '123' },
        { name: 'dirmode/', type: 'directory', mode: 0o700 },
      ]),
    ]);
    const diff = diffFiles(a, b);
    expect(diff.added).toEqual([
      { path: '/new', size: 0, type: 'dir', layer: 0 },
      { path: '/new/file', size: 3, type: 'file', layer: 0 },
    ]);
    expect(diff.removed).toEqual([
      { path: '/gone', size: 0, type: 'dir', layer: 0 },
      { path: '/gone/file', size: 5, type: 'file', layer: 0 },
    ]);
    const modified = Object.fromEntries(diff.modified.map((file) => [file.path, file]));
    expect(Object.keys(modified)).toEqual([
      '/dirmode',
      '/etc/content',
      '/etc/kind',
      '/etc/link',
      '/etc/mode',
      '/etc/owner',
      '/etc/size',
    ]);
    expect(modified['/etc/content']).toMatchObject({
      changes: ['content'],
      sha256A: hex('aaaa'),
      sha256B: hex('bbbb'),
      sizeA: 4,
      sizeB: 4,
    });
    expect(modified['/etc/size']).toMatchObject({ changes: ['content', 'size'], sizeA: 5, sizeB: 11 });
    expect(modified['/etc/mode']).toMatchObject({ changes: ['mode'], modeA: 0o644, modeB: 0o600 });
    expect(modified['/etc/owner']).toMatchObject({ changes: ['owner'], ownerA: '0:0', ownerB: '1000:1000' });
    expect(modified['/etc/link']).toMatchObject({
      changes: ['linkTarget'],
      linkTargetA: 'same',
      linkTargetB: 'content',
    });
    expect(modified['/etc/kind']).toMatchObject({ typeA: 'file', typeB: 'dir' });
    expect(modified['/etc/kind']!.changes).toContain('type');
    expect(modified['/dirmode']).toMatchObject({ changes: ['mode'], modeA: 0o755, modeB: 0o700 });
    expect(diff.directoryDeltas['/gone']).toBe(-5);
    expect(diff.directoryDeltas['/new']).toBe(3);
    expect(diff.directoryDeltas['/etc']).toBe(6 - 10);
    expect(diff.directoryDeltas['/']).toBe(-5 + 3 + 6 - 10);
  });
});

describe('diffFiles over a common base', () => {
  it('finds, from the paths the upper layers touch, exactly what a full comparison finds', async () => {
    const base = await tableOf([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/a', content: 'a' },
      { name: 'etc/b', content: 'b' },
      { name: 'srv/', type: 'directory' },
      { name: 'srv/one/two', content: 'deep' },
      { name: 'srv/keep', content: 'keep' },
      { name: 'opt/tool', content: 'tool' },
    ]);
    const upperA = await tableOf([
      { name: 'etc/a', content: 'A!' },
      { name: 'etc/.wh.b', content: '' },
      { name: 'new-in-a', content: 'x' },
    ]);
    const upperB1 = await tableOf([
      { name: 'srv/.wh..wh..opq', content: '' },
      { name: 'srv/fresh', content: 'fresh' },
      { name: 'opt/tool/', type: 'directory' },
    ]);
    const upperB2 = await tableOf([
      { name: 'etc/b', content: 'b', mode: 0o600 },
      { name: 'opt/tool/inside', content: 'in' },
    ]);
    const full = diffFiles(MergedTree.build([base, upperA]), MergedTree.build([base, upperB1, upperB2]));
    const common = MergedTree.build([base]);
    const touched: string[] = [];
    const observer = {
      placed: (path: string) => void touched.push(path),
      removed: (path: string) => void touched.push(path),
    };
    const treeA = common.extend([base, upperA], observer);
    const treeB = common.extend([base, upperB1, upperB2], observer);
    expect(diffFiles(treeA, treeB, touched)).toEqual(full);
    expect(full.removed.map((file) => file.path)).toEqual(['/new-in-a', '/srv/keep', '/srv/one', '/srv/one/two']);
    expect(full.modified.map((file) => file.path)).toEqual(['/etc/a', '/opt/tool']);
    // A deletes /etc/b, B keeps it (with another mode): from A to B it is added.
    expect(full.added.map((file) => file.path)).toEqual(['/etc/b', '/opt/tool/inside', '/srv/fresh']);
    // The common tree is left as it was.
    expect([...common.paths()].sort()).toEqual([
      '/etc',
      '/etc/a',
      '/etc/b',
      '/opt',
      '/opt/tool',
      '/srv',
      '/srv/keep',
      '/srv/one',
      '/srv/one/two',
    ]);
  });
});

describe('alignLayers', () => {
  it('matches layers by digest, and by diff ID when the same content is stored differently', () => {
    const threeSteps = config({
      history: [
        { createdBy: 'ADD base', emptyLayer: false, layerIndex: 0 },
        { createdBy: 'COPY app', emptyLayer: false, layerIndex: 1 },
        { createdBy: 'RUN make', emptyLayer: false, layerIndex: 2 },
      ],
    });
    const a = image(
      [
        { digest: 'sha256:base-gz', diffId: 'sha256:base', size: 10 },
        { digest: 'sha256:app-gz', diffId: 'sha256:app', size: 20 },
        { digest: 'sha256:old', diffId: 'sha256:old-tar', size: 30 },
      ],
      threeSteps,
    );
    const b = image([
      { digest: 'sha256:base', diffId: 'sha256:base', size: 100 },
      { digest: 'sha256:app-gz', diffId: 'sha256:app', size: 20 },
      { digest: 'sha256:new', diffId: 'sha256:new-tar', size: 40 },
    ]);
    const layers = alignLayers(a, b);
    expect(layers.shared).toMatchObject([
      { digest: 'sha256:base-gz', indexA: 0, indexB: 0, matchedBy: 'diffId', createdBy: 'ADD base' },
      { digest: 'sha256:app-gz', indexA: 1, indexB: 1, matchedBy: 'digest' },
    ]);
    expect(layers.onlyA).toMatchObject([{ digest: 'sha256:old', indexA: 2 }]);
    expect(layers.onlyB).toMatchObject([{ digest: 'sha256:new', indexB: 2 }]);
    expect(layers.commonBase).toBe(2);
  });
});

describe('diffConfigs and diffHistory', () => {
  it('reports each changed field, and env and labels per key', () => {
    const b = config({
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      env: ['PATH=/bin', 'MODE=b', 'NEW=1'],
      labels: { version: '2' },
      cmd: null,
      user: undefined,
      exposedPorts: ['9090/tcp'],
    });
    expect(diffConfigs(config(), b)).toEqual([
      { field: 'platform', a: 'linux/amd64', b: 'linux/arm64/v8' },
      { field: 'cmd', a: ['--serve'], b: null },
      { field: 'user', a: 'app', b: null },
      { field: 'env', key: 'MODE', a: 'a', b: 'b' },
      { field: 'env', key: 'NEW', a: null, b: '1' },
      { field: 'labels', key: 'team', a: 'x', b: null },
      { field: 'labels', key: 'version', a: '1', b: '2' },
      { field: 'exposedPorts', a: ['8080/tcp'], b: ['9090/tcp'] },
    ]);
    expect(diffConfigs(config(), config())).toEqual([]);
  });

  it('gives the first differing history step, or -1', () => {
    const longer = config({
      history: [...config().history, { createdBy: 'RUN more', emptyLayer: false, layerIndex: 2 }],
    });
    expect(diffHistory(config(), longer)).toMatchObject({ firstDifference: 3 });
    expect(diffHistory(config(), config()).firstDifference).toBe(-1);
  });
});
