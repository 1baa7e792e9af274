/**
 * The local Docker engine: discovery (DOCKER_HOST, contexts, defaults, Podman), the Engine API client and the
 * service the api, the CLI, promotion and the layer engine use.
 */
import type { Readable } from 'node:stream';

export {
  createDockerService,
  type DockerService,
  type DockerServiceOptions,
  type TransferOptions,
  type TransferResult,
} from './service';
export { settingsEngineChoice, type EngineChoiceStore } from './engine-choice';
export { registryClientProbe, type RegistryAuthNeed, type RegistryProbe } from './registry-probe';
export type { TransferSnapshot } from './transfer-progress';

/**
 * What the layer engine needs for `docker-daemon:NAME` sources: the image as a `docker save` tar stream from
 * the engine (`GET /images/{name}/get`). Bound from `DockerService.exportImage`. Destroy the stream to stop.
 */
export type ImageExporter = (image: string, signal?: AbortSignal) => Promise<Readable>;
