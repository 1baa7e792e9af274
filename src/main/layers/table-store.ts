/**
 * Layer tables by diffID: from memory (an LRU counted in rows), else from the disk cache, else indexed by
 * streaming the layer blob. Layers are indexed a few at a time across all requests, and two requests for the
 * same layer share one indexing.
 */
import { BerthError } from '../../shared/errors';
import { Semaphore, throwIfAborted } from '../util/async';
import { LruMap } from '../util/lru';
import type { IndexCache } from './index-cache';
import { indexLayer, type LayerCapture } from './layer-indexer';
import type { LayerOperationOptions, LayerProgress } from './layer-service';
import type { LayerTable } from './layer-table';
import { shortDigest, type IndexLimits } from './limits';
import type { ImageSource, SourceImage, SourceLayer } from './sources/image-source';
import type { ZstdImplementation } from './zstd';

/** The layer engine's message for an abort whose reason is not already a BerthError. */
export const CANCELLED = 'Cancelled.';

export interface TableStoreOptions {
  cache: IndexCache;
  limits: IndexLimits;
  zstd: ZstdImplementation;
  /** Layers indexed at the same time, over all requests. */
  concurrency: number;
  /** Decoded layer index rows kept in memory between requests. */
  memoryEntries: number;
}

/** One layer to index: its source, its position in the image (for messages), and where its bytes go. */
interface IndexJob {
  source: ImageSource;
  layer: SourceLayer;
  position: number;
  signal: AbortSignal | undefined;
  onBytes: (bytes: number) => void;
  capture: LayerCapture | undefined;
}

/** Bytes of files kept while indexing (for the scan that asked for them), over all layers. */
const CAPTURED_BYTES = 256 * 1024 * 1024;

export class TableStore {
  private readonly memory: LruMap<LayerTable>;
  private readonly slots: Semaphore;
  private readonly inFlight = new Map<string, Promise<LayerTable>>();
  private readonly captures = new LruMap<Map<string, Buffer>>({
    budget: CAPTURED_BYTES,
    costOf: (files) =>
      Math.max(
        1,
        [...files.values()].reduce((sum, bytes) => sum + bytes.length, 0),
      ),
  });

  constructor(private readonly options: TableStoreOptions) {
    this.memory = new LruMap({ budget: options.memoryEntries, costOf: (table) => Math.max(1, table.count) });
    this.slots = new Semaphore(options.concurrency);
  }

  /** The tables of the layers of `image` at the `wanted` positions, indexing the missing ones. */
  async load(
    source: ImageSource,
    image: SourceImage,
    wanted: readonly number[],
    operation: LayerOperationOptions,
  ): Promise<Map<number, LayerTable>> {
    const result = new Map<number, LayerTable>();
    const progress = new IndexingProgress(image, operation.onProgress);
    const missing: number[] = [];
    for (const position of wanted) {
      const table = await this.cached(image.layers[position]!.diffId);
      if (table) {
        result.set(position, table);
        progress.cached(position);
      } else {
        missing.push(position);
      }
    }
    if (missing.length === 0) return result;
    progress.start(missing);
    await Promise.all(
      missing.map(async (position) => {
        const table = await this.tableFor({
          source,
          layer: image.layers[position]!,
          position,
          signal: operation.signal,
          onBytes: (bytes) => progress.read(position, bytes),
          capture: operation.capture,
        });
        result.set(position, table);
        progress.done(position);
      }),
    );
    return result;
  }

  /** What indexing kept of the layer's files for a capture (path -> bytes), when it was indexed with one. */
  captured(diffId: string): Map<string, Buffer> | undefined {
    return this.captures.get(diffId);
  }

  private async cached(diffId: string): Promise<LayerTable | undefined> {
    const memory = this.memory.get(diffId);
    if (memory) return memory;
    const disk = await this.options.cache.get(diffId);
    if (disk) this.memory.set(diffId, disk);
    return disk;
  }

  /** The layer's table, sharing an indexing already running for the same content. */
  private async tableFor(job: IndexJob): Promise<LayerTable> {
    const { layer, signal } = job;
    for (let attempt = 0; attempt < 3; attempt++) {
      const running = this.inFlight.get(layer.diffId);
      if (!running) break;
      try {
        return await running;
      } catch (error) {
        // The other request was cancelled; this one was not, so index it here.
        if (!(error instanceof BerthError && error.code === 'cancelled') || signal?.aborted) throw error;
      }
    }
    const task = this.indexFresh(job);
    this.inFlight.set(layer.diffId, task);
    try {
      return await task;
    } finally {
      if (this.inFlight.get(layer.diffId) === task) this.inFlight.delete(layer.diffId);
    }
  }

  private async indexFresh({ source, layer, position, signal, onBytes, capture }: IndexJob): Promise<LayerTable> {
    return this.slots.run(
      async () => {
        // Another request may have indexed it while this one waited for a slot.
        const again = await this.cached(layer.diffId);
        if (again) return again;
        throwIfAborted(signal, CANCELLED);
        const stream = await source.openLayer(layer, signal);
        const { table, captured } = await indexLayer({
          stream,
          compressedSize: layer.size,
          ...(!source.verifiesDigests && layer.digestKnown ? { expectedDigest: layer.digest } : {}),
          expectedDiffId: layer.diffId,
          label: `Layer ${position} of ${source.reference} (${shortDigest(layer.digest)}…)`,
          limits: this.options.limits,
          zstd: this.options.zstd,
          ...(signal ? { signal } : {}),
          onProgress: onBytes,
          ...(capture ? { capture } : {}),
        });
        if (captured) this.captures.set(layer.diffId, captured);
        await this.options.cache.put(table);
        this.memory.set(layer.diffId, table);
        return table;
      },
      signal,
      CANCELLED,
    );
  }
}

/** One image's indexing progress: every layer's state, reported at each change (the API throttles what is sent). */
class IndexingProgress {
  private readonly layers: LayerProgress['layers'];
  private indexing: number[] = [];

  constructor(
    image: SourceImage,
    private readonly onProgress: ((progress: LayerProgress) => void) | undefined,
  ) {
    this.layers = image.layers.map((layer) => ({
      digest: layer.digest,
      status: 'waiting',
      current: 0,
      total: layer.size,
    }));
  }

  cached(position: number): void {
    const entry = this.layers[position]!;
    entry.status = 'cached';
    entry.current = entry.total;
  }

  /** The positions to index are known: the first report. */
  start(positions: number[]): void {
    this.indexing = positions;
    this.report();
  }

  read(position: number, bytes: number): void {
    const entry = this.layers[position]!;
    entry.status = 'indexing';
    entry.current = bytes;
    this.report();
  }

  done(position: number): void {
    const entry = this.layers[position]!;
    entry.status = 'done';
    entry.current = entry.total;
    this.report();
  }

  private report(): void {
    if (!this.onProgress) return;
    const indexing = this.indexing.map((position) => this.layers[position]!);
    const done = indexing.filter((layer) => layer.status === 'done').length;
    this.onProgress({
      status: `Indexing layers (${done} of ${indexing.length})`,
      current: indexing.reduce((sum, layer) => sum + layer.current, 0),
      total: indexing.reduce((sum, layer) => sum + layer.total, 0),
      layers: this.layers,
    });
  }
}
