/**
 * Berth's real backend (services + dispatcher) on a temp config folder, with the test registries' logins in
 * a Docker config (the way a user's `docker login` reaches Berth), plus helpers to build and push images the
 * promotion tests own and to read what a registry holds.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import { createSessionSecretStore } from '../../../src/main/credentials';
import type { RequestInput, RequestName, RequestResult } from '../../../src/shared/contract';
import { BerthError } from '../../../src/shared/errors';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { buildTar, sha256, TreeBuilder } from '../../env/layers';
import { makeTempDir, run } from '../../env/process';
import { SeedPusher, type PushTarget } from '../../env/pusher';
import type { RegistryUser } from '../../env/registry';

export interface LoginTarget {
  host: string;
  users: RegistryUser[];
}

export interface Harness {
  dir: string;
  env: NodeJS.ProcessEnv;
  backend: Backend;
  call<K extends RequestName>(
    name: K,
    input: RequestInput<K>,
    onProgress?: (progress: OperationProgress) => void,
    signal?: AbortSignal,
  ): Promise<RequestResult<K>>;
  close(): Promise<void>;
}

/** A Docker config.json with `auths` for each registry that has users (the first user: alice, who may push). */
export async function writeDockerConfig(dir: string, registries: LoginTarget[]): Promise<string> {
  const auths: Record<string, { auth: string }> = {};
  for (const registry of registries) {
    const user = registry.users[0];
    if (user) auths[registry.host] = { auth: Buffer.from(`${user.username}:${user.password}`).toString('base64') };
  }
  const dockerDir = join(dir, 'docker');
  await mkdir(dockerDir, { recursive: true });
  await writeFile(join(dockerDir, 'config.json'), JSON.stringify({ auths }));
  return dockerDir;
}

export async function startHarness(registries: LoginTarget[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const dir = await makeTempDir('berth-promotion-');
  const dockerConfig = await writeDockerConfig(dir, registries);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    DOCKER_CONFIG: dockerConfig,
    BERTH_CONFIG_DIR: join(dir, 'config'),
    ...extraEnv,
  };
  // Every progress report becomes an event (no throttle), so tests see each phase a promotion goes through;
  // the throttle itself is test/unit/api/progress.test.ts's.
  const backend = await createBackend({
    transport: 'cli',
    env,
    secrets: createSessionSecretStore(),
    progressIntervalMs: 0,
  });
  return {
    dir,
    env,
    backend,
    async call(name, input, onProgress, signal) {
      const outcome = await backend.dispatcher.call(
        name,
        input,
        (event, payload) => {
          if (event === 'operation.progress') onProgress?.(payload as OperationProgress);
        },
        signal,
      );
      if (!outcome.ok) throw new BerthError(outcome.error.code, outcome.error.message, outcome.error.details);
      return outcome.value as RequestResult<typeof name>;
    },
    async close() {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** `skopeo inspect --raw` of a reference: the manifest bytes as the registry serves them to another client. */
export async function skopeoRaw(reference: string, user?: RegistryUser): Promise<Buffer> {
  const creds = user ? ['--creds', `${user.username}:${user.password}`] : ['--no-creds'];
  const { stdoutBuffer } = await run(
    'skopeo',
    ['inspect', '--raw', '--tls-verify=false', ...creds, `docker://${reference}`],
    { timeoutMs: 60_000 },
  );
  return stdoutBuffer;
}

export interface BuiltImage {
  manifest: Buffer;
  digest: string;
  blobs: { digest: string; size: number; bytes: Buffer }[];
}

/** Regular files under `dir`, in sorted walk order, until `budget` bytes are listed (bounded walk). */
async function hostFiles(dir: string, budget: number): Promise<{ path: string; size: number }[]> {
  const { lstat, readdir } = await import('node:fs/promises');
  const files: { path: string; size: number }[] = [];
  let total = 0;
  const walk = async (current: string): Promise<void> => {
    for (const name of (await readdir(current).catch(() => [] as string[])).sort()) {
      if (total >= budget) return;
      const path = join(current, name);
      const info = await lstat(path).catch(() => null);
      if (info?.isDirectory()) await walk(path);
      else if (info?.isFile() && info.size > 0 && info.size <= 32 * 1024 * 1024) {
        files.push({ path, size: info.size });
        total += info.size;
      }
    }
  };
  await walk(dir);
  return files;
}

/**
 * A multi-layer image from real files of this machine (/usr/lib: libraries and data), as OCI layers of
 * about `layerBytes` (uncompressed) each, plain tar or gzip. Deterministic for a given machine.
 */
export async function buildImageFromHostFiles(
  layerBytes: number[],
  options: { compression?: 'none' | 'gzip'; hostDir?: string } = {},
): Promise<BuiltImage> {
  const hostDir = options.hostDir ?? '/usr/lib';
  const gzipped = options.compression === 'gzip';
  const { readFile } = await import('node:fs/promises');
  const files = await hostFiles(
    hostDir,
    layerBytes.reduce((a, b) => a + b, 0),
  );
  const tars: Buffer[] = [];
  let cursor = 0;
  for (const [position, wanted] of layerBytes.entries()) {
    const builder = new TreeBuilder();
    builder.file(`/layer-${position}.txt`, `layer ${position}\n`);
    for (let size = 0; size < wanted && cursor < files.length; cursor++) {
      const file = files[cursor]!;
      builder.file(`/data/${position}${file.path}`, await readFile(file.path));
      size += file.size;
    }
    tars.push(await buildTar(builder.entries));
  }
  const diffIds = tars.map(sha256);
  // Level 1: these are fixtures, and a registry copies gzip bytes as they are whatever the level.
  const layers = gzipped ? await Promise.all(tars.map((tar) => promisify(gzip)(tar, { level: 1 }))) : tars;
  const layerMediaType = gzipped
    ? 'application/vnd.oci.image.layer.v1.tar+gzip'
    : 'application/vnd.oci.image.layer.v1.tar';
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, index) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${index}` })),
    }),
  );
  const blobs = [config, ...layers].map((bytes) => ({ digest: sha256(bytes), size: bytes.length, bytes }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blobs[0]!.digest, size: blobs[0]!.size },
      layers: blobs.slice(1).map((blob) => ({ mediaType: layerMediaType, digest: blob.digest, size: blob.size })),
    }),
  );
  return { manifest, digest: sha256(manifest), blobs };
}

export async function pushImage(target: PushTarget, repository: string, tag: string, image: BuiltImage): Promise<void> {
  const pusher = new SeedPusher(target);
  for (const blob of image.blobs) await pusher.pushBlob(repository, blob.bytes);
  await pusher.pushManifest(repository, tag, image.manifest, 'application/vnd.oci.image.manifest.v1+json');
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * The digest a tag has, read with a plain GET on an anonymous registry (OCI distribution spec, "Pulling
 * manifests"): the ground truth of what a tag points at, through no Berth code. Null when there is no such tag.
 */
export async function tagDigest(registry: { url: string }, repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: MANIFEST_ACCEPT },
    signal: AbortSignal.timeout(30_000),
  });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status === 404) return null;
  if (response.status !== 200) throw new Error(`GET ${repository}:${tag} answered ${response.status}`);
  return sha256(body);
}
