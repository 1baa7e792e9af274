/**
 * Unified diff text (as `images.textDiff` returns it) into rows with old and new line numbers, ready for a
 * two-gutter view. Parsing is the `diff` package's `parsePatch`; this only numbers and classifies lines.
 */
import { parsePatch } from 'diff';

export type DiffRowKind = 'hunk' | 'context' | 'added' | 'removed' | 'note';

export interface DiffRow {
  kind: DiffRowKind;
  text: string;
  oldLine?: number;
  newLine?: number;
}

export interface DiffStats {
  added: number;
  removed: number;
}

export function diffRows(unified: string): { rows: DiffRow[]; stats: DiffStats } {
  const rows: DiffRow[] = [];
  const stats: DiffStats = { added: 0, removed: 0 };
  for (const patch of parsePatch(unified)) {
    for (const hunk of patch.hunks) {
      rows.push({ kind: 'hunk', text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@` });
      let oldLine = hunk.oldStart;
      let newLine = hunk.newStart;
      for (const line of hunk.lines) {
        const marker = line[0];
        const text = line.slice(1);
        if (marker === '+') {
          rows.push({ kind: 'added', text, newLine: newLine++ });
          stats.added++;
        } else if (marker === '-') {
          rows.push({ kind: 'removed', text, oldLine: oldLine++ });
          stats.removed++;
        } else if (marker === '\\') {
          rows.push({ kind: 'note', text: line.slice(2) });
        } else {
          rows.push({ kind: 'context', text, oldLine: oldLine++, newLine: newLine++ });
        }
      }
    }
  }
  return { rows, stats };
}
