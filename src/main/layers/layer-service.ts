/**
 * The layer engine's service: opens an image from any source, makes sure every layer it needs is indexed
 * (memory, then the disk cache, then streaming the blob), and answers the API's questions about layers,
 * merged trees, files, diffs and wasted space. Layers are indexed a few at a time across all requests, and
 * two requests for the same layer share one indexing.
 */
import { createTwoFilesPatch } from 'diff';
import { BerthError } from '../../shared/errors';
import type {
  Efficiency,
  FileContent,
  ImageDiff,
  LayerChange,
  LayerIndex,
  MergedEntry,
  TextDiff,
} from '../../shared/types/layers';
import type { Platform } from '../../shared/types/registry';
import { parsePlatform } from '../registry';
import { compressionOfMediaType } from './decompress';
import { isProbablyText, readLayerEntry, resolveFile } from './file-reader';
import { diffImages, layerCreatedBy } from './image-diff';
import { IndexCache } from './index-cache';
import { efficiency, layerStats } from './layer-analysis';
import { indexLayer } from './layer-indexer';
import type { LayerTable } from './layer-table';
import { DEFAULT_LIMITS, shortDigest, type IndexLimits } from './limits';
import { MergedTree, type MergeObserver } from './merged-tree';
import { DaemonSource, type DaemonAccess } from './sources/docker-daemon';
import { DockerArchiveSource } from './sources/docker-archive';
import type { ImageSource, SourceImage, SourceLayer } from './sources/image-source';
import { OciLayoutSource } from './sources/oci-layout';
import { RegistrySource, type RegistryAccess } from './sources/registry-source';
import { parseSourceReference } from './sources/source-reference';
import { normalizeEntryName } from './tar-path';
import { defaultZstdImplementation, type ZstdImplementation } from './zstd';

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
  close(): Promise<void>;
}

/** Files larger than this are not text-diffed: a diff of megabytes is not something to read. */
export const MAX_TEXT_DIFF_BYTES = 2 * 1024 * 1024;
const DEFAULT_CACHE_BYTES = 2 * 1024 ** 3;
const MERGED_TREES_KEPT = 6;
const PROGRESS_INTERVAL_MS = 150;
const TEXT_DIFF_TIMEOUT_MS = 5_000;

interface OpenedImage {
  source: ImageSource;
  image: SourceImage;
  tables: LayerTable[];
}

/** A counting semaphore: layers indexed at once, across requests. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(count: number) {
    this.free = count;
  }
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.free === 0) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = this.waiting.indexOf(go);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(signal!.reason instanceof BerthError ? signal!.reason : new BerthError('cancelled', 'Cancelled.'));
        };
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiting.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.free--;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** Least recently used map with a budget counted by a cost function. */
class LruMap<V> {
  private readonly entries = new Map<string, { value: V; cost: number }>();
  private used = 0;
  constructor(
    private readonly budget: number,
    private readonly costOf: (value: V) => number,
  ) {}
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }
  set(key: string, value: V): void {
    const cost = this.costOf(value);
    if (cost > this.budget) return;
    const old = this.entries.get(key);
    if (old) {
      this.used -= old.cost;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, cost });
    this.used += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.budget) break;
      this.entries.delete(oldest);
      this.used -= entry.cost;
    }
  }
}

function cancelledError(signal: AbortSignal | undefined): BerthError {
  const reason: unknown = signal?.reason;
  return reason instanceof BerthError ? reason : new BerthError('cancelled', 'Cancelled.');
}

function commonBase(a: SourceImage, b: SourceImage): number {
  let common = 0;
  while (common < a.layers.length && common < b.layers.length && a.layers[common]!.diffId === b.layers[common]!.diffId)
    common++;
  return common;
}

function normalizeImagePath(path: string): string {
  const normalized = normalizeEntryName(path.trim() === '' ? '/' : path);
  if (!normalized.ok)
    throw new BerthError(
      'invalid_input',
      `${JSON.stringify(path.slice(0, 256))} is not a path inside the image: it ${normalized.reason}.`,
    );
  return normalized.path;
}

export function createLayerService(options: LayerServiceOptions): LayerService {
  const cache = new IndexCache({ dir: options.cacheDir, maxBytes: options.maxCacheBytes ?? DEFAULT_CACHE_BYTES });
  const limits: IndexLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const zstd = options.zstd ?? defaultZstdImplementation();
  const slots = new Slots(options.concurrency ?? 2);
  const tables = new LruMap<LayerTable>(options.memoryEntries ?? 600_000, (table) => Math.max(1, table.count));
  const trees = new LruMap<MergedTree>(MERGED_TREES_KEPT, () => 1);
  const inFlight = new Map<string, Promise<LayerTable>>();

  function platformOf(text: string | undefined): Platform | undefined {
    return text === undefined ? undefined : parsePlatform(text);
  }

  function openSource(reference: string, platform: Platform | undefined): ImageSource {
    const parsed = parseSourceReference(reference);
    switch (parsed.transport) {
      case 'docker':
        if (!options.registry)
          throw new BerthError('unsupported', 'Registry images cannot be read here: no registry client is configured.');
        return new RegistrySource({
          registry: options.registry,
          target: parsed.target,
          reference,
          ...(platform ? { platform } : {}),
        });
      case 'docker-daemon':
        if (!options.daemon)
          throw new BerthError(
            'engine_unavailable',
            'Images of the local Docker engine cannot be read here: no engine is configured.',
          );
        return new DaemonSource({ daemon: options.daemon, cache, image: parsed.target, reference });
      case 'docker-archive':
        return new DockerArchiveSource({
          path: parsed.target,
          reference,
          ...(parsed.selector ? { selector: parsed.selector } : {}),
        });
      case 'oci':
        return new OciLayoutSource({
          dir: parsed.target,
          reference,
          ...(parsed.selector ? { selector: parsed.selector } : {}),
          ...(platform ? { platform } : {}),
        });
    }
  }

  async function cachedTable(diffId: string): Promise<LayerTable | undefined> {
    const memory = tables.get(diffId);
    if (memory) return memory;
    const disk = await cache.get(diffId);
    if (disk) tables.set(diffId, disk);
    return disk;
  }

  async function indexFresh(
    source: ImageSource,
    layer: SourceLayer,
    position: number,
    signal: AbortSignal | undefined,
    onBytes: (bytes: number) => void,
  ): Promise<LayerTable> {
    return slots.run(async () => {
      const again = await cachedTable(layer.diffId);
      if (again) return again;
      if (signal?.aborted) throw cancelledError(signal);
      const stream = await source.openLayer(layer, signal);
      const { table } = await indexLayer({
        stream,
        compressedSize: layer.size,
        ...(!source.verifiesDigests && layer.digestKnown ? { expectedDigest: layer.digest } : {}),
        expectedDiffId: layer.diffId,
        label: `Layer ${position} of ${source.reference} (${shortDigest(layer.digest)}…)`,
        limits,
        zstd,
        ...(signal ? { signal } : {}),
        onProgress: onBytes,
      });
      await cache.put(table);
      tables.set(layer.diffId, table);
      return table;
    }, signal);
  }

  /** The layer's table, sharing an indexing already running for the same content. */
  async function tableFor(
    source: ImageSource,
    layer: SourceLayer,
    position: number,
    signal: AbortSignal | undefined,
    onBytes: (bytes: number) => void,
  ): Promise<LayerTable> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const running = inFlight.get(layer.diffId);
      if (!running) break;
      try {
        return await running;
      } catch (error) {
        // The other request was cancelled; this one was not, so index it here.
        if (!(error instanceof BerthError && error.code === 'cancelled') || signal?.aborted) throw error;
      }
    }
    const task = indexFresh(source, layer, position, signal, onBytes);
    inFlight.set(layer.diffId, task);
    try {
      return await task;
    } finally {
      if (inFlight.get(layer.diffId) === task) inFlight.delete(layer.diffId);
    }
  }

  async function loadTables(
    source: ImageSource,
    image: SourceImage,
    wanted: readonly number[],
    operation: LayerOperationOptions,
  ): Promise<Map<number, LayerTable>> {
    const result = new Map<number, LayerTable>();
    const progress: LayerProgress['layers'] = image.layers.map((layer) => ({
      digest: layer.digest,
      status: 'waiting',
      current: 0,
      total: layer.size,
    }));
    const missing: number[] = [];
    for (const position of wanted) {
      const table = await cachedTable(image.layers[position]!.diffId);
      if (table) {
        result.set(position, table);
        progress[position]!.status = 'cached';
        progress[position]!.current = progress[position]!.total;
      } else {
        missing.push(position);
      }
    }
    if (missing.length === 0) return result;
    let lastReport = 0;
    const report = (force: boolean): void => {
      if (!operation.onProgress) return;
      const now = Date.now();
      if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
      lastReport = now;
      const layers = missing.map((position) => progress[position]!);
      const done = layers.filter((layer) => layer.status === 'done').length;
      operation.onProgress({
        status: `Indexing layers (${done} of ${layers.length})`,
        current: layers.reduce((sum, layer) => sum + layer.current, 0),
        total: layers.reduce((sum, layer) => sum + layer.total, 0),
        layers: progress,
      });
    };
    report(true);
    await Promise.all(
      missing.map(async (position) => {
        const entry = progress[position]!;
        const table = await tableFor(source, image.layers[position]!, position, operation.signal, (bytes) => {
          const started = entry.status !== 'indexing';
          entry.status = 'indexing';
          entry.current = bytes;
          report(started);
        });
        entry.status = 'done';
        entry.current = entry.total;
        result.set(position, table);
        report(true);
      }),
    );
    return result;
  }

  /** Opens the image and loads the tables of the layers wanted; the caller closes `source`. */
  async function openImage(
    reference: string,
    operation: LayerOperationOptions,
    layersWanted: 'all' | ((image: SourceImage) => number[]),
  ): Promise<OpenedImage> {
    const source = openSource(reference, platformOf(operation.platform));
    try {
      const image = await source.image(operation.signal);
      const wanted = layersWanted === 'all' ? image.layers.map((_, index) => index) : layersWanted(image);
      const loaded = await loadTables(source, image, wanted, operation);
      const list = image.layers.map((_, index) => loaded.get(index));
      return { source, image, tables: list as LayerTable[] };
    } catch (error) {
      await source.close();
      if (operation.signal?.aborted) throw cancelledError(operation.signal);
      throw error;
    }
  }

  async function withImage<T>(
    reference: string,
    operation: LayerOperationOptions,
    layersWanted: 'all' | ((image: SourceImage) => number[]),
    use: (opened: OpenedImage) => Promise<T>,
  ): Promise<T> {
    const opened = await openImage(reference, operation, layersWanted);
    try {
      return await use(opened);
    } catch (error) {
      if (operation.signal?.aborted) throw cancelledError(operation.signal);
      throw error;
    } finally {
      await opened.source.close();
    }
  }

  /** Opens two images side by side (indexing both at once), reporting their progress as one operation. */
  async function withPair<T>(
    a: string,
    b: string,
    operation: LayerOperationOptions,
    use: (left: OpenedImage, right: OpenedImage) => Promise<T>,
  ): Promise<T> {
    const latest: (LayerProgress | undefined)[] = [undefined, undefined];
    const sideOptions = (side: 0 | 1): LayerOperationOptions => ({
      ...operation,
      ...(operation.onProgress
        ? {
            onProgress: (progress: LayerProgress) => {
              latest[side] = progress;
              const parts = latest.filter((part): part is LayerProgress => part !== undefined);
              operation.onProgress!({
                status: parts.map((part) => part.status).join('; '),
                current: parts.reduce((sum, part) => sum + part.current, 0),
                total: parts.reduce((sum, part) => sum + part.total, 0),
                layers: parts.flatMap((part) => part.layers),
              });
            },
          }
        : {}),
    });
    const [left, right] = await Promise.allSettled([
      openImage(a, sideOptions(0), 'all'),
      openImage(b, sideOptions(1), 'all'),
    ]);
    try {
      if (left.status === 'rejected') throw left.reason;
      if (right.status === 'rejected') throw right.reason;
      return await use(left.value, right.value);
    } catch (error) {
      if (operation.signal?.aborted) throw cancelledError(operation.signal);
      throw error;
    } finally {
      if (left.status === 'fulfilled') await left.value.source.close();
      if (right.status === 'fulfilled') await right.value.source.close();
    }
  }

  /**
   * The merged tree of layers 0..upTo, from the in-memory cache (keyed by the diff IDs: the same content
   * whatever the source), else extended from the longest cached prefix, else built.
   */
  function treeOf(opened: OpenedImage, upTo: number): MergedTree {
    const chain = opened.image.layers.slice(0, upTo + 1).map((layer) => layer.diffId);
    const layers = opened.tables.slice(0, upTo + 1);
    let tree = trees.get(chain.join(','));
    if (tree) return tree;
    for (let length = chain.length - 1; length > 0 && !tree; length--)
      tree = trees.get(chain.slice(0, length).join(','))?.extend(layers);
    tree ??= MergedTree.build(layers);
    trees.set(chain.join(','), tree);
    return tree;
  }

  function fullTree(opened: OpenedImage): MergedTree {
    return treeOf(opened, opened.tables.length - 1);
  }

  async function readContent(
    opened: OpenedImage,
    path: string,
    operation: LayerOperationOptions,
    onData: (chunk: Buffer) => void | Promise<void>,
  ): Promise<{ resolved: ReturnType<typeof resolveFile> }> {
    const tree = fullTree(opened);
    const resolved = resolveFile(tree, normalizeImagePath(path));
    const layer = opened.image.layers[resolved.layer]!;
    const stream = await opened.source.openLayer(layer, operation.signal);
    await readLayerEntry({
      stream,
      table: opened.tables[resolved.layer]!,
      row: resolved.row,
      label: `Layer ${resolved.layer} of ${opened.source.reference}`,
      zstd,
      ...(operation.signal ? { signal: operation.signal } : {}),
      onData,
    });
    return { resolved };
  }

  async function readBounded(
    opened: OpenedImage,
    path: string,
    maxBytes: number,
    operation: LayerOperationOptions,
  ): Promise<FileContent> {
    const chunks: Buffer[] = [];
    let kept = 0;
    const { resolved } = await readContent(opened, path, operation, (chunk) => {
      if (kept >= maxBytes) return;
      const part = chunk.subarray(0, maxBytes - kept);
      chunks.push(part);
      kept += part.length;
    });
    const bytes = Buffer.concat(chunks);
    const binary = !isProbablyText(bytes);
    return {
      path: normalizeImagePath(path),
      resolvedPath: resolved.path,
      layer: resolved.layer,
      size: resolved.size,
      ...(resolved.sha256 ? { sha256: resolved.sha256 } : {}),
      truncated: resolved.size > bytes.length,
      binary,
      content: binary ? bytes.toString('base64') : bytes.toString('utf8'),
    };
  }

  return {
    async listLayers(reference, operation = {}) {
      return withImage(reference, operation, 'all', async ({ image, tables: list }) => {
        const stats = layerStats(list);
        const createdBy = layerCreatedBy(image);
        const steps = image.config.history.filter((step) => step.layerIndex !== undefined);
        const aligned = steps.length === image.layers.length;
        return image.layers.map((layer, index): LayerChange => ({
          layer: index,
          digest: layer.digest,
          diffId: layer.diffId,
          mediaType: layer.mediaType,
          compressedSize: layer.size,
          ...(createdBy[index] !== undefined ? { createdBy: createdBy[index] } : {}),
          ...(aligned && steps[index]?.created !== undefined ? { created: steps[index]!.created } : {}),
          ...stats[index]!,
          sizeBytes: list[index]!.fileBytes(),
          entryCount: list[index]!.count,
        }));
      });
    },

    async layerIndex(reference, wanted, operation = {}) {
      const positionOf = (image: SourceImage): number => {
        const position = image.layers.findIndex((layer) => layer.digest === wanted || layer.diffId === wanted);
        if (position < 0) throw new BerthError('not_found', `${reference} has no layer ${wanted}.`);
        return position;
      };
      return withImage(
        reference,
        operation,
        (image) => [positionOf(image)],
        async ({ image, tables: list }) => {
          const position = positionOf(image);
          const layer = image.layers[position]!;
          const table = list[position]!;
          return {
            digest: layer.digest,
            diffId: layer.diffId,
            mediaType: layer.mediaType,
            compression: compressionOfMediaType(layer.mediaType),
            compressedSize: layer.size,
            uncompressedSize: table.meta.uncompressedSize,
            entries: Array.from({ length: table.count }, (_, row) => table.entry(row)),
            warnings: table.meta.warnings,
          };
        },
      );
    },

    async list(reference, request, operation = {}) {
      const path = normalizeImagePath(request.path);
      return withImage(
        reference,
        operation,
        (image) => {
          const last = image.layers.length - 1;
          if (request.upToLayer !== undefined && request.upToLayer > last)
            throw new BerthError(
              'invalid_input',
              `${reference} has ${image.layers.length} layers (0..${last}); there is no layer ${request.upToLayer}.`,
            );
          return image.layers.slice(0, (request.upToLayer ?? last) + 1).map((_, index) => index);
        },
        async (opened) => {
          const tree = treeOf(opened, request.upToLayer ?? opened.tables.length - 1);
          const entries = tree.list(path, request.recursive);
          if (!entries)
            throw new BerthError(
              'not_found',
              `${path} does not exist in ${reference}${request.upToLayer !== undefined ? ` up to layer ${request.upToLayer}` : ''}.`,
            );
          return entries;
        },
      );
    },

    async readFile(reference, path, maxBytes, operation = {}) {
      return withImage(reference, operation, 'all', (opened) => readBounded(opened, path, maxBytes, operation));
    },

    async streamFile(reference, path, out, operation = {}) {
      return withImage(reference, operation, 'all', async (opened) => {
        const { resolved } = await readContent(opened, path, operation, async (chunk) => {
          if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
        });
        return { path: resolved.path, size: resolved.size };
      });
    },

    async diff(a, b, operation = {}) {
      return withPair(a, b, operation, async (left, right) => {
        const sideOf = (opened: OpenedImage, reference: string, tree: MergedTree) => ({
          reference,
          image: opened.image,
          tables: opened.tables,
          tree,
        });
        const cached = (opened: OpenedImage) => trees.get(opened.image.layers.map((layer) => layer.diffId).join(','));
        const common = commonBase(left.image, right.image);
        const cachedLeft = cached(left);
        const cachedRight = cached(right);
        if (common === 0 || (cachedLeft && cachedRight))
          return diffImages(sideOf(left, a, fullTree(left)), sideOf(right, b, fullTree(right)));
        // Two tags of one image share their bottom layers: merge those once, extend it by each image's own
        // layers, and compare only the paths those layers touched.
        const base = treeOf(left, common - 1);
        const touched: string[] = [];
        const observer: MergeObserver = {
          placed: (path) => void touched.push(path),
          removed: (path) => void touched.push(path),
        };
        const extended = (opened: OpenedImage): MergedTree => {
          if (opened.tables.length === common) return base;
          const tree = base.extend(opened.tables, observer);
          trees.set(opened.image.layers.map((layer) => layer.diffId).join(','), tree);
          return tree;
        };
        return diffImages(sideOf(left, a, extended(left)), sideOf(right, b, extended(right)), touched);
      });
    },

    async textDiff(a, b, path, operation = {}) {
      const imagePath = normalizeImagePath(path);
      const readSide = async (opened: OpenedImage): Promise<FileContent | undefined> =>
        fullTree(opened).ref(imagePath) === undefined
          ? undefined
          : readBounded(opened, imagePath, MAX_TEXT_DIFF_BYTES, operation);
      const [left, right] = await withPair(a, b, operation, (one, two) => Promise.all([readSide(one), readSide(two)]));
      if (!left && !right) throw new BerthError('not_found', `${imagePath} exists in neither image.`);
      const sizeA = left?.size ?? null;
      const sizeB = right?.size ?? null;
      if (left?.truncated || right?.truncated) {
        throw new BerthError(
          'too_large',
          `${imagePath} is over ${MAX_TEXT_DIFF_BYTES / 1024 / 1024} MiB in one of the images; compare it with \`berth cat\` and a diff tool.`,
        );
      }
      const identical =
        left !== undefined && right !== undefined && left.sha256 !== undefined && left.sha256 === right.sha256;
      const binary = Boolean(left?.binary || right?.binary);
      if (identical || binary) return { path: imagePath, unified: '', binary, identical, sizeA, sizeB };
      const unified = createTwoFilesPatch(
        left ? `a${imagePath}` : '/dev/null',
        right ? `b${imagePath}` : '/dev/null',
        left?.content ?? '',
        right?.content ?? '',
        undefined,
        undefined,
        {
          context: 3,
          timeout: TEXT_DIFF_TIMEOUT_MS,
        },
      );
      if (unified === undefined)
        throw new BerthError(
          'too_large',
          `The versions of ${imagePath} differ too much to diff in ${TEXT_DIFF_TIMEOUT_MS / 1000} s.`,
        );
      return { path: imagePath, unified, binary: false, identical: false, sizeA, sizeB };
    },

    async efficiency(reference, limit, operation = {}) {
      return withImage(reference, operation, 'all', async ({ tables: list }) => efficiency(list, limit));
    },

    async close() {
      await cache.evict().catch(() => undefined);
    },
  };
}
