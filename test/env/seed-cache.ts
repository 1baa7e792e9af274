/**
 * A seeded registry, fast: the first run seeds through the HTTP API (seedRegistry) and snapshots the
 * registry's storage directory; later runs with the same content (same seedContentKey) start the registry on
 * a copy of that snapshot. Seeding costs the registry several ms of CPU per request (~5,700 requests), the
 * copy a second or two. The snapshot lives in /dev/shm/berth-seed-cache (override: BERTH_SEED_CACHE=DIR;
 * BERTH_SEED_CACHE=off always seeds over HTTP). Snapshots of other content keys are removed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './process';
import { startRegistry, type RegistryOptions, type RunningRegistry } from './registry';
import { seedContentKey, seedRegistry, type SeedResult } from './seed';

/** Prefixes of the snapshots of seeds other than SEED (whose snapshots are named by the bare key). */
const SNAPSHOT_PREFIXES = ['scale-'];

function cacheRoot(): string | null {
  const configured = process.env.BERTH_SEED_CACHE;
  if (configured === 'off') return null;
  if (configured) return configured;
  return join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'berth-seed-cache');
}

/** An anonymous registry holding the SEED content; `options` are passed to startRegistry (e.g. sharedStorageDir). */
export async function startSeededRegistry(
  options: Omit<RegistryOptions, 'mode' | 'copyStorageFrom'> = {},
): Promise<{ registry: RunningRegistry; seed: SeedResult; fromSnapshot: boolean }> {
  const started = await startSnapshottedRegistry('', seedContentKey, (host) => seedRegistry({ host }), options);
  const seed = { ...started.result, registry: started.registry.host };
  return { registry: started.registry, seed, fromSnapshot: started.fromSnapshot };
}

/**
 * An anonymous registry seeded by `seed`, from the snapshot named `prefix` + `contentKey()` when there is one
 * (the prefix keeps the snapshots of different seeds apart). `result` is what `seed` returned when the
 * snapshot was taken, with `durationMs` the time this start took.
 */
export async function startSnapshottedRegistry<T extends { durationMs: number }>(
  prefix: string,
  contentKey: () => Promise<string>,
  seed: (host: string) => Promise<T>,
  options: Omit<RegistryOptions, 'mode' | 'copyStorageFrom'> = {},
): Promise<{ registry: RunningRegistry; result: T; fromSnapshot: boolean }> {
  const root = cacheRoot();
  const snapshot = root === null ? null : join(root, prefix + (await contentKey()));
  const marker = snapshot === null ? null : join(snapshot, 'seed.json');

  if (snapshot !== null && marker !== null && existsSync(marker)) {
    const started = Date.now();
    const registry = await startRegistry({ ...options, mode: 'anonymous', copyStorageFrom: join(snapshot, 'storage') });
    const result = JSON.parse(await readFile(marker, 'utf8')) as T;
    return { registry, result: { ...result, durationMs: Date.now() - started }, fromSnapshot: true };
  }

  const registry = await startRegistry({ ...options, mode: 'anonymous' });
  try {
    const result = await seed(registry.host);
    if (root !== null && snapshot !== null && marker !== null)
      await saveSnapshot(root, prefix, snapshot, registry.storageDir, result);
    return { registry, result, fromSnapshot: false };
  } catch (error) {
    await registry.dispose();
    throw error;
  }
}

/**
 * Copies the freshly seeded storage (no request is in flight) and publishes it with an atomic rename. Older
 * snapshots of the same seed (same prefix: a scale snapshot is `scale-KEY`, the main one a bare KEY) are removed.
 */
async function saveSnapshot(
  root: string,
  prefix: string,
  snapshot: string,
  storageDir: string,
  result: unknown,
): Promise<void> {
  const staging = `${snapshot}.partial-${process.pid}`;
  await mkdir(staging, { recursive: true });
  try {
    await run('cp', ['-a', storageDir, join(staging, 'storage')], { timeoutMs: 300_000 });
    await writeFile(join(staging, 'seed.json'), JSON.stringify(result));
    await rename(staging, snapshot).catch(() => undefined); // another run published the same content first
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const current = snapshot.slice(root.length + 1);
  const sameSeed = (name: string): boolean =>
    prefix === '' ? !SNAPSHOT_PREFIXES.some((other) => name.startsWith(other)) : name.startsWith(prefix);
  for (const name of await readdir(root)) {
    if (name !== current && !name.includes('.partial-') && sameSeed(name))
      await rm(join(root, name), { recursive: true, force: true });
  }
}
