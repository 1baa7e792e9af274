/**
 * Pure logic of the matrix view: which rows the filters keep, a repository's summary per column, the image
 * reference of a cell, and the sync rules that copy selected cells from their rows' reference cells.
 */
import type { MatrixCellState, MatrixColumn, MatrixRow } from '../../../shared/types/matrix';
import type { SyncRule } from '../../../shared/types/sync';
import type { CellKey } from '../../stores/matrix';

export const STATE_LABELS: Record<MatrixCellState, string> = {
  same: 'same',
  different: 'different',
  missing: 'missing',
  not_visible: 'not visible',
  unknown: 'unknown',
};

/** Worst first: what a repository's summary cell shows when its tags disagree. */
const SEVERITY: readonly MatrixCellState[] = ['different', 'missing', 'not_visible', 'unknown', 'same'];

export function visibleRows(rows: readonly MatrixRow[], driftOnly: boolean, tagMatches: (tag: string) => boolean) {
  return rows.filter((row) => (!driftOnly || row.drift) && tagMatches(row.tag));
}

export interface ColumnSummary {
  /** The worst state among the repository's tags in this column. */
  state: MatrixCellState;
  counts: Partial<Record<MatrixCellState, number>>;
  text: string;
}

/** A repository's cell in one column: `3 same`, or `1 different · 2 missing` (the same ones not repeated). */
export function columnSummary(rows: readonly MatrixRow[], column: number): ColumnSummary {
  const counts: Partial<Record<MatrixCellState, number>> = {};
  for (const row of rows) {
    const state = row.cells[column]!.state;
    counts[state] = (counts[state] ?? 0) + 1;
  }
  const present = SEVERITY.filter((state) => counts[state]);
  const state = present[0] ?? 'same';
  const shown = present.length > 1 ? present.filter((s) => s !== 'same') : present;
  return { state, counts, text: shown.map((s) => `${counts[s]} ${STATE_LABELS[s]}`).join(' · ') };
}

/** `host/namespace/repository:tag@digest`: the image a cell shows, pinned to the digest the matrix read. */
export function cellReference(column: MatrixColumn, row: MatrixRow, digest: string): string {
  return `${column.host}/${column.namespace}${row.repository}:${row.tag}@${digest}`;
}

/** A selected cell can be synced when its row has a reference and the cell is missing or different there. */
export function syncable(row: MatrixRow, column: number): boolean {
  const state = row.cells[column]?.state;
  return row.reference !== null && row.reference !== column && (state === 'missing' || state === 'different');
}

export interface SyncGroup {
  rule: SyncRule;
  onlyTags: string[];
}

/**
 * One sync rule per (reference place, target place, repository), limited to the selected tags: `copy` for
 * missing tags only; `mirror` (without deletes) as soon as one selected tag is `different`, since replacing
 * it is what selecting it asks for.
 */
export function syncGroups(
  columns: readonly MatrixColumn[],
  rowsByRepository: Readonly<Record<string, readonly MatrixRow[]>>,
  selection: readonly CellKey[],
): SyncGroup[] {
  const groups = new Map<
    string,
    { source: number; target: number; repository: string; tags: string[]; overwrite: boolean }
  >();
  for (const key of selection) {
    const row = rowsByRepository[key.repository]?.find((candidate) => candidate.tag === key.tag);
    if (!row || !syncable(row, key.column)) continue;
    const source = row.reference!;
    const id = `${source}\u0000${key.column}\u0000${key.repository}`;
    const group = groups.get(id) ?? {
      source,
      target: key.column,
      repository: key.repository,
      tags: [],
      overwrite: false,
    };
    group.tags.push(key.tag);
    group.overwrite ||= row.cells[key.column]!.state === 'different';
    groups.set(id, group);
  }
  return [...groups.values()].map((group) => {
    const from = columns[group.source]!;
    const to = columns[group.target]!;
    return {
      rule: {
        name: 'matrix',
        source: `${from.host}/${from.namespace}${group.repository}`,
        target: `${to.host}/${to.namespace}${group.repository}`,
        referrers: true,
        mode: group.overwrite ? 'mirror' : 'copy',
        delete: false,
      },
      onlyTags: group.tags.sort(),
    };
  });
}
