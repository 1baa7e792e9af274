/**
 * The real backend for renderer tests (services and dispatcher in this process, see
 * test/env/in-process-api.ts) and the shared test world's registries. The Node module is loaded at run
 * time through a path in a variable, so the renderer's typecheck (DOM types, no Node) never reads it.
 */
import { inject } from 'vitest';
import type { BerthApi, RequestName } from '../../../src/shared/contract';
import type { RegistryView } from '../../../src/shared/types/settings';

export interface RealBackend {
  api: BerthApi;
  calls: { name: RequestName; input: unknown }[];
  close(): Promise<void>;
}

const IN_PROCESS_MODULE = '../../env/in-process-api';

export async function startRealBackend(): Promise<RealBackend> {
  const module = (await import(/* @vite-ignore */ IN_PROCESS_MODULE)) as { startInProcessApi(): Promise<RealBackend> };
  return module.startInProcessApi();
}

/** What these tests use of the shared world (test/env/world.ts): the seeded registries. */
export interface SeededWorld {
  anonymous: { host: string };
  basic: { host: string; users: { username: string; password: string }[] };
  seed: { manyTags: { uniqueDigests: number; digests: Record<string, string> }; platforms: Record<string, Record<string, { digest: string }>> };
}

export function seededWorld(): SeededWorld {
  return (inject as unknown as (key: string) => SeededWorld)('world');
}

/** Adds a registry of the world to this backend's settings (Berth's own config, not the registry). */
export async function addWorldRegistry(api: BerthApi, host: string, name = 'World'): Promise<RegistryView> {
  return api.call('registries.add', { host, name });
}
