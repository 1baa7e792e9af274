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

export interface RealBackendOptions {
  /** Environment of the backend (e.g. DOCKER_HOST); it always gets its own config folder. */
  env?: Record<string, string>;
  /** A Docker CLI config.json for the backend to find (default: none). */
  dockerConfig?: object;
}

export async function startRealBackend(options: RealBackendOptions = {}): Promise<RealBackend> {
  const module = (await import(/* @vite-ignore */ IN_PROCESS_MODULE)) as {
    startInProcessApi(options: RealBackendOptions): Promise<RealBackend>;
  };
  return module.startInProcessApi(options);
}

/** What these tests use of the shared world (test/env/world.ts): the seeded registries. */
export interface SeededWorld {
  anonymous: { host: string };
  basic: { host: string; users: { username: string; password: string }[] };
  dockerd: { host: string };
  seed: {
    /** 'repo:tag' -> the manifest the tag points at. */
    manifests: Record<string, { digest: string; mediaType: string; size: number }>;
    images: Record<string, { config: { digest: string }; layers: { digest: string; size: number }[] }>;
    platforms: Record<string, Record<string, { digest: string }>>;
    referrers: { signature: { digest: string }; sbom: { digest: string } };
  };
}

export function seededWorld(): SeededWorld {
  return (inject as unknown as (key: string) => SeededWorld)('world');
}

/** Adds a registry of the world to this backend's settings (Berth's own config, not the registry). */
export async function addWorldRegistry(api: BerthApi, host: string, name = 'World'): Promise<RegistryView> {
  return api.call('registries.add', { host, name });
}
