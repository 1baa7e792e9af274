/**
 * The layer engine: streaming layer indexes (gzip, zstd, tar with PAX/GNU names, whiteouts), a disk cache
 * keyed by diffID, image sources (registry, Docker engine, docker-archive, OCI layout), merged trees, image
 * diffs, wasted space, file contents.
 *
 *   const layers = createLayerService({ cacheDir, registry: registryClient, daemon });
 *   const diff = await layers.diff('127.0.0.1:5000/dev/app:1.0.0', 'oci:/tmp/app:1.1.0');
 */
export {
  createLayerService,
  MAX_TEXT_DIFF_BYTES,
  type LayerOperationOptions,
  type LayerProgress,
  type LayerService,
  type LayerServiceOptions,
} from './layer-service';
export type { DaemonAccess } from './sources/docker-daemon';
export type { SourceImage } from './sources/image-source';
export type { ScanFile, ScanFiles, ScannedFile, ScanResult, ScanView } from './image-scan';
export type { CaptureFile } from './layer-indexer';
export type { RegistryAccess } from './sources/registry-source';
export { parseSourceReference, type SourceReference } from './sources/source-reference';
export { DEFAULT_LIMITS, type IndexLimits } from './limits';
