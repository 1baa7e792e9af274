/** The drift matrix's pure parts: rows and cell states from what each column holds, and places as typed. */
import { describe, expect, it } from 'vitest';
import { matrixRows, type ColumnHolding } from '../../../src/main/sync/matrix-rows';
import { parsePlace } from '../../../src/shared/matrix-places';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const read = (tags: Record<string, string>): ColumnHolding => ({ state: 'read', tags: new Map(Object.entries(tags)) });
const all = () => true;

describe('matrixRows', () => {
  it('compares each cell with the preferred column, tags in numeric order', () => {
    const rows = matrixRows('app', [read({ '10': A, '9': A, x: A }), read({ '10': B, '9': A })], 0, all);
    expect(rows.map((row) => row.tag)).toEqual(['9', '10', 'x']);
    expect(rows[0]).toEqual({
      repository: 'app',
      tag: '9',
      reference: 0,
      drift: false,
      cells: [
        { digest: A, state: 'same' },
        { digest: A, state: 'same' },
      ],
    });
    expect(rows[1]!.cells.map((cell) => cell.state)).toEqual(['same', 'different']);
    expect(rows[2]).toMatchObject({ drift: true, cells: [{ state: 'same' }, { digest: null, state: 'missing' }] });
  });

  it('falls back to the first column holding the tag when the preferred one lacks it', () => {
    const [row] = matrixRows('app', [read({}), read({ t: A }), read({ t: B })], 0, all);
    expect(row).toMatchObject({
      reference: 1,
      cells: [{ state: 'missing' }, { state: 'same' }, { state: 'different' }],
    });
  });

  it('gives a column that could not be read its own state on every tag, and drift counts different and missing only', () => {
    const holdings: ColumnHolding[] = [read({ t: A, u: '' }), { state: 'not_visible' }, { state: 'unknown' }];
    const rows = matrixRows('app', holdings, 0, all);
    expect(rows.map((row) => [row.tag, row.reference, row.drift, row.cells.map((cell) => cell.state)])).toEqual([
      ['t', 0, false, ['same', 'not_visible', 'unknown']],
      // A tag listed whose digest could not be read is unknown, not missing.
      ['u', null, false, ['unknown', 'not_visible', 'unknown']],
    ]);
  });

  it('keeps only the tags the filter keeps', () => {
    expect(
      matrixRows('app', [read({ 'prod-1': A, dev: A }), read({})], 0, (tag) => tag.startsWith('prod-')),
    ).toHaveLength(1);
  });
});

describe('parsePlace', () => {
  it('splits HOST[/NAMESPACE] at the first slash', () => {
    expect(parsePlace('127.0.0.1:5000/team/prod')).toEqual({ registryId: '127.0.0.1:5000', namespace: 'team/prod' });
    expect(parsePlace(' ghcr.io ')).toEqual({ registryId: 'ghcr.io', namespace: '' });
  });

  it('refuses an empty host, spaces and commas', () => {
    for (const text of ['', '/prod', 'a b/c', 'a/b,c'])
      expect(() => parsePlace(text), text).toThrow(/A place is HOST or HOST\/NAMESPACE/);
  });
});
