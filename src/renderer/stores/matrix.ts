/**
 * The drift matrix view's data: one `matrix.build` at a time, filled in as its `matrix.rows` events arrive
 * (a big namespace shows its first repositories at once), with its progress; the final answer replaces
 * what streamed. The cell selection (for "sync selected") lives here too, so it survives re-renders.
 */
import type { ErrorData } from '../../shared/errors';
import { parsePlace } from '../../shared/matrix-places';
import type { MatrixColumn, MatrixRow } from '../../shared/types/matrix';
import { apiStore } from './api-store';
import { toErrorData } from './loadable';
import { newOperationId, runOperation, useOperations } from './operations';

export interface MatrixQuery {
  /** `host/namespace` places (or a lane). */
  places: string[];
  lane?: string;
  repositories: string;
  /** The column compared against. */
  reference: number;
}

/** A selected cell: the row's repository and tag, and the column. */
export interface CellKey {
  repository: string;
  tag: string;
  column: number;
}

export const cellId = (key: CellKey) => `${key.column}\u0000${key.repository}\u0000${key.tag}`;

export interface MatrixState {
  query?: MatrixQuery;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: ErrorData | null;
  columns: MatrixColumn[];
  /** Rows by repository, in arrival order while loading, sorted when done. */
  rows: Record<string, MatrixRow[]>;
  repositories: string[];
  progress: { current: number; total: number; status: string };
  operationId?: string;
  selection: Record<string, CellKey>;
  build(query: MatrixQuery): Promise<void>;
  cancel(): void;
  toggleCell(key: CellKey): void;
  clearSelection(): void;
}

export const useMatrix = apiStore<MatrixState>((api) => (set, get) => {
  api.on('matrix.rows', (event) => {
    if (event.operationId !== get().operationId || get().status !== 'loading') return;
    const { rows, repositories } = get();
    set({
      columns: event.columns,
      rows: { ...rows, [event.repository]: event.rows },
      repositories: rows[event.repository] ? repositories : [...repositories, event.repository],
    });
  });
  api.on('operation.progress', (event) => {
    if (event.operationId !== get().operationId || event.done) return;
    set({ progress: { current: event.current, total: event.total, status: event.status } });
  });
  return {
    status: 'idle',
    error: null,
    columns: [],
    rows: {},
    repositories: [],
    progress: { current: 0, total: 0, status: '' },
    selection: {},
    async build(query) {
      const operationId = newOperationId();
      set({
        query,
        operationId,
        status: 'loading',
        error: null,
        columns: [],
        rows: {},
        repositories: [],
        selection: {},
        progress: { current: 0, total: 0, status: 'Listing repositories' },
      });
      try {
        const matrix = await runOperation(
          api,
          { id: operationId, kind: 'matrix', label: `Drift matrix of ${query.repositories}` },
          (id) =>
            api.call('matrix.build', {
              ...(query.lane ? { lane: query.lane } : { columns: query.places.map(parsePlace) }),
              repositories: query.repositories,
              reference: query.reference,
              operationId: id,
            }),
        );
        if (get().operationId !== operationId) return;
        const rows: Record<string, MatrixRow[]> = {};
        for (const row of matrix.rows) (rows[row.repository] ??= []).push(row);
        set({ status: 'ready', columns: matrix.columns, rows, repositories: Object.keys(rows) });
      } catch (error) {
        if (get().operationId === operationId) set({ status: 'error', error: toErrorData(error) });
      }
    },
    cancel() {
      const id = get().operationId;
      if (id && get().status === 'loading') void useOperations.of(api).getState().cancel(id);
    },
    toggleCell(key) {
      const selection = { ...get().selection };
      const id = cellId(key);
      if (selection[id]) delete selection[id];
      else selection[id] = key;
      set({ selection });
    },
    clearSelection() {
      set({ selection: {} });
    },
  };
});
