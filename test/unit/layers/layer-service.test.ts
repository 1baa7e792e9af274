import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import { createLayerService, type LayerService } from '../../../src/main/layers';
import {
  hex,
  imageOf,
  layerOf,
  writeDockerArchive,
  writeOciLayout,
  type FixtureImage,
  type RawEntry,
} from './fixtures';

const BINARY = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00, 0xff]);
const BIG = Buffer.from(Array.from({ length: 30_000 }, (_, index) => `line ${index}\n`).join(''));

const BASE: RawEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/hostname', content: 'box\n' },
  { name: 'etc/config', content: 'a=1\nb=2\n' },
  { name: 'usr/bin/tool', content: BINARY, mode: 0o755 },
  { name: 'usr/bin/tool-link', type: 'link', linkname: 'usr/bin/tool' },
  { name: 'usr/bin/sym', type: 'symlink', linkname: 'tool' },
  { name: 'etc/alias', type: 'symlink', linkname: '../usr/bin/../../etc/./hostname' },
  { name: 'tmp/old', content: 'old' },
  { name: 'dir/x', content: 'x' },
];

function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(BerthError);
      expect((error as BerthError).code).toBe(code);
      expect((error as BerthError).message).toMatch(message);
    },
  );
}

describe('layer service on OCI layouts and docker-save archives', () => {
  let root: string;
  let v1: FixtureImage;
  let v2: FixtureImage;
  let oci: string;
  let archive: string;
  let service: LayerService;
  const cacheDir = () => join(root, 'cache');

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-layer-service-'));
    const base = await layerOf(BASE, 'gzip');
    const app1 = await layerOf(
      [
        { name: 'opt/app/version', content: '1\n' },
        { name: 'opt/app/big', content: BIG },
      ],
      'zstd',
    );
    const app2 = await layerOf(
      [
        { name: 'opt/app/version', content: '2\n' },
        { name: 'opt/app/big', content: BIG },
      ],
      'zstd',
    );
    const update = await layerOf(
      [
        { name: 'etc/config', content: 'a=1\nb=3\n' },
        { name: 'tmp/.wh.old', content: '' },
        { name: 'dir/.wh..wh..opq', content: '' },
        { name: 'dir/y', content: 'y' },
        { name: '../escape', content: 'no' },
      ],
      'none',
    );
    v1 = imageOf([base, app1], {
      env: ['PATH=/bin', 'MODE=one'],
      history: [{ createdBy: 'ADD base' }, { createdBy: 'COPY app' }],
    });
    v2 = imageOf([base, app2, update], {
      env: ['PATH=/bin', 'MODE=two'],
      user: 'app',
      history: [
        { createdBy: 'ADD base' },
        { createdBy: 'COPY app' },
        { createdBy: 'ENV MODE=two', emptyLayer: true },
        { createdBy: 'RUN update' },
      ],
    });
    oci = join(root, 'layout');
    await writeOciLayout(oci, [
      { image: v1, tag: 'v1' },
      { image: v2, tag: 'v2' },
    ]);
    archive = join(root, 'images.tar');
    await writeDockerArchive(archive, [
      { image: v1, repoTags: ['app:v1'] },
      { image: v2, repoTags: ['app:v2'] },
    ]);
    service = createLayerService({ cacheDir: cacheDir() });
  });

  afterAll(async () => {
    await service.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists layers with what each one changes', async () => {
    const progress: number[] = [];
    const layers = await service.listLayers(`oci:${oci}:v2`, { onProgress: (event) => progress.push(event.current) });
    expect(layers.map((layer) => [layer.layer, layer.digest, layer.diffId, layer.createdBy])).toEqual([
      [0, v2.layers[0]!.digest, v2.layers[0]!.diffId, 'ADD base'],
      [1, v2.layers[1]!.digest, v2.layers[1]!.diffId, 'COPY app'],
      [2, v2.layers[2]!.digest, v2.layers[2]!.diffId, 'RUN update'],
    ]);
    expect(layers[2]).toMatchObject({
      added: 1,
      modified: 1,
      removed: 2,
      sizeBytes: 9,
      entryCount: 4,
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
    });
    expect(layers[1]).toMatchObject({ sizeBytes: 2 + BIG.length, compressedSize: v2.layers[1]!.blob.length });
    expect(progress.length).toBeGreaterThan(0);
  });

  it('gives the same diff whichever source each image comes from', async () => {
    const fromOci = await service.diff(`oci:${oci}:v1`, `oci:${oci}:v2`);
    const mixed = await service.diff(`docker-archive:${archive}:app:v1`, `oci:${oci}:v2`);
    const fromArchive = await service.diff(`docker-archive:${archive}:@0`, `docker-archive:${archive}:@1`);
    for (const diff of [fromOci, mixed, fromArchive]) {
      expect(diff.files).toEqual(fromOci.files);
      expect(diff.config).toEqual(fromOci.config);
      expect(diff.history).toEqual(fromOci.history);
      expect(diff.directoryDeltas).toEqual(fromOci.directoryDeltas);
    }
    expect(fromOci.files.added.map((file) => file.path)).toEqual(['/dir/y']);
    expect(fromOci.files.removed.map((file) => file.path)).toEqual(['/dir/x', '/tmp/old']);
    expect(fromOci.files.modified.map((file) => [file.path, file.changes])).toEqual([
      ['/etc/config', ['content']],
      ['/opt/app/version', ['content']],
    ]);
    expect(fromOci.config).toEqual([
      { field: 'user', a: null, b: 'app' },
      { field: 'env', key: 'MODE', a: 'one', b: 'two' },
    ]);
    // The base layer is stored gzipped in the layout and uncompressed in the archive: shared by diff ID.
    expect(mixed.layers.shared).toMatchObject([{ indexA: 0, indexB: 0, matchedBy: 'diffId' }]);
    expect(fromOci.layers.shared).toMatchObject([{ indexA: 0, indexB: 0, matchedBy: 'digest' }]);
    expect(fromOci.layers.onlyB.map((layer) => layer.indexB)).toEqual([1, 2]);
    expect(fromOci.warnings).toEqual([
      expect.stringMatching(/^b: layer 2: Entry "\.\.\/escape" climbs out of the image root/),
    ]);
  });

  it('lists the merged tree, a directory, a subtree and the tree up to a layer', async () => {
    const top = await service.list(`oci:${oci}:v2`, { path: '/', recursive: false });
    // /tmp stays: the whiteout deletes /tmp/old, not the directory the base layer implied.
    expect(top.map((entry) => entry.path)).toEqual(['/dir', '/etc', '/opt', '/tmp', '/usr']);
    const all = await service.list(`oci:${oci}:v2`, { path: '/', recursive: true });
    expect(all.find((entry) => entry.path === '/etc/config')).toMatchObject({ layer: 2, sha256: hex('a=1\nb=3\n') });
    expect(all.find((entry) => entry.path === '/usr/bin/tool-link')).toMatchObject({
      type: 'hardlink',
      layer: 0,
      sha256: hex(BINARY),
    });
    const before = await service.list(`oci:${oci}:v2`, { path: '/tmp', recursive: true, upToLayer: 1 });
    expect(before.map((entry) => entry.path)).toEqual(['/tmp/old']);
    expect(await service.list(`oci:${oci}:v2`, { path: '/tmp', recursive: false })).toEqual([]);
    await expectError(
      service.list(`oci:${oci}:v2`, { path: '/tmp/old', recursive: false }),
      'not_found',
      /\/tmp\/old does not exist/,
    );
    await expectError(
      service.list(`oci:${oci}:v2`, { path: '/', recursive: false, upToLayer: 3 }),
      'invalid_input',
      /has 3 layers/,
    );
    await expectError(
      service.list(`oci:${oci}:v2`, { path: '../..', recursive: false }),
      'invalid_input',
      /not a path inside the image/,
    );
  });

  it('reads files: text, binary, through symlinks and hard links, cut at the preview limit', async () => {
    const text = await service.readFile(`oci:${oci}:v2`, '/etc/alias', 1024);
    expect(text).toMatchObject({
      path: '/etc/alias',
      resolvedPath: '/etc/hostname',
      content: 'box\n',
      binary: false,
      truncated: false,
      layer: 0,
      size: 4,
    });
    const binary = await service.readFile(`docker-archive:${archive}:app:v2`, '/usr/bin/sym', 1024);
    expect(binary).toMatchObject({ resolvedPath: '/usr/bin/tool', binary: true, content: BINARY.toString('base64') });
    const hard = await service.readFile(`oci:${oci}:v2`, '/usr/bin/tool-link', 1024);
    expect(Buffer.from(hard.content, 'base64')).toEqual(BINARY);
    const preview = await service.readFile(`oci:${oci}:v2`, '/opt/app/big', 1000);
    expect(preview).toMatchObject({ truncated: true, size: BIG.length, binary: false, sha256: hex(BIG) });
    expect(preview.content).toBe(BIG.subarray(0, 1000).toString());
    await expectError(service.readFile(`oci:${oci}:v2`, '/etc', 10), 'invalid_input', /is a directory/);
    await expectError(service.readFile(`oci:${oci}:v2`, '/tmp/old', 10), 'not_found', /does not exist/);
  });

  it('streams a whole file, verified', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const result = await service.streamFile(`docker-archive:${archive}:app:v1`, '/opt/app/big', out);
    expect(result).toEqual({ path: '/opt/app/big', size: BIG.length });
    // Compared by hash: a deep equality of 300 KB byte by byte takes the test runner seconds.
    expect(hex(Buffer.concat(chunks))).toBe(hex(BIG));
  });

  it('diffs one file as text', async () => {
    const diff = await service.textDiff(`oci:${oci}:v1`, `oci:${oci}:v2`, '/etc/config');
    expect(diff).toMatchObject({ binary: false, identical: false, sizeA: 8, sizeB: 8 });
    expect(diff.unified).toContain('--- a/etc/config');
    expect(diff.unified).toContain('-b=2');
    expect(diff.unified).toContain('+b=3');
    expect(await service.textDiff(`oci:${oci}:v1`, `oci:${oci}:v2`, '/etc/hostname')).toMatchObject({
      identical: true,
      unified: '',
    });
    expect(await service.textDiff(`oci:${oci}:v1`, `oci:${oci}:v2`, '/usr/bin/tool')).toMatchObject({ binary: true });
    const added = await service.textDiff(`oci:${oci}:v1`, `oci:${oci}:v2`, '/dir/y');
    expect(added).toMatchObject({ sizeA: null, sizeB: 1 });
    expect(added.unified).toContain('--- /dev/null');
    await expectError(
      service.textDiff(`oci:${oci}:v1`, `oci:${oci}:v2`, '/nowhere'),
      'not_found',
      /exists in neither image/,
    );
  });

  it('reports wasted space and one layer index, by digest or diff ID', async () => {
    const efficiency = await service.efficiency(`oci:${oci}:v2`, 10);
    expect(efficiency.wasted.map((path) => [path.path, path.bytes])).toEqual([
      ['/etc/config', 8],
      ['/tmp/old', 3],
      ['/dir/x', 1],
    ]);
    const layer = v2.layers[2]!;
    const byDigest = await service.layerIndex(`oci:${oci}:v2`, layer.digest);
    const byDiffId = await service.layerIndex(`oci:${oci}:v2`, layer.diffId);
    expect(byDiffId).toEqual(byDigest);
    expect(byDigest).toMatchObject({
      digest: layer.digest,
      diffId: layer.diffId,
      compression: 'none',
      uncompressedSize: layer.tar.length,
      compressedSize: layer.blob.length,
    });
    expect(byDigest.entries.map((entry) => `${entry.type}:${entry.path}`)).toEqual([
      'file:/etc/config',
      'whiteout:/tmp/old',
      'opaque:/dir',
      'file:/dir/y',
    ]);
    expect(byDigest.warnings).toHaveLength(1);
    await expectError(service.layerIndex(`oci:${oci}:v2`, `sha256:${'0'.repeat(64)}`), 'not_found', /has no layer/);
  });

  it('serves indexed layers from the disk cache without reading blobs again', async () => {
    const copy = join(root, 'copy');
    await writeOciLayout(copy, [{ image: v2, tag: 'v2' }]);
    const warm = createLayerService({ cacheDir: cacheDir() });
    // All layers of v2 were indexed above: remove the layer blobs, the listing must not need them.
    for (const layer of v2.layers) await rm(join(copy, 'blobs', 'sha256', layer.digest.slice(7)));
    const entries = await warm.list(`oci:${copy}:v2`, { path: '/etc', recursive: false });
    expect(entries.map((entry) => entry.path)).toEqual(['/etc/alias', '/etc/config', '/etc/hostname']);
    await warm.close();
  });

  it('chooses images of multi-image sources, and says which exist when none is named', async () => {
    await expectError(
      service.listLayers(`docker-archive:${archive}`),
      'invalid_input',
      /holds 2 images \(app:v1; app:v2\)/,
    );
    await expectError(service.listLayers(`oci:${oci}`), 'invalid_input', /holds 2 images \(v1, v2\)/);
    await expectError(service.listLayers(`oci:${oci}:v3`), 'not_found', /no image named v3; it has v1, v2/);
    await expectError(service.listLayers(`docker-archive:${archive}:app:v3`), 'not_found', /no image tagged app:v3/);
    await expectError(service.listLayers(`docker-archive:${join(root, 'missing.tar')}`), 'not_found', /no such file/);
    await expectError(service.listLayers(`oci:${join(root, 'nothing')}`), 'not_found', /is not a directory/);
    await expectError(service.listLayers('docker://127.0.0.1:1/x:1'), 'unsupported', /no registry client/);
    await expectError(service.listLayers('docker-daemon:x:1'), 'engine_unavailable', /no engine/);
  });
});

describe('layer service failures leave nothing cached', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-layer-failures-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function cachedFiles(cacheDir: string): Promise<string[]> {
    const files: string[] = [];
    for (const dir of ['sha256', 'tmp'])
      files.push(...(await readdir(join(cacheDir, dir)).catch(() => [] as string[])).map((name) => `${dir}/${name}`));
    return files;
  }

  it('refuses a layer blob that does not match its digest', async () => {
    const layer = await layerOf([{ name: 'file', content: 'x'.repeat(50_000) }], 'gzip');
    const image = imageOf([layer]);
    const dir = join(root, 'corrupt');
    await writeOciLayout(dir, [{ image }]);
    const blobPath = join(dir, 'blobs', 'sha256', layer.digest.slice(7));
    const bytes = await readFile(blobPath);
    // Same size, one byte of the gzip header's mtime changed: the content is intact, only the digest can tell.
    bytes[4] = bytes[4]! ^ 0x01;
    await writeFile(blobPath, bytes);
    const cacheDir = join(root, 'cache-corrupt');
    const service = createLayerService({ cacheDir });
    const failure = await service.listLayers(`oci:${dir}`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BerthError);
    expect(failure).toMatchObject({
      code: 'digest_mismatch',
      message: expect.stringMatching(/^Layer 0 of oci:.* does not match its digest: expected sha256:/),
    });
    expect(await cachedFiles(cacheDir)).toEqual([]);
    await service.close();
  });

  it('leaves no index behind when indexing is cancelled', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let index = 0; index < big.length; index += 4) big.writeUInt32LE((index * 2654435761) >>> 0, index);
    const layer = await layerOf([{ name: 'noise', content: big }], 'gzip');
    const dir = join(root, 'cancel');
    await writeOciLayout(dir, [{ image: imageOf([layer]) }]);
    const cacheDir = join(root, 'cache-cancel');
    const service = createLayerService({ cacheDir });
    const controller = new AbortController();
    const failure = await service
      .listLayers(`oci:${dir}`, {
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.current > 0) controller.abort(new BerthError('cancelled', 'Cancelled by the user'));
        },
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'cancelled', message: 'Cancelled by the user' });
    expect(await cachedFiles(cacheDir)).toEqual([]);
    // The same layer indexes fine afterwards.
    expect((await service.listLayers(`oci:${dir}`))[0]!.entryCount).toBe(1);
    await service.close();
  });
});
