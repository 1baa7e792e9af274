import type { ErrorData } from '../errors';

/**
 * A long-running request (pull, push, promote, layer indexing, tag details, registry indexing) reports
 * through these events.
 */
export type OperationKind =
  | 'docker.pull'
  | 'docker.push'
  | 'promotion'
  | 'layers.index'
  | 'registry.tagDetails'
  | 'registry.index'
  | 'sync'
  | 'matrix'
  | 'storage.usage'
  | 'lifecycle.delete'
  | 'lineage';

export interface ItemProgress {
  /** Layer or blob digest (or short id the engine uses). */
  id: string;
  status: string;
  current: number;
  total: number;
}

/** The status of an operation's final event (`done: true`), the same for every kind. */
export type FinalStatus = 'Done' | 'Failed' | 'Cancelled';

/**
 * One `operation.progress` event. Every request that reports progress (the contract entries with a `progress`
 * kind) sends the same sequence, from `src/main/api/progress.ts`:
 *
 * - nothing while the work has reported no progress: a request that finishes without any (every layer
 *   cached, a plan without execution, a refusal before work started) sends no event at all, and its
 *   response alone says how it went;
 * - otherwise a first event at once (`done: false`), then intermediate ones at most every
 *   `PROGRESS_INTERVAL_MS` (the latest state wins; a timer sends it, so a pause never shows a stale state);
 * - then exactly one final event, never delayed, and nothing after it: `done: true` with the last state
 *   and status `Done` (`current` = `total`), `Failed` with `error` (the same ErrorData as the response), or
 *   `Cancelled` with `error` (code `cancelled`).
 */
export interface OperationProgress {
  operationId: string;
  kind: OperationKind;
  /** Human-readable phase: "Downloading", "Mounting blobs", "Verifying"...; a `FinalStatus` when `done`. */
  status: string;
  current: number;
  total: number;
  items?: ItemProgress[];
  done: boolean;
  error?: ErrorData;
}

/** What a service reports while it works; the API adds the operation id, the kind and `done`. */
export type ProgressState = Pick<OperationProgress, 'status' | 'current' | 'total' | 'items'>;
