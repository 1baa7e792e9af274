/**
 * `berth layers`, `berth ls`, `berth cat` and `berth diff` as users run them (the built CLI in a child
 * process), against the seeded registry and local OCI layouts / docker-save archives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImageDiff } from '../../../src/shared/types/layers';
import { runCli } from '../../env/cli';
import { SEED } from '../../env/seed';
import { imageOf, layerOf, writeDockerArchive, writeOciLayout } from '../../unit/layers/fixtures';

const world = inject('world');
const registry = world.anonymous.host;
const v100 = `${registry}/dev/app:1.0.0`;
const v110 = `docker://${registry}/dev/app:1.1.0`;

let home: string;
let env: NodeJS.ProcessEnv;
let layout: string;
let archive: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-layers-cli-'));
  env = {
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'config'),
    BERTH_CACHE_DIR: join(home, 'cache'),
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  };
  const base = await layerOf(
    [
      { name: 'etc/motd', content: 'hello\n' },
      { name: 'bin/tool', content: 'v1' },
    ],
    'gzip',
  );
  const next = await layerOf(
    [
      { name: 'bin/tool', content: 'v2!' },
      { name: 'etc/.wh.motd', content: '' },
    ],
    'zstd',
  );
  layout = join(home, 'layout');
  await writeOciLayout(layout, [
    { image: imageOf([base], { env: ['A=1'] }), tag: 'one' },
    { image: imageOf([base, next], { env: ['A=2'] }), tag: 'two' },
  ]);
  archive = join(home, 'save.tar');
  await writeDockerArchive(archive, [{ image: imageOf([base, next], { env: ['A=2'] }), repoTags: ['local/app:two'] }]);
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('berth layer commands', () => {
  it('diff --json has the documented shape and the expected changes', async () => {
    const result = await runCli(['diff', v100, v110, '--json'], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const diff = JSON.parse(result.stdout) as ImageDiff;
    expect(Object.keys(diff.layers)).toEqual(expect.arrayContaining(['shared', 'onlyA', 'onlyB']));
    for (const change of diff.config) expect(Object.keys(change)).toEqual(expect.arrayContaining(['field', 'a', 'b']));
    for (const file of [...diff.files.added, ...diff.files.removed]) expect(typeof file.size).toBe('number');
    for (const file of diff.files.modified)
      expect([typeof file.sizeA, typeof file.sizeB]).toEqual(['number', 'number']);
    expect(diff.files.added.map((file) => file.path)).toEqual(SEED.devApp.diff.added);
    expect(diff.files.removed.map((file) => file.path)).toEqual(SEED.devApp.diff.removed);
    expect(diff.files.modified.map((file) => file.path)).toEqual(SEED.devApp.diff.modified);
  });

  it('diff prints a readable summary, across sources', async () => {
    const result = await runCli(['diff', `oci:${layout}:one`, `docker-archive:${archive}`], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Layers: 1 shared (common base 1), 0 only in A, 1 only in B');
    expect(result.stdout).toContain('env A: "1" -> "2"');
    expect(result.stdout).toContain('Files: 0 added, 1 removed, 1 modified');
    expect(result.stdout).toMatch(/^ {2}D \/etc\/motd/m);
    expect(result.stdout).toMatch(/^ {2}M \/bin\/tool {2}2 B -> 3 B {2}\(content, size\)$/m);
  });

  it('layers lists each layer and the wasted space; --json gives the layer list', async () => {
    const text = await runCli(['layers', v110], { env });
    expect(text.code).toBe(0);
    const rows = text.stdout.split('\n').filter((line) => /^\d+ /.test(line));
    expect(rows).toHaveLength(4);
    expect(rows[2]).toContain('COPY dir:update');
    expect(text.stdout).toMatch(/Efficiency: \d+\.\d% {3}wasted: \d+\.\d kB of /);
    const json = await runCli(['layers', v110, '--json'], { env });
    const layers = JSON.parse(json.stdout) as { digest: string; removed: number }[];
    expect(layers.map((layer) => layer.digest)).toEqual(
      world.seed.images['dev/app:1.1.0']!.layers.map((layer) => layer.digest),
    );
    expect(layers[2]!.removed).toBe(4);
  });

  it('ls lists the merged tree with the layer of each entry, layers counted from 1 (the base)', async () => {
    const text = await runCli(['ls', v110, '/opt/app/bin'], { env });
    expect(text.code).toBe(0);
    // The app binary comes from the second layer.
    expect(text.stdout).toMatch(/^-rwxr-xr-x {2}0:0 .* L2 +\/opt\/app\/bin\/app$/m);
    expect(text.stdout).toMatch(/^h[rwx-]{9} {2}0:0 .* L2 +\/opt\/app\/bin\/app-hardlink => \/opt\/app\/bin\/app$/m);
    const json = await runCli(['ls', v110, '/opt/app', '--recursive', '--json'], { env });
    const paths = (JSON.parse(json.stdout) as { path: string }[]).map((entry) => entry.path);
    expect(paths).toContain('/opt/app/dir-to-replace/only-new.txt');
    expect(paths).not.toContain('/opt/app/removed-later.txt');
    // --layer N: the tree after layer N as `berth layers` numbers it. Layer 1 is the base alone (no app
    // binary yet); layer 2 adds the binary; the third layer's whiteout has not removed a file yet.
    const pathsAfter = async (layer: string) => {
      const result = await runCli(['ls', v110, '/opt/app', '--recursive', '--layer', layer, '--json'], { env });
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout) as { path: string }[]).map((entry) => entry.path);
    };
    const base = await pathsAfter('1');
    expect(base).toContain('/opt/app/removed-later.txt');
    expect(base).not.toContain('/opt/app/bin/app');
    const second = await pathsAfter('2');
    expect(second).toContain('/opt/app/bin/app');
    expect(second).toContain('/opt/app/removed-later.txt');
    expect((await runCli(['ls', v110, '/', '--layer', '0'], { env })).code).toBe(2);
  });

  it('cat prints whole files, from every local source too', async () => {
    const yaml = await runCli(['cat', v110, '/etc/app/config.yaml'], { env });
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toContain(SEED.devApp.configYamlChange.after);
    expect((await runCli(['cat', `oci:${layout}:one`, '/etc/motd'], { env })).stdout).toBe('hello\n');
    expect((await runCli(['cat', `docker-archive:${archive}:local/app:two`, '/bin/tool'], { env })).stdout).toBe('v2!');
  });

  it('fails with a message and exit 1 for what does not exist, and exit 2 for misuse', async () => {
    const missing = await runCli(['cat', `oci:${layout}:two`, '/etc/motd'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\/etc\/motd does not exist in the image/);
    const noEngine = await runCli(['ls', 'docker-daemon:local/app:two'], { env });
    expect(noEngine.code).toBe(1);
    expect(noEngine.stdout).toBe('');
    expect((await runCli(['ls'], { env })).code).toBe(2);
    expect((await runCli(['ls', v110, '/', '--layer', 'x'], { env })).code).toBe(2);
  });
});
