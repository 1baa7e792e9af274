// @vitest-environment jsdom
/**
 * How the virtual table gives way in a narrow window (issue 20): it keeps its header in the rows' scroller (so
 * the two can only scroll sideways together), with the columns' minimum as the content's width. Layout itself
 * is checked in Chromium by test/e2e/layout-sizes.test.ts; jsdom has none.
 */
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trackMinWidth, VirtualTable } from '../../../src/renderer/components/VirtualTable';
import { giveElementsASize } from '../promote/scripted-api';

afterEach(cleanup);

describe('VirtualTable layout', () => {
  let restore: () => void;
  beforeAll(() => (restore = giveElementsASize(400, 300)));
  afterAll(() => restore());

  it('reads the least width of a grid track', () => {
    expect(trackMinWidth('140px')).toBe(140);
    expect(trackMinWidth('minmax(160px, 1fr)')).toBe(160);
    expect(trackMinWidth(' minmax( 80.5px ,2fr)')).toBe(80.5);
    expect(trackMinWidth('1fr')).toBe(0);
    expect(trackMinWidth('auto')).toBe(0);
  });

  it('puts the header in the rows’ scroller, as wide as the columns need, with each header’s text as its tooltip', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: `r${i}` }));
    render(
      <VirtualTable
        label="Things"
        rows={rows}
        rowKey={(r) => r.id}
        columns={[
          { id: 'name', header: 'Name', width: 'minmax(180px, 1fr)', cell: (r) => r.id },
          { id: 'size', header: 'Size', width: '120px', cell: () => '1 KB' },
          { id: 'note', header: 'Note', width: '2fr', cell: () => '' },
        ]}
      />,
    );
    const grid = screen.getByRole('grid', { name: 'Things' });
    const header = within(grid).getAllByRole('row')[0]!;
    const firstRow = grid.querySelector('[data-row-key="r0"]')!;
    // The element the rows scroll in (jsdom gave it a size), the grid itself, holds the header too.
    const scroller = grid;
    expect(scroller.classList.contains('vtable-scroll')).toBe(true);
    expect(scroller.contains(header)).toBe(true);
    expect(scroller.contains(firstRow)).toBe(true);
    expect((header.parentElement as HTMLElement).style.minWidth).toBe('300px');
    expect(screen.getByRole('columnheader', { name: 'Size' }).getAttribute('title')).toBe('Size');
  });
});
