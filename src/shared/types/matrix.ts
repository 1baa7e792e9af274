/** The drift matrix: where the same repositories and tags stand across registries, namespaces or lane stages. */

/**
 * `same`: the digest of the row's reference cell; `different`: another digest; `missing`: the tag (or the
 * whole repository) is not there; `not_visible`: the registry refused to show it with these credentials
 * (401/403), so it may or may not be there; `unknown`: it could not be read (the registry unreachable, a
 * tag whose digest could not be read), see the column's `error`.
 */
export type MatrixCellState = 'same' | 'different' | 'missing' | 'not_visible' | 'unknown';

export const MATRIX_CELL_STATES: readonly MatrixCellState[] = [
  'same',
  'different',
  'missing',
  'not_visible',
  'unknown',
];

export interface MatrixColumn {
  /** `host/namespace` (`host` for the root), or the lane stage's name. */
  name: string;
  registryId: string;
  host: string;
  /** Normalised: `dev/`, or '' for the registry's root. */
  namespace: string;
  /** Why this column could not be read (a registry that is down); its cells are then `unknown`. */
  error?: string;
}

export interface MatrixCell {
  /** The tag's digest there, or null when it has none (missing, not visible, unknown). */
  digest: string | null;
  state: MatrixCellState;
}

export interface MatrixRow {
  /** The repository below each column's namespace (`app` for `dev/app` and `prod/app`). */
  repository: string;
  tag: string;
  /**
   * The column the others are compared with: the chosen reference column when it holds the tag, else the
   * first column that does; null when none does.
   */
  reference: number | null;
  /** Some cell is `different` or `missing` (what "only drift" keeps). */
  drift: boolean;
  /** One per column, in the columns' order. */
  cells: MatrixCell[];
}

export interface DriftMatrix {
  columns: MatrixColumn[];
  /** By repository, then tag (numbers in tags in numeric order). */
  rows: MatrixRow[];
  /** Repositories matching the pattern in any column (rows come from those that have matching tags). */
  repositories: number;
}

/** The rows of one repository as soon as every column of it is read (`matrix.rows`), so a big matrix fills progressively. */
export interface MatrixRowsEvent {
  operationId: string;
  repository: string;
  columns: MatrixColumn[];
  rows: MatrixRow[];
}
