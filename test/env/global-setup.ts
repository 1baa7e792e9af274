/**
 * vitest globalSetup: starts the shared world (three seeded registries and a Docker engine), provides it as
 * `inject('world')`, and stops everything afterwards. Any part that cannot start fails the run with its log.
 */
import type { TestProject } from 'vitest/node';
import { startDockerd, type RunningDockerd } from './dockerd';
import { startRegistry, type RunningRegistry } from './registry';
import { seedRegistry } from './seed';
import type { World, WorldRegistry } from './world';

async function timed<T>(timings: Record<string, number>, name: string, task: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await task();
  timings[name] = Date.now() - started;
  return result;
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
  const teardown = async (): Promise<void> => {
    await Promise.allSettled([...registries.map((registry) => registry.dispose()), dockerd?.stop()]);
  };

  // Everything starts in parallel. The three registries serve one storage directory (distribution's
  // scale-out setup), seeded once through the anonymous one: seeding costs the registry several ms of CPU per
  // request (about 5,700 requests, mostly many/tags), so pushing it three times would triple the slowest step.
  const dockerdStarting = timed(timings, 'dockerd', startDockerd).then((engine) => (dockerd = engine));
  const registriesSeeding = (async () => {
    const anonymous = keep(await timed(timings, 'registry.anonymous', () => startRegistry({ mode: 'anonymous' })));
    const shared = { sharedStorageDir: anonymous.storageDir };
    const [seed, basic, token] = await Promise.all([
      timed(timings, 'seed', () => seedRegistry({ host: anonymous.host })),
      timed(timings, 'registry.basic', () => startRegistry({ mode: 'basic', ...shared })).then(keep),
      timed(timings, 'registry.token', () => startRegistry({ mode: 'token', ...shared })).then(keep),
    ]);
    return { anonymous, basic, token, seed };
  })();

  const outcome = await Promise.allSettled([dockerdStarting, registriesSeeding]);
  const failures = outcome.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failures.length > 0) {
    // Fail the whole run loudly, and leave nothing running behind.
    await teardown();
    throw new Error(`the test world could not start:\n${failures.map((failure) => String(failure.reason instanceof Error ? failure.reason.message : failure.reason)).join('\n')}`);
  }
  const engine = (outcome[0] as PromiseFulfilledResult<RunningDockerd>).value;
  const { anonymous, basic, token, seed } = (outcome[1] as PromiseFulfilledResult<Awaited<typeof registriesSeeding>>).value;
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
  console.log(`[test world] ready in ${timings.total} ms (${Object.entries(timings).map(([name, ms]) => `${name} ${ms} ms`).join(', ')})`);
  return teardown;
}
