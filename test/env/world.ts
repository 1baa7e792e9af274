/**
 * The shared test world that `global-setup.ts` starts once per vitest run and provides to every test file:
 *   import { inject } from 'vitest';
 *   const world = inject('world');
 * Registries are seeded identically (see SEED / world.seed). Never mutate the seeded repositories: write under
 * a namespace unique to your test (`scratch/<test>-<random>`) or start your own registry.
 */
import type { RegistryMode, RegistryUser } from './registry';
import type { SeedResult } from './seed';

export interface WorldRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  mode: RegistryMode;
  /** Test-only credentials (basic: alice; token: alice with push, bob with pull only; anonymous: none). */
  users: RegistryUser[];
  /** Read with `readRequestLog(accessLogFile)` from ./registry. */
  accessLogFile: string;
  /** Token mode: the token server (`${url}/token` is the realm); read its log with `fetchTokenRequests(url)`. */
  tokenServer: { url: string; realm: string; service: string; issuer: string } | null;
}

export interface World {
  anonymous: WorldRegistry;
  basic: WorldRegistry;
  token: WorldRegistry;
  dockerd: { host: string; socketPath: string };
  /** Digests and computed facts of the seeded content (identical in the three registries). */
  seed: Omit<SeedResult, 'registry' | 'durationMs'>;
  /** How long each part of the world took to start, in ms. */
  timings: Record<string, number>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    world: World;
  }
}

/**
 * Tests write into the shared world only under top-level namespaces of their own (`scratch`, `scratch-…`, `lane-…`,
 * `prod-e2e-…`), never under a seeded one. So a listing of the world is compared on what lies under the seeded
 * top-level namespaces: exactly the seed there, whatever other test files ran before.
 */
export function underSeededNamespaces(names: readonly string[], seededRepositories: readonly string[]): string[] {
  const seeded = new Set(seededRepositories.map((repository) => repository.split('/')[0]));
  return names.filter((name) => seeded.has(name.split('/')[0]));
}
