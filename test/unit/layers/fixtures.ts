/**
 * Layer and image fixtures for the layer engine's tests: tars written entry by entry with tar-stream (so
 * hostile names, devices, PAX records and duplicates are exactly as written), or by GNU tar from a real
 * directory (GNU long-name records); compressed with zlib or the zstd CLI; packaged as OCI layouts and
 * `docker save` archives the way those tools lay them out.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { indexLayer } from '../../../src/main/layers/layer-indexer';
import type { LayerTable } from '../../../src/main/layers/layer-table';
import { DEFAULT_LIMITS } from '../../../src/main/layers/limits';

export const MTIME = new Date('2024-01-01T00:00:00Z');

export interface RawEntry {
  /** The tar name exactly as written (`etc/x`, `./etc/x`, `../x`, `/abs`). */
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: Buffer | string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function tarOf(entries: readonly RawEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk) => chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content =
      entry.content === undefined
        ? undefined
        : Buffer.isBuffer(entry.content)
          ? entry.content
          : Buffer.from(entry.content);
    const header = {
      name: entry.name,
      type,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      mtime: entry.mtime ?? MTIME,
      ...(entry.linkname !== undefined ? { linkname: entry.linkname } : {}),
      ...(entry.devmajor !== undefined ? { devmajor: entry.devmajor, devminor: entry.devminor ?? 0 } : {}),
      ...(entry.pax ? { pax: entry.pax } : {}),
      ...(type === 'file' ? { size: content?.length ?? 0 } : {}),
    };
    if (type === 'file') archive.entry(header, content ?? Buffer.alloc(0));
    else archive.entry(header);
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function run(command: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.toString()}`));
        else resolve(stdout);
      },
    );
    if (input) child.stdin!.end(input);
  });
}

export type FixtureCompression = 'gzip' | 'zstd' | 'none';

export async function compress(tar: Buffer, compression: FixtureCompression): Promise<Buffer> {
  if (compression === 'gzip') return gzipSync(tar);
  if (compression === 'zstd') return run('zstd', ['-q', '-c', '-3', '--no-progress'], tar);
  return tar;
}

export interface FixtureLayer {
  tar: Buffer;
  blob: Buffer;
  compression: FixtureCompression;
  diffId: string;
  digest: string;
  mediaType: string;
}

const MEDIA_TYPES: Record<FixtureCompression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

export async function layerOf(
  entries: readonly RawEntry[] | Buffer,
  compression: FixtureCompression = 'gzip',
): Promise<FixtureLayer> {
  const tar = Buffer.isBuffer(entries) ? entries : await tarOf(entries);
  const blob = await compress(tar, compression);
  return { tar, blob, compression, diffId: sha256(tar), digest: sha256(blob), mediaType: MEDIA_TYPES[compression] };
}

export interface ConfigFields {
  env?: string[];
  labels?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workingDir?: string;
  exposedPorts?: string[];
  architecture?: string;
  history?: { createdBy: string; emptyLayer?: boolean }[];
}

export interface FixtureImage {
  layers: FixtureLayer[];
  config: Buffer;
  configDigest: string;
}

export function imageOf(layers: FixtureLayer[], fields: ConfigFields = {}): FixtureImage {
  const history: { createdBy: string; emptyLayer?: boolean }[] =
    fields.history ?? layers.map((_, index) => ({ createdBy: `step ${index}` }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: fields.architecture ?? 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: {
        Env: fields.env ?? ['PATH=/usr/bin:/bin'],
        ...(fields.entrypoint ? { Entrypoint: fields.entrypoint } : {}),
        Cmd: fields.cmd ?? ['/bin/sh'],
        ...(fields.user ? { User: fields.user } : {}),
        ...(fields.workingDir ? { WorkingDir: fields.workingDir } : {}),
        ...(fields.labels ? { Labels: fields.labels } : {}),
        ...(fields.exposedPorts
          ? { ExposedPorts: Object.fromEntries(fields.exposedPorts.map((port) => [port, {}])) }
          : {}),
      },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
      history: history.map((step) => ({
        created: '2024-01-01T00:00:00Z',
        created_by: step.createdBy,
        ...(step.emptyLayer ? { empty_layer: true } : {}),
      })),
    }),
  );
  return { layers, config, configDigest: sha256(config) };
}

async function writeBlob(dir: string, digest: string, bytes: Buffer): Promise<void> {
  const [algorithm, value] = digest.split(':') as [string, string];
  await mkdir(join(dir, 'blobs', algorithm), { recursive: true });
  await writeFile(join(dir, 'blobs', algorithm, value), bytes);
}

/** An OCI image layout as `skopeo copy ... oci:DIR:TAG` writes it. Returns each image's manifest digest. */
export async function writeOciLayout(dir: string, images: { image: FixtureImage; tag?: string }[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const descriptors = [];
  for (const { image, tag } of images) {
    for (const layer of image.layers) await writeBlob(dir, layer.digest, layer.blob);
    await writeBlob(dir, image.configDigest, image.config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: image.configDigest,
          size: image.config.length,
        },
        layers: image.layers.map((layer) => ({
          mediaType: layer.mediaType,
          digest: layer.digest,
          size: layer.blob.length,
        })),
      }),
    );
    await writeBlob(dir, sha256(manifest), manifest);
    descriptors.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(manifest),
      size: manifest.length,
      ...(tag ? { annotations: { 'org.opencontainers.image.ref.name': tag } } : {}),
    });
  }
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: descriptors }));
  return descriptors.map((descriptor) => descriptor.digest);
}

/** A `docker save` archive in Docker 20.10's layout: `<id>/layer.tar` (uncompressed), `<config hex>.json`, manifest.json. */
export async function writeDockerArchive(
  path: string,
  images: { image: FixtureImage; repoTags: string[] }[],
): Promise<void> {
  const entries: RawEntry[] = [];
  const manifest = [];
  const written = new Set<string>();
  for (const { image, repoTags } of images) {
    const layerNames: string[] = [];
    for (const layer of image.layers) {
      const id = hex(`${layer.diffId}-id`);
      layerNames.push(`${id}/layer.tar`);
      if (written.has(id)) continue;
      written.add(id);
      entries.push(
        { name: `${id}/`, type: 'directory' },
        { name: `${id}/VERSION`, content: '1.0' },
        { name: `${id}/json`, content: '{}' },
        { name: `${id}/layer.tar`, content: layer.tar },
      );
    }
    const configName = `${image.configDigest.slice('sha256:'.length)}.json`;
    entries.push({ name: configName, content: image.config });
    manifest.push({ Config: configName, RepoTags: repoTags, Layers: layerNames });
  }
  entries.push({ name: 'manifest.json', content: JSON.stringify(manifest) });
  await writeFile(path, await tarOf(entries));
}

/** The index of an uncompressed layer made of these entries. */
export async function tableOf(entries: readonly RawEntry[]): Promise<LayerTable> {
  const tar = await tarOf(entries);
  const { table } = await indexLayer({
    stream: Readable.from([tar]),
    compressedSize: tar.length,
    expectedDiffId: sha256(tar),
    label: 'fixture',
    limits: DEFAULT_LIMITS,
    zstd: 'js',
  });
  return table;
}

/** Text that compresses about 2x and gives many deflate blocks (gzip checkpoint tests). */
export function words(bytes: number, seed: number): Buffer {
  let state = seed;
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const word = state.toString(36);
    parts.push(word);
    length += word.length + 1;
  }
  return Buffer.from(parts.join(' ').slice(0, bytes));
}
