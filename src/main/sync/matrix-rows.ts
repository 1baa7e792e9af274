/**
 * The drift matrix's pure part: from what each column holds of one repository, the rows (one per tag) with
 * each cell's state against the row's reference cell.
 */
import type { MatrixCell, MatrixCellState, MatrixRow } from '../../shared/types/matrix';

/** What one column holds of a repository: its tags (tag -> digest, '' when unread), or why it holds none. */
export type ColumnHolding =
  { state: 'read'; tags: ReadonlyMap<string, string> } | { state: Exclude<MatrixCellState, 'same' | 'different'> };

const byTag = new Intl.Collator('en', { numeric: true }).compare;

/**
 * One row per tag any column holds (that `keepTag` keeps), tags in numeric order. The reference is the
 * `preferred` column when it holds the tag, else the first column that does.
 */
export function matrixRows(
  repository: string,
  holdings: readonly ColumnHolding[],
  preferred: number,
  keepTag: (tag: string) => boolean,
): MatrixRow[] {
  const tags = new Set<string>();
  for (const holding of holdings) if (holding.state === 'read') for (const tag of holding.tags.keys()) tags.add(tag);
  return [...tags]
    .filter(keepTag)
    .sort(byTag)
    .map((tag) => {
      const digests = holdings.map((holding) => (holding.state === 'read' ? holding.tags.get(tag) : undefined) || null);
      const reference = digests[preferred] ? preferred : digests.findIndex((digest) => digest !== null);
      const cells = holdings.map((holding, column): MatrixCell => {
        const digest = digests[column] ?? null;
        if (digest) return { digest, state: digest === digests[reference] ? 'same' : 'different' };
        if (holding.state !== 'read') return { digest: null, state: holding.state };
        // A tag listed whose digest could not be read (it vanished between the listing and the HEAD).
        return { digest: null, state: holding.tags.has(tag) ? 'unknown' : 'missing' };
      });
      return {
        repository,
        tag,
        reference: reference < 0 ? null : reference,
        drift: cells.some((cell) => cell.state === 'different' || cell.state === 'missing'),
        cells,
      };
    });
}
