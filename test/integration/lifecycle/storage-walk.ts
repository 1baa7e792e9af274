/**
 * Ground truth for storage usage, independent of Berth: walks a distribution registry's storage folder
 * (docker/registry/v2: each repository's `_manifests/tags/<tag>/current/link`, the manifest blobs they
 * name, and every child of an index), and takes each blob's size from its `data` file on disk.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalkedRepository {
  name: string;
  tags: number;
  /** Every blob the tagged manifests keep (manifests, configs, layers), by digest. */
  blobs: Set<string>;
}

export interface StorageWalk {
  repositories: Map<string, WalkedRepository>;
  sizes: Map<string, number>;
}

const v2 = (storageDir: string) => join(storageDir, 'docker', 'registry', 'v2');
const blobPath = (storageDir: string, digest: string) => {
  const hex = digest.slice('sha256:'.length);
  return join(v2(storageDir), 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
};

async function repositoriesUnder(dir: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('_')) continue;
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    const children = await readdir(join(dir, entry.name));
    if (children.includes('_manifests')) names.push(name);
    names.push(...(await repositoriesUnder(join(dir, entry.name), name)));
  }
  return names;
}

/** Adds a manifest's blobs (itself, every child of an index, configs, layers) to `into`, sizes to `sizes`. */
export async function manifestBlobs(
  storageDir: string,
  digest: string,
  into: Set<string>,
  sizes: Map<string, number>,
): Promise<void> {
  const blobSize = async (blob: string) => {
    if (!sizes.has(blob)) sizes.set(blob, (await stat(blobPath(storageDir, blob))).size);
  };
  into.add(digest);
  await blobSize(digest);
  const manifest = JSON.parse(await readFile(blobPath(storageDir, digest), 'utf8')) as {
    manifests?: { digest: string }[];
    config?: { digest: string };
    layers?: { digest: string }[];
  };
  for (const child of manifest.manifests ?? []) await manifestBlobs(storageDir, child.digest, into, sizes);
  for (const blob of [...(manifest.config ? [manifest.config] : []), ...(manifest.layers ?? [])]) {
    into.add(blob.digest);
    await blobSize(blob.digest);
  }
}

export async function walkStorage(storageDir: string): Promise<StorageWalk> {
  const sizes = new Map<string, number>();
  const repositories = new Map<string, WalkedRepository>();
  const root = join(v2(storageDir), 'repositories');
  for (const name of await repositoriesUnder(root)) {
    const tagsDir = join(root, name, '_manifests', 'tags');
    const tags = await readdir(tagsDir).catch(() => [] as string[]);
    const blobs = new Set<string>();
    for (const tag of tags) {
      const digest = (await readFile(join(tagsDir, tag, 'current', 'link'), 'utf8')).trim();
      await manifestBlobs(storageDir, digest, blobs, sizes);
    }
    repositories.set(name, { name, tags: tags.length, blobs });
  }
  return { repositories, sizes };
}

/** Bytes, unique and shared bytes of a group of repositories, by the definitions of storage usage. */
export function groupFigures(
  walk: StorageWalk,
  members: readonly string[],
): { tags: number; bytes: number; uniqueBytes: number; sharedBytes: number } {
  const group = new Set(members);
  const blobs = new Set(members.flatMap((name) => [...(walk.repositories.get(name)?.blobs ?? [])]));
  const outside = new Set(
    [...walk.repositories.values()].filter((repo) => !group.has(repo.name)).flatMap((repo) => [...repo.blobs]),
  );
  let bytes = 0;
  let uniqueBytes = 0;
  for (const digest of blobs) {
    const size = walk.sizes.get(digest)!;
    bytes += size;
    if (!outside.has(digest)) uniqueBytes += size;
  }
  const tags = members.reduce((sum, name) => sum + (walk.repositories.get(name)?.tags ?? 0), 0);
  return { tags, bytes, uniqueBytes, sharedBytes: bytes - uniqueBytes };
}
