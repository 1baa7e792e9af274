import type { ErrorData } from '../errors';

/** A long-running request (pull, push, promote, layer indexing, tag details) reports through these events. */
export type OperationKind = 'docker.pull' | 'docker.push' | 'promotion' | 'layers.index' | 'registry.tagDetails';

export interface ItemProgress {
  /** Layer or blob digest (or short id the engine uses). */
  id: string;
  status: string;
  current: number;
  total: number;
}

export interface OperationProgress {
  operationId: string;
  kind: OperationKind;
  /** Human-readable phase: "Downloading", "Mounting blobs", "Verifying"... */
  status: string;
  current: number;
  total: number;
  items?: ItemProgress[];
  done: boolean;
  error?: ErrorData;
}
