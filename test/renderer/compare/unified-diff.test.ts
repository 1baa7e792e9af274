import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { diffRows } from '../../../src/renderer/views/compare/unified-diff';

describe('diffRows', () => {
  it('numbers old and new lines and counts changes', () => {
    const unified = createTwoFilesPatch(
      'a/etc/app/config.yaml',
      'b/etc/app/config.yaml',
      'name: app\nlevel: info\nport: 80\n',
      'name: app\nlevel: debug\nport: 80\nextra: 1\n',
    );
    const { rows, stats } = diffRows(unified);
    expect(stats).toEqual({ added: 2, removed: 1 });
    expect(rows[0]).toMatchObject({ kind: 'hunk' });
    expect(rows.slice(1)).toEqual([
      { kind: 'context', text: 'name: app', oldLine: 1, newLine: 1 },
      { kind: 'removed', text: 'level: info', oldLine: 2 },
      { kind: 'added', text: 'level: debug', newLine: 2 },
      { kind: 'context', text: 'port: 80', oldLine: 3, newLine: 3 },
      { kind: 'added', text: 'extra: 1', newLine: 4 },
    ]);
  });

  it('keeps the no-newline note and reads an empty diff as no rows', () => {
    const unified = createTwoFilesPatch('a/v', 'b/v', '1.0.0', '1.1.0');
    expect(diffRows(unified).rows.filter((r) => r.kind === 'note')).toHaveLength(2);
    expect(diffRows('')).toEqual({ rows: [], stats: { added: 0, removed: 0 } });
  });
});
