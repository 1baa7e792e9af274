/**
 * vitest globalSetup: starts the shared world (three seeded registries and a Docker engine), provides it as
 * `inject('world')`, and stops everything afterwards. Any part that cannot start fails the run with its log.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { TestProject } from 'vitest/node';
import { makeTempDir } from './process';
import { startDockerd, type RunningDockerd } from './dockerd';
import { startRegistry, type RunningRegistry } from './registry';
import { startSeededRegistry } from './seed-cache';
import type { World, WorldRegistry } from './world';

async function timed<T>(timings: Record<string, number>, name: string, task: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await task();
  timings[name] = Date.now() - started;
  return result;
}

/** The values of settled promises, or one error naming every failure. */
function settledValues<T extends readonly unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0)
    throw new Error(
      failures
        .map((failure) => (failure.reason instanceof Error ? failure.reason.message : String(failure.reason)))
        .join('\n'),
    );
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function describeRegistry(registry: RunningRegistry): WorldRegistry {
  return {
    host: registry.host,
    url: registry.url,
    mode: registry.mode,
    users: registry.users,
    accessLogFile: registry.accessLogFile,
    tokenServer: registry.token && {
      url: registry.token.url,
      realm: registry.token.realm,
      service: registry.token.service,
      issuer: registry.token.issuer,
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const timings: Record<string, number> = {};
  const started = Date.now();
  const registries: RunningRegistry[] = [];
  let dockerd: RunningDockerd | undefined;
  const keep = (registry: RunningRegistry): RunningRegistry => {
    registries.push(registry);
    return registry;
  };
  const cleanups: (() => Promise<void>)[] = [];
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([...registries.map((registry) => registry.dispose()), dockerd?.stop()]);
    await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
  };

  // Everything starts in parallel. The three registries serve one storage directory (distribution's
  // scale-out setup), seeded once (see seed-cache.ts): seeding costs the registry several ms of CPU per
  // request (about 5,700 requests, mostly many/tags), so pushing it three times would triple the slowest step.
  const dockerdStarting = timed(timings, 'dockerd', startDockerd).then((engine) => (dockerd = engine));
  const registriesSeeding = (async () => {
    const storageDir = await makeTempDir('berth-world-storage-', existsSync('/dev/shm') ? '/dev/shm' : tmpdir());
    cleanups.push(() => rm(storageDir, { recursive: true, force: true }));
    const shared = { sharedStorageDir: storageDir };
    // allSettled, so that a failure of one is reported only once the others are started (and kept for teardown).
    const [seeded, basic, token] = settledValues(
      await Promise.allSettled([
        timed(timings, 'registry.anonymous+seed', () => startSeededRegistry(shared)).then(
          (result) => (keep(result.registry), result),
        ),
        timed(timings, 'registry.basic', () => startRegistry({ mode: 'basic', ...shared })).then(keep),
        timed(timings, 'registry.token', () => startRegistry({ mode: 'token', ...shared })).then(keep),
      ]),
    );
    console.log(
      `[test world] seed ${seeded.fromSnapshot ? 'copied from the snapshot of an earlier run' : 'pushed over HTTP'} in ${seeded.seed.durationMs} ms`,
    );
    return { anonymous: seeded.registry, basic, token, seed: seeded.seed };
  })();

  let engine: RunningDockerd;
  let registriesReady: Awaited<typeof registriesSeeding>;
  try {
    [engine, registriesReady] = settledValues(await Promise.allSettled([dockerdStarting, registriesSeeding]));
  } catch (error) {
    // Fail the whole run loudly, and leave nothing running behind.
    await teardown();
    throw new Error(`the test world could not start:\n${error instanceof Error ? error.message : String(error)}`);
  }
  const { anonymous, basic, token, seed } = registriesReady;
  timings.total = Date.now() - started;

  const { registry: _registry, durationMs: _duration, ...seedFacts } = seed;
  const world: World = {
    anonymous: describeRegistry(anonymous),
    basic: describeRegistry(basic),
    token: describeRegistry(token),
    dockerd: { host: engine.host, socketPath: engine.socketPath },
    seed: seedFacts,
    timings,
  };
  project.provide('world', world);
  console.log(
    `[test world] ready in ${timings.total} ms (${Object.entries(timings)
      .map(([name, ms]) => `${name} ${ms} ms`)
      .join(', ')})`,
  );
  return teardown;
}
