/**
 * Lines up two build histories step by step: steps both have (a longest common subsequence, via the
 * `diff` package) face each other; between them, a removed and an added step of the same instruction
 * pair up as changed, so `ENV APP_ENV=dev` faces `ENV APP_ENV=staging` even when the newer image
 * inserted other steps before it. Everything else shows on its own side.
 */
import { diffArrays } from 'diff';

export interface HistoryRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  a?: string;
  b?: string;
  /** 1-based step numbers on each side. */
  stepA?: number;
  stepB?: number;
}

/**
 * The Dockerfile instruction of a history step: `#(nop) ENV ...` (classic builder) -> ENV, a bare
 * `/bin/sh -c ...` -> RUN, BuildKit's `COPY ...` / `RUN ...` -> its first word.
 */
export function instructionOf(step: string): string {
  const nop = /#\(nop\)\s+(\S+)/.exec(step);
  if (nop) return nop[1]!.toUpperCase();
  if (/^\/bin\/sh -c /.test(step)) return 'RUN';
  return (step.trim().split(/\s+/)[0] ?? '').toUpperCase();
}

export function alignHistory(a: readonly string[], b: readonly string[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let stepA = 0;
  let stepB = 0;
  const left = (step: string): HistoryRow => ({ kind: 'removed', a: step, stepA: ++stepA });
  const right = (step: string): HistoryRow => ({ kind: 'added', b: step, stepB: ++stepB });

  // Pairs in order (never crossing), so both step columns stay ascending.
  const pairBlock = (removed: string[], added: string[]) => {
    let next = 0;
    for (const step of removed) {
      const match = added.findIndex(
        (candidate, index) => index >= next && instructionOf(candidate) === instructionOf(step),
      );
      if (match === -1) {
        rows.push(left(step));
        continue;
      }
      for (; next < match; next++) rows.push(right(added[next]!));
      rows.push({ kind: 'changed', a: step, b: added[match]!, stepA: ++stepA, stepB: ++stepB });
      next = match + 1;
    }
    for (; next < added.length; next++) rows.push(right(added[next]!));
  };

  let removed: string[] = [];
  for (const change of diffArrays([...a], [...b])) {
    if (change.removed) {
      removed = change.value;
      continue;
    }
    pairBlock(removed, change.added ? change.value : []);
    removed = [];
    if (!change.added)
      for (const step of change.value) rows.push({ kind: 'same', a: step, b: step, stepA: ++stepA, stepB: ++stepB });
  }
  pairBlock(removed, []);
  return rows;
}
