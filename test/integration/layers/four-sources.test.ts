/**
 * The same two images from the four sources (registry, Docker engine, `docker save` archive, OCI layout) give
 * the same diff, and the engine's layer indexes and merged trees match what independent tools see: GNU tar
 * extracting each layer of a `docker save`, and `docker export` of a container made from the image.
 * The images come from the seeded registry: skopeo copies them to an OCI layout; a private dockerd loads them
 * (layers decompressed by the test, as dockerd 20.10 takes no zstd layers) and `docker save` exports them.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImageDiff, LayerEntry, MergedEntry } from '../../../src/shared/types/layers';
import { startDockerd, type RunningDockerd } from '../../env/dockerd';
import { run } from '../../env/process';
import { writeDockerArchive } from '../../unit/layers/fixtures';
import { imageFromLayout, openServices, walkExtracted, type ExtractedEntry, type TestServices } from './harness';

const world = inject('world');
const registry = world.anonymous.host;
const TAGS = ['1.0.0', '1.1.0'] as const;
/** Files the engine's container init layer adds or rewrites in `docker export`; not part of the image. */
const INIT_PATHS = [
  '/.dockerenv',
  '/dev',
  '/proc',
  '/sys',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/mtab',
  '/etc/resolv.conf',
];

let dockerd: RunningDockerd;
let env: TestServices;
let work: string;
const name = (tag: string) => `berth-layers-test/app:${tag}`;
const sources = (tag: string) => ({
  registry: `docker://${registry}/dev/app:${tag}`,
  daemon: `docker-daemon:${name(tag)}`,
  archive: `docker-archive:${join(work, `app-${tag}.tar`)}`,
  oci: `oci:${join(work, 'layout')}:${tag}`,
});

function docker(...args: string[]) {
  return run('docker', ['-H', dockerd.host, ...args]);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-four-sources-'));
  dockerd = await startDockerd();
  env = await openServices({ DOCKER_HOST: dockerd.host });
  for (const tag of TAGS) {
    const from = `docker://${registry}/dev/app:${tag}`;
    await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', from, `oci:${join(work, 'layout')}:${tag}`]);
    await writeDockerArchive(join(work, `load-${tag}.tar`), [
      { image: await imageFromLayout(join(work, 'layout'), tag), repoTags: [name(tag)] },
    ]);
    await docker('load', '-i', join(work, `load-${tag}.tar`));
    await docker('save', '-o', join(work, `app-${tag}.tar`), name(tag));
  }
}, 300_000);

afterAll(async () => {
  await env?.close();
  await dockerd?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** What must not depend on the source: everything but the layer digests (compressed in some, not in others). */
function sourceIndependent(diff: ImageDiff) {
  const layers = (list: ImageDiff['layers']['shared']) =>
    list.map((layer) => ({
      diffId: layer.diffId,
      indexA: layer.indexA,
      indexB: layer.indexB,
      createdBy: layer.createdBy,
    }));
  return {
    files: diff.files,
    directoryDeltas: diff.directoryDeltas,
    config: diff.config,
    history: diff.history,
    layers: {
      shared: layers(diff.layers.shared),
      onlyA: layers(diff.layers.onlyA),
      onlyB: layers(diff.layers.onlyB),
      commonBase: diff.layers.commonBase,
    },
  };
}

describe('four sources of the same images', () => {
  it('give the same diff, in any pairing', async () => {
    const [a, b] = TAGS.map(sources) as [ReturnType<typeof sources>, ReturnType<typeof sources>];
    const reference = sourceIndependent(await env.services.layers.diff(a.registry, b.registry));
    expect(reference.files.modified.map((file) => file.path)).toEqual(['/etc/app/config.yaml', '/opt/app/version.txt']);
    for (const kind of ['daemon', 'archive', 'oci'] as const) {
      expect(sourceIndependent(await env.services.layers.diff(a[kind], b[kind])), kind).toEqual(reference);
    }
    expect(sourceIndependent(await env.services.layers.diff(a.daemon, b.oci))).toEqual(reference);
    expect(sourceIndependent(await env.services.layers.diff(a.archive, b.registry))).toEqual(reference);
  });

  it('list the same merged tree and read the same bytes', async () => {
    const listing = async (reference: string) =>
      (await env.services.layers.list(reference, { path: '/', recursive: true })).map(
        ({ layer: _layer, ...entry }) => entry,
      );
    const all = sources('1.1.0');
    const expected = await listing(all.registry);
    for (const reference of [all.daemon, all.archive, all.oci]) expect(await listing(reference)).toEqual(expected);
    for (const reference of Object.values(all)) {
      expect((await env.services.layers.readFile(reference, '/opt/app/version.txt', 100)).content).toBe('1.1.0\n');
    }
  });
});

describe('the engine against independent tools', () => {
  /**
   * Names of one hard-linked file share an inode, so on disk they have one mode and owner, while the tar
   * gives each name a header. Extractors differ on which header wins (GNU tar keeps the first; Docker's
   * chrooted applier chmods the inode again with the link's header), so for those names the mode on disk is
   * one of the group's header modes; every other attribute is compared exactly.
   */
  function linkGroups(entries: (LayerEntry | MergedEntry)[]): Map<string, Set<number>> {
    const byPath = new Map(entries.map((entry) => [entry.path, entry]));
    const groups = new Map<string, Set<number>>();
    for (const entry of entries) {
      if (entry.type !== 'hardlink' || !entry.linkTarget) continue;
      const target = byPath.get(entry.linkTarget);
      const modes = new Set([entry.mode, ...(target ? [target.mode] : [])]);
      groups.set(entry.path, modes);
      groups.set(entry.linkTarget, new Set([...(groups.get(entry.linkTarget) ?? []), ...modes]));
    }
    return groups;
  }

  function compareEntry(
    ours: LayerEntry | MergedEntry,
    theirs: ExtractedEntry | undefined,
    inodes: Map<string, string>,
    groupModes: Set<number> | undefined,
  ): void {
    const { path } = ours;
    expect(theirs, `${path} exists on disk`).toBeDefined();
    const type =
      ours.type === 'hardlink'
        ? 'file'
        : ours.type === 'dir' || ours.type === 'symlink' || ours.type === 'file'
          ? ours.type
          : 'other';
    expect({ path, type: theirs!.type, uid: theirs!.uid, gid: theirs!.gid }).toEqual({
      path,
      type,
      uid: ours.uid,
      gid: ours.gid,
    });
    if (groupModes) expect([...groupModes], `${path} has one of its hard-link group's modes`).toContain(theirs!.mode);
    else expect({ path, mode: theirs!.mode }).toEqual({ path, mode: ours.mode });
    if (type === 'file')
      expect({ path, size: theirs!.size, sha256: theirs!.sha256 }).toEqual({
        path,
        size: ours.size,
        sha256: ours.sha256,
      });
    if (ours.type === 'symlink') expect(theirs!.linkTarget).toBe(ours.linkTarget);
    if (ours.type === 'hardlink')
      expect(theirs!.inode, `${path} shares its target's inode`).toBe(inodes.get(ours.linkTarget!));
  }

  it('indexes each layer of a `docker save` as GNU tar extracts it', async () => {
    const unpacked = join(work, 'unpacked');
    await mkdir(unpacked, { recursive: true });
    await run('tar', ['-xf', join(work, 'app-1.1.0.tar'), '-C', unpacked]);
    const manifest = JSON.parse(await readFile(join(unpacked, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    const layerFiles = manifest[0]!.Layers;
    expect(layerFiles).toHaveLength(4);
    const layers = await env.services.layers.listLayers(sources('1.1.0').archive);
    for (const [position, file] of layerFiles.entries()) {
      const dir = join(work, `layer-${position}`);
      await mkdir(dir);
      await run('tar', ['--same-owner', '-xpf', join(unpacked, file), '-C', dir]);
      const disk = await walkExtracted(dir);
      const index = await env.services.layers.layerIndex(sources('1.1.0').archive, layers[position]!.diffId!);
      const inodes = new Map([...disk.values()].map((entry) => [entry.path, entry.inode]));
      const groups = linkGroups(index.entries);
      const seen = new Set<string>();
      for (const entry of index.entries) {
        // tar extracts whiteout markers as the plain files they are in the layer.
        const onDisk =
          entry.type === 'whiteout'
            ? entry.path.replace(/\/([^/]+)$/, '/.wh.$1')
            : entry.type === 'opaque'
              ? `${entry.path}/.wh..wh..opq`
              : entry.path;
        seen.add(onDisk);
        if (entry.type === 'whiteout' || entry.type === 'opaque') expect(disk.get(onDisk)?.type, onDisk).toBe('file');
        else compareEntry(entry, disk.get(entry.path), inodes, groups.get(entry.path));
      }
      // Directories tar created for paths the layer lists without their parents are the only extras.
      const extras = [...disk.keys()].filter((path) => !seen.has(path));
      for (const path of extras) expect(disk.get(path)!.type, `${path} is only an implied directory`).toBe('dir');
    }
  });

  it('merges the layers to the tree `docker export` of a container gives', async () => {
    for (const tag of TAGS) {
      const { stdout } = await docker('create', name(tag), '/opt/app/bin/app');
      const container = stdout.trim();
      const exported = join(work, `export-${tag}`);
      await mkdir(exported);
      try {
        await docker('export', '-o', join(work, `export-${tag}.tar`), container);
      } finally {
        await docker('rm', container);
      }
      await run('tar', ['--same-owner', '-xpf', join(work, `export-${tag}.tar`), '-C', exported]);
      const disk = await walkExtracted(exported);
      const isInit = (path: string) => INIT_PATHS.some((init) => path === init || path.startsWith(`${init}/`));
      const ours = (await env.services.layers.list(sources(tag).oci, { path: '/', recursive: true })).filter(
        (entry) => !isInit(entry.path),
      );
      const inodes = new Map([...disk.values()].map((entry) => [entry.path, entry.inode]));
      expect(ours.map((entry) => entry.path).sort()).toEqual([...disk.keys()].filter((path) => !isInit(path)).sort());
      // The engine creates implied directories with its own defaults; entries the layers list must match.
      const groups = linkGroups(ours);
      for (const entry of ours)
        if (!entry.implicit) compareEntry(entry, disk.get(entry.path), inodes, groups.get(entry.path));
    }
  });
});
