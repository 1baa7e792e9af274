import type { ItemProgress } from '../../shared/types/operations';
import { engineError } from './engine-errors';
import type { JsonMessage } from './json-messages';

export type TransferDirection = 'pull' | 'push';

/** What a pull or push looks like right now: one item per layer, bytes summed over layers. */
export interface TransferSnapshot {
  status: string;
  current: number;
  total: number;
  items: ItemProgress[];
  done: boolean;
}

/** What a message changed: a layer's phase (worth showing now) or only its byte count (worth throttling). */
export type TransferChange = 'phase' | 'bytes' | 'none';

interface LayerState {
  id: string;
  status: string;
  /** Progress within the current phase, as the engine reports it (extraction restarts from 0). */
  current: number;
  total: number;
  /** Bytes of the layer (compressed for a pull, the tar stream for a push), once the engine said. */
  size: number;
  /** Bytes downloaded or uploaded so far. */
  transferred: number;
  complete: boolean;
}

// The engine's per-layer statuses (moby distribution/pull_v2.go, push_v2.go, xfer/).
const TRANSFERRING = new Set(['Downloading', 'Pushing']);
const TRANSFER_DONE = new Set(['Verifying Checksum', 'Download complete']);
const LAYER_DONE = new Set(['Pull complete', 'Already exists', 'Pushed', 'Layer already exists']);
/** Messages with an `id` that are about the image, not a layer. */
const NOT_A_LAYER = /^(Pulling from |The push refers to |Pulling repository )/;

const PUSHED_DIGEST = /digest: (sha256:[a-f0-9]{64})/;
const PULLED_DIGEST = /^Digest: (sha256:[a-f0-9]{64})/;

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Folds the engine's JSON progress stream into per-layer progress. The stream's `error` field ends the
 * operation as a failure: the engine reports registry errors there after the HTTP status was already 200.
 */
export class TransferTracker {
  private readonly layers = new Map<string, LayerState>();
  /** The manifest digest the engine reported (`Digest: ...` on pull, the push's `aux`). */
  digest: string | undefined;
  /** The engine said it finished (pull `Status: ...`, push digest); a stream that ends without it was cut short. */
  finished = false;
  private upToDate = false;
  private completed = false;

  constructor(private readonly direction: TransferDirection) {}

  apply(message: JsonMessage): TransferChange {
    if (typeof message.error === 'string' || typeof message.errorDetail?.message === 'string') {
      throw engineError(typeof message.error === 'string' ? message.error : String(message.errorDetail?.message));
    }
    const status = typeof message.status === 'string' ? message.status : '';
    const aux = message.aux;
    if (aux && typeof aux.Digest === 'string') {
      this.digest = aux.Digest;
      this.finished = true;
      return 'phase';
    }
    const id = typeof message.id === 'string' ? message.id : undefined;
    if (id === undefined || NOT_A_LAYER.test(status)) return this.applyImageStatus(status);
    return this.applyLayerStatus(id, status, message.progressDetail);
  }

  private applyImageStatus(status: string): TransferChange {
    const pulled = PULLED_DIGEST.exec(status);
    if (pulled) this.digest = pulled[1];
    const pushed = this.direction === 'push' ? PUSHED_DIGEST.exec(status) : null;
    if (pushed) {
      this.digest = pushed[1];
      this.finished = true;
    }
    if (status.startsWith('Status: ')) {
      this.finished = true;
      this.upToDate = status.startsWith('Status: Image is up to date');
    }
    return 'none';
  }

  private applyLayerStatus(id: string, status: string, detail: JsonMessage['progressDetail']): TransferChange {
    let layer = this.layers.get(id);
    const phaseChanged = layer?.status !== status;
    if (!layer) {
      layer = { id, status, current: 0, total: 0, size: 0, transferred: 0, complete: false };
      this.layers.set(id, layer);
    }
    layer.status = status;
    const current = finiteNumber(detail?.current);
    const total = finiteNumber(detail?.total);
    if (TRANSFERRING.has(status)) {
      if (total !== undefined && total > 0) layer.size = Math.max(layer.size, total);
      if (current !== undefined)
        layer.transferred = Math.max(layer.transferred, Math.min(current, layer.size || current));
      layer.current = layer.transferred;
      layer.total = layer.size;
    } else if (TRANSFER_DONE.has(status)) {
      layer.transferred = layer.size;
      layer.current = layer.total = layer.size;
    } else if (status === 'Extracting') {
      layer.transferred = layer.size;
      if (total !== undefined) layer.total = total;
      if (current !== undefined) layer.current = Math.min(current, layer.total || current);
    } else if (LAYER_DONE.has(status) || status.startsWith('Mounted from ')) {
      layer.complete = true;
      layer.transferred = layer.size;
      layer.current = layer.total = layer.size;
    }
    return phaseChanged ? 'phase' : 'bytes';
  }

  /** Marks every layer complete: called once the engine confirmed the image is there. */
  complete(): void {
    this.completed = true;
    for (const layer of this.layers.values()) {
      layer.complete = true;
      layer.transferred = layer.size;
      layer.current = layer.total = Math.max(layer.size, layer.total);
    }
  }

  snapshot(): TransferSnapshot {
    const layers = [...this.layers.values()];
    const current = layers.reduce((sum, layer) => sum + layer.transferred, 0);
    const total = layers.reduce((sum, layer) => sum + layer.size, 0);
    const finishedLayers = layers.filter((layer) => layer.complete).length;
    const verb = this.direction === 'pull' ? 'Pull' : 'Push';
    const status = this.completed
      ? this.upToDate
        ? 'Image is up to date'
        : `${verb}ed`
      : `${verb}ing${layers.length > 0 ? `: ${finishedLayers} of ${layers.length} layers done` : ''}`;
    return {
      status,
      current,
      total,
      items: layers.map(({ id, status: itemStatus, current: itemCurrent, total: itemTotal }) => ({
        id,
        status: itemStatus,
        current: itemCurrent,
        total: itemTotal,
      })),
      done: this.completed,
    };
  }
}
