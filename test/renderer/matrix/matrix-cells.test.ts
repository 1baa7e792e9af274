/** The matrix view's pure logic: filters, repository summaries, cell references, sync rules, and its route. */
import { describe, expect, it } from 'vitest';
import type { MatrixColumn, MatrixRow } from '../../../src/shared/types/matrix';
import { formatRoute, parseRoute, type Route } from '../../../src/renderer/navigation/route';
import { cellReference, columnSummary, syncGroups, visibleRows } from '../../../src/renderer/views/matrix/matrix-cells';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const columns: MatrixColumn[] = [
  { name: 'dev', registryId: 'r1', host: 'r1.example', namespace: 'dev/' },
  { name: 'prod', registryId: 'r2', host: 'r2.example', namespace: 'prod/' },
];
const rows: MatrixRow[] = [
  {
    repository: 'app',
    tag: '1',
    reference: 0,
    drift: false,
    cells: [
      { digest: A, state: 'same' },
      { digest: A, state: 'same' },
    ],
  },
  {
    repository: 'app',
    tag: '2',
    reference: 0,
    drift: true,
    cells: [
      { digest: A, state: 'same' },
      { digest: B, state: 'different' },
    ],
  },
  {
    repository: 'app',
    tag: '3',
    reference: 0,
    drift: true,
    cells: [
      { digest: A, state: 'same' },
      { digest: null, state: 'missing' },
    ],
  },
];

describe('matrix cells', () => {
  it('filters rows by drift and tag', () => {
    expect(visibleRows(rows, true, () => true).map((row) => row.tag)).toEqual(['2', '3']);
    expect(visibleRows(rows, false, (tag) => tag === '1').map((row) => row.tag)).toEqual(['1']);
  });

  it("sums a repository's column up, worst state first", () => {
    expect(columnSummary(rows, 0)).toEqual({ state: 'same', counts: { same: 3 }, text: '3 same' });
    expect(columnSummary(rows, 1)).toMatchObject({ state: 'different', text: '1 different · 1 missing' });
  });

  it('pins a cell to its digest', () => {
    expect(cellReference(columns[1]!, rows[1]!, B)).toBe(`r2.example/prod/app:2@${B}`);
  });

  it('makes one sync rule per repository and pair of places: copy for missing, mirror once one is different', () => {
    const missingOnly = syncGroups(columns, { app: rows }, [{ repository: 'app', tag: '3', column: 1 }]);
    expect(missingOnly).toEqual([
      {
        rule: {
          name: 'matrix',
          source: 'r1.example/dev/app',
          target: 'r2.example/prod/app',
          referrers: true,
          mode: 'copy',
          delete: false,
        },
        onlyTags: ['3'],
      },
    ]);
    const both = syncGroups(columns, { app: rows }, [
      { repository: 'app', tag: '3', column: 1 },
      { repository: 'app', tag: '2', column: 1 },
      // Neither a reference cell nor a cell that is the same is synced.
      { repository: 'app', tag: '2', column: 0 },
      { repository: 'app', tag: '1', column: 1 },
    ]);
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ rule: { mode: 'mirror' }, onlyTags: ['2', '3'] });
  });

  it('round-trips the route of a matrix', () => {
    const route: Route = { view: 'matrix', places: ['h:5000/dev', 'h2/prod'], repositories: 'team/**' };
    expect(formatRoute(route)).toBe('/matrix?in=h%3A5000%2Fdev%2Ch2%2Fprod&repo=team%2F**');
    expect(parseRoute(formatRoute(route))).toEqual(route);
    expect(parseRoute('/matrix?lane=main')).toEqual({ view: 'matrix', lane: 'main' });
    expect(parseRoute('/matrix')).toEqual({ view: 'matrix' });
  });
});
