/**
 * Helpers of the layer engine's integration tests: the real services on temp folders, and an independent view
 * of a filesystem that GNU tar extracted (lstat + sha256 of every entry), to check the engine against.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createSessionSecretStore } from '../../../src/main/credentials';
import { createServices, type Services } from '../../../src/main/services';
import { run } from '../../env/process';
import { sha256, type FixtureImage, type FixtureLayer } from '../../unit/layers/fixtures';

export interface TestServices {
  services: Services;
  home: string;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** The real services (registry client, Docker client, layer engine) with their folders in a temp dir. */
export async function openServices(extraEnv: NodeJS.ProcessEnv = {}): Promise<TestServices> {
  const home = await mkdtemp(join(tmpdir(), 'berth-layers-it-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'config'),
    BERTH_CACHE_DIR: join(home, 'cache'),
    ...extraEnv,
  };
  const services = await createServices({ transport: 'cli', env, secrets: createSessionSecretStore() });
  return {
    services,
    home,
    env,
    async close() {
      await services.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface ExtractedEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkTarget?: string;
  sha256?: string;
  /** Device and inode: equal for hard links of one file. */
  inode: string;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** Every entry below `root`, as absolute image paths. */
export async function walkExtracted(root: string): Promise<Map<string, ExtractedEntry>> {
  const result = new Map<string, ExtractedEntry>();
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const full = join(dir, name);
      const path = `${prefix}/${name}`;
      const info = await lstat(full);
      const base = {
        path,
        size: 0,
        mode: info.mode & 0o7777,
        uid: info.uid,
        gid: info.gid,
        inode: `${info.dev}:${info.ino}`,
      };
      if (info.isDirectory()) {
        result.set(path, { ...base, type: 'dir' });
        await visit(full, path);
      } else if (info.isSymbolicLink()) {
        result.set(path, { ...base, type: 'symlink', linkTarget: await readlink(full) });
      } else if (info.isFile()) {
        result.set(path, { ...base, type: 'file', size: info.size, sha256: await sha256File(full) });
      } else {
        result.set(path, { ...base, type: 'other' });
      }
    }
  };
  await visit(root, '');
  return result;
}

/**
 * The image of an OCI layout (as `skopeo copy` wrote it) as a FixtureImage with uncompressed layers and the
 * exact config bytes, to `docker load`: dockerd 20.10 accepts no zstd layers (skopeo refuses to convert them
 * for it), so the test decompresses them itself.
 */
export async function imageFromLayout(dir: string, tag: string): Promise<FixtureImage> {
  const blob = (digest: string) => readFile(join(dir, 'blobs', ...digest.split(':')));
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  const descriptor = index.manifests.find((entry) => entry.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (!descriptor) throw new Error(`no ${tag} in ${dir}`);
  const manifest = JSON.parse((await blob(descriptor.digest)).toString('utf8')) as {
    config: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  const layers: FixtureLayer[] = [];
  for (const layer of manifest.layers) {
    const stored = await blob(layer.digest);
    const tar = layer.mediaType.endsWith('zstd')
      ? (await run('zstd', ['-dc'], { input: stored })).stdoutBuffer
      : layer.mediaType.endsWith('gzip')
        ? gunzipSync(stored)
        : stored;
    layers.push({
      tar,
      blob: stored,
      compression: 'none',
      diffId: sha256(tar),
      digest: layer.digest,
      mediaType: layer.mediaType,
    });
  }
  const config = await blob(manifest.config.digest);
  return { layers, config, configDigest: manifest.config.digest };
}
