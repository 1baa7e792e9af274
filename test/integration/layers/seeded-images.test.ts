/**
 * The layer engine on the seeded registry images, whose trees are known (SEED): dev/app:1.0.0 (Docker
 * manifest, gzip layers) and dev/app:1.1.0 (OCI manifest, a zstd layer with a whiteout and an opaque
 * directory, a gzip layer overwriting a file), read through the real registry client.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import type { MergedEntry } from '../../../src/shared/types/layers';
import { SEED } from '../../env/seed';
import { openServices, type TestServices } from './harness';

const world = inject('world');
const registry = world.anonymous.host;
const v100 = `${registry}/dev/app:1.0.0`;
const v110 = `docker://${registry}/dev/app:1.1.0`;
const facts = SEED.devApp;

const hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

let env: TestServices;

beforeAll(async () => {
  env = await openServices();
});

afterAll(async () => {
  await env?.close();
});

async function merged(reference: string): Promise<Map<string, MergedEntry>> {
  const entries = await env.services.layers.list(reference, { path: '/', recursive: true });
  return new Map(entries.map((entry) => [entry.path, entry]));
}

describe('seeded images through the registry', () => {
  it('diffs 1.0.0 and 1.1.0 as SEED expects: files, config, history, layers', async () => {
    const diff = await env.services.layers.diff(v100, v110);
    expect(diff.files.added.map((file) => file.path)).toEqual(facts.diff.added);
    expect(diff.files.removed.map((file) => file.path)).toEqual(facts.diff.removed);
    expect(diff.files.modified.map((file) => file.path)).toEqual(facts.diff.modified);
    expect(diff.files.modified.every((file) => file.changes.includes('content'))).toBe(true);
    expect(diff.files.added.find((file) => file.path === '/opt/app/cache/data.bin')).toMatchObject({
      size: 64 * 1024,
      layer: 3,
    });
    expect(diff.config).toEqual(
      expect.arrayContaining([
        { field: 'env', key: 'APP_ENV', a: 'dev', b: 'staging' },
        { field: 'labels', key: 'org.opencontainers.image.version', a: '1.0.0', b: '1.1.0' },
        { field: 'labels', key: 'com.example.feature-flags', a: null, b: 'new-feature' },
      ]),
    );
    expect(diff.config.map((change) => change.field).filter((field) => field !== 'env' && field !== 'labels')).toEqual(
      [],
    );
    expect(diff.history.firstDifference).toBe(3);
    // The first two layers are the same blobs (pushed once, described by two manifest formats).
    const layers = world.seed.images['dev/app:1.1.0']!.layers;
    expect(diff.layers.shared.map((layer) => layer.digest)).toEqual(layers.slice(0, 2).map((layer) => layer.digest));
    expect(diff.layers.onlyB.map((layer) => layer.diffId)).toEqual(layers.slice(2).map((layer) => layer.diffId));
    expect(diff.layers.commonBase).toBe(2);
    expect(diff.directoryDeltas['/opt/app/cache']).toBe(64 * 1024);
    expect(diff.warnings).toEqual([]);
  });

  it('merges each tag to exactly the paths SEED computed, whiteouts and the opaque directory applied', async () => {
    for (const tag of ['1.0.0', '1.1.0'] as const) {
      const tree = await merged(`${registry}/dev/app:${tag}`);
      expect([...tree.keys()].sort()).toEqual(world.seed.devAppMergedPaths[tag]);
      for (const path of facts.images[tag].absent) expect(tree.has(path), path).toBe(false);
    }
    const tree = await merged(v110);
    expect([...tree.keys()].filter((path) => path.startsWith('/opt/app/dir-to-replace/'))).toEqual([
      '/opt/app/dir-to-replace/only-new.txt',
    ]);
    expect(tree.get('/opt/app/cache/data.bin')?.layer).toBe(3);
  });

  it('reports hard links and symlinks, and keeps long and unicode paths intact', async () => {
    const tree = await merged(v110);
    const app = await readFile('/usr/bin/true');
    expect(tree.get('/opt/app/bin/app')).toMatchObject({
      type: 'file',
      sha256: hex(app),
      size: app.length,
      mode: 0o755,
      layer: 1,
    });
    expect(tree.get('/opt/app/bin/app-hardlink')).toMatchObject({
      type: 'hardlink',
      linkTarget: '/opt/app/bin/app',
      sha256: hex(app),
      size: app.length,
    });
    for (const [path, target] of Object.entries(facts.images['1.1.0'].symlinks))
      expect(tree.get(path)).toMatchObject({ type: 'symlink', linkTarget: target });
    for (const path of [facts.longPath, facts.unicodePath]) {
      expect(tree.get(path)).toMatchObject({ type: 'file', sha256: hex(facts.images['1.1.0'].files[path]!) });
      expect((await env.services.layers.readFile(v110, path, 1024)).content).toBe(facts.images['1.1.0'].files[path]);
    }
    // Through the symlink /etc/os-release -> ../usr/lib/os-release.
    const osRelease = await env.services.layers.readFile(v100, '/etc/os-release', 64 * 1024);
    expect(osRelease).toMatchObject({
      resolvedPath: '/usr/lib/os-release',
      content: (await readFile('/usr/lib/os-release')).toString('utf8'),
    });
  });

  it('shows the zstd layer with its whiteout and opaque marker as it is in the tar', async () => {
    const layer = world.seed.images['dev/app:1.1.0']!.layers[2]!;
    expect(layer.compression).toBe('zstd');
    const index = await env.services.layers.layerIndex(v110, layer.digest);
    expect(index).toMatchObject({
      digest: layer.digest,
      diffId: layer.diffId,
      compression: 'zstd',
      compressedSize: layer.size,
    });
    const markers = index.entries
      .filter((entry) => entry.type === 'whiteout' || entry.type === 'opaque')
      .map((entry) => `${entry.type} ${entry.path}`);
    expect(markers).toEqual(['whiteout /opt/app/removed-later.txt', 'opaque /opt/app/dir-to-replace']);
    expect(facts.whiteouts).toEqual({
      file: '/opt/app/.wh.removed-later.txt',
      opaqueDir: '/opt/app/dir-to-replace/.wh..wh..opq',
    });
  });

  it('reports the wasted space of 1.1.0 that SEED lists', async () => {
    const efficiency = await env.services.layers.efficiency(v110, 100);
    const wasted = efficiency.wasted.flatMap((path) =>
      path.layers.map((version) => ({ path: path.path, layer: version.layer, bytes: version.bytes })),
    );
    const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : 1);
    expect(wasted.sort(byPath)).toEqual([...facts.wasted110].sort(byPath));
    expect(efficiency.wastedBytes).toBe(facts.wasted110.reduce((sum, item) => sum + item.bytes, 0));
    expect(efficiency.score).toBeGreaterThan(0);
    expect(efficiency.score).toBeLessThan(1);
  });

  it('diffs one file as text between the tags', async () => {
    const diff = await env.services.layers.textDiff(v100, v110, '/etc/app/config.yaml');
    expect(diff.unified).toContain(`-${facts.configYamlChange.before}`);
    expect(diff.unified).toContain(`+${facts.configYamlChange.after}`);
  });

  it('reads the platform image asked for from a multi-platform index', async () => {
    for (const ref of [SEED.multiArch.oci.ref, SEED.multiArch.docker.ref]) {
      const arm = await env.services.layers.readFile(`${registry}/${ref}`, SEED.multiArch.platformFile, 100, {
        platform: 'linux/arm64/v8',
      });
      expect(arm.content).toBe('linux/arm64/v8\n');
      const amd = await env.services.layers.readFile(`${registry}/${ref}`, SEED.multiArch.platformFile, 100, {
        platform: 'linux/amd64',
      });
      expect(amd.content).toBe('linux/amd64\n');
    }
  });

  it('fails clearly for a missing tag, a missing file and an artifact', async () => {
    const missing = await env.services.layers.listLayers(`${registry}/dev/app:9.9.9`).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(BerthError);
    expect((missing as BerthError).code).toBe('not_found');
    await expect(env.services.layers.readFile(v110, '/opt/app/removed-later.txt', 10)).rejects.toMatchObject({
      code: 'not_found',
    });
    const referrer = `${registry}/dev/app@${world.seed.referrers.signature.digest}`;
    await expect(env.services.layers.listLayers(referrer)).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('not a container image'),
    });
  });
});
