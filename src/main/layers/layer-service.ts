/**
 * The layer engine's service: opens an image from any source, makes sure every layer it needs is indexed
 * (memory, then the disk cache, then streaming the blob), and answers the API's questions about layers,
 * merged trees, files, diffs and wasted space. The parts: `open-source.ts` (reference -> source),
 * `table-store.ts` (layer tables: memory, disk, indexing), `image-opener.ts` (an image open for one
 * operation), `tree-cache.ts` (merged trees), and the operations in `describe-layers.ts`, `image-files.ts`
 * and `compare-images.ts`.
 */
import type {
  Efficiency,
  FileContent,
  ImageDiff,
  LayerChange,
  LayerIndex,
  MergedEntry,
  TextDiff,
} from '../../shared/types/layers';
import { compareFile, compareImages } from './compare-images';
import { describeLayer, describeLayers } from './describe-layers';
import { listImagePath, readImageFile, streamImageFile } from './image-files';
import { scanImage, type ScanFile, type ScanFiles, type ScanResult, type ScanView } from './image-scan';
import type { LayerCapture } from './layer-indexer';
import { ImageOpener, type OperationContext } from './image-opener';
import { IndexCache } from './index-cache';
import { efficiency } from './layer-analysis';
import { DEFAULT_LIMITS, type IndexLimits } from './limits';
import { openSource } from './open-source';
import type { DaemonAccess } from './sources/docker-daemon';
import type { SourceImage } from './sources/image-source';
import type { RegistryAccess } from './sources/registry-source';
import { TableStore } from './table-store';
import { TreeCache } from './tree-cache';
import { defaultZstdImplementation, type ZstdImplementation } from './zstd';

export { MAX_TEXT_DIFF_BYTES } from './compare-images';

export interface LayerServiceOptions {
  /** Folder of the layer index cache (the app's cache folder + `/layers`). */
  cacheDir: string;
  /** Size cap of that folder (default 2 GiB). */
  maxCacheBytes?: number;
  /** For `docker://` references; without it they fail with a clear error. */
  registry?: RegistryAccess;
  /** For `docker-daemon:` references. */
  daemon?: DaemonAccess;
  limits?: Partial<IndexLimits>;
  /** Layers indexed at the same time, over all requests (default 2: gunzip runs beside the tar parser). */
  concurrency?: number;
  /** zstd decoder: native when this Node has one (Electron), else the JavaScript one. */
  zstd?: ZstdImplementation;
  /** Decoded layer index rows kept in memory between requests (default 600,000). */
  memoryEntries?: number;
  /** `--debug` messages of ranged reads (why a read streams the layer instead). */
  debug?: (message: string) => void;
}

export interface LayerProgress {
  status: string;
  /** Bytes of layer blobs read so far, and in all, for the layers being indexed. */
  current: number;
  total: number;
  layers: { digest: string; status: 'cached' | 'waiting' | 'indexing' | 'done'; current: number; total: number }[];
}

export interface LayerOperationOptions {
  /** `os/arch[/variant]` for references to multi-platform images. */
  platform?: string;
  signal?: AbortSignal;
  onProgress?: (progress: LayerProgress) => void;
  /** Files to keep the bytes of when a layer is indexed now (see `scan`). */
  capture?: LayerCapture;
}

export interface LayerService {
  listLayers(reference: string, options?: LayerOperationOptions): Promise<LayerChange[]>;
  /** One layer's index; `layer` is its digest (as the source stores it) or its diffID. */
  layerIndex(reference: string, layer: string, options?: LayerOperationOptions): Promise<LayerIndex>;
  list(
    reference: string,
    request: { path: string; recursive: boolean; upToLayer?: number },
    options?: LayerOperationOptions,
  ): Promise<MergedEntry[]>;
  readFile(reference: string, path: string, maxBytes: number, options?: LayerOperationOptions): Promise<FileContent>;
  /** The whole file, written to `out` as it is read (verified at the end: a mismatch rejects after the bytes). */
  streamFile(
    reference: string,
    path: string,
    out: NodeJS.WritableStream,
    options?: LayerOperationOptions,
  ): Promise<{ path: string; size: number }>;
  diff(a: string, b: string, options?: LayerOperationOptions): Promise<ImageDiff>;
  textDiff(a: string, b: string, path: string, options?: LayerOperationOptions): Promise<TextDiff>;
  efficiency(reference: string, limit: number, options?: LayerOperationOptions): Promise<Efficiency>;
  /** The image's manifest, config and layer list, without indexing any layer. */
  describe(reference: string, options?: LayerOperationOptions): Promise<SourceImage>;
  /**
   * Reads the files `select` picks (package databases...): from what indexing kept of the files `files.wants`
   * names (layers indexed by this call), else streaming each layer that holds some once more.
   */
  scan(
    reference: string,
    select: (view: ScanView) => ScanFile[] | Promise<ScanFile[]>,
    options?: LayerOperationOptions,
    files?: ScanFiles,
  ): Promise<ScanResult>;
  close(): Promise<void>;
}

const DEFAULT_CACHE_BYTES = 2 * 1024 ** 3;
const MERGED_TREES_KEPT = 6;

export function createLayerService(options: LayerServiceOptions): LayerService {
  const cache = new IndexCache({ dir: options.cacheDir, maxBytes: options.maxCacheBytes ?? DEFAULT_CACHE_BYTES });
  const zstd = options.zstd ?? defaultZstdImplementation();
  const tables = new TableStore({
    cache,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    zstd,
    concurrency: options.concurrency ?? 2,
    memoryEntries: options.memoryEntries ?? 600_000,
  });
  const access = { registry: options.registry, daemon: options.daemon, cache };
  const images = new ImageOpener((reference, platform) => openSource(reference, platform, access), tables);
  const context: OperationContext = {
    images,
    trees: new TreeCache(MERGED_TREES_KEPT),
    zstd,
    tables,
    seek: { cache, debug: options.debug },
  };
  return {
    listLayers: async (reference, operation = {}) => describeLayers(images, reference, operation),
    layerIndex: async (reference, layer, operation = {}) => describeLayer(images, reference, layer, operation),
    list: async (reference, request, operation = {}) => listImagePath(context, reference, request, operation),
    readFile: async (reference, path, maxBytes, operation = {}) =>
      readImageFile(context, reference, path, maxBytes, operation),
    streamFile: async (reference, path, out, operation = {}) =>
      streamImageFile(context, reference, path, out, operation),
    diff: async (a, b, operation = {}) => compareImages(context, a, b, operation),
    textDiff: async (a, b, path, operation = {}) => compareFile(context, a, b, path, operation),
    efficiency: async (reference, limit, operation = {}) =>
      images.with(reference, operation, 'all', ({ tables: list }) => efficiency(list, limit)),
    describe: async (reference, operation = {}) =>
      images.with(
        reference,
        operation,
        () => [],
        ({ image }) => image,
      ),
    scan: async (reference, select, operation = {}, files = {}) =>
      scanImage(context, reference, select, operation, files),
    close: async () => {
      await cache.evict().catch(() => undefined);
    },
  };
}
