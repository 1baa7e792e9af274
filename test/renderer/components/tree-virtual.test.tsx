// @vitest-environment jsdom
/** The sidebar's tree at scale: a registry of 10,000 repositories, unfolded, renders only the items in view. */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useRef } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Tree, TREE_VIRTUALIZE_ABOVE, type TreeItem } from '../../../src/renderer/components/Tree';
import { giveElementsASize } from '../promote/scripted-api';

afterEach(cleanup);

const itemsOf = (count: number): TreeItem[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `repo-${i}`,
    text: `repo-${String(i).padStart(5, '0')}`,
    depth: 1,
    expandable: false,
    expanded: false,
    selected: i === 5,
  }));

function ScrolledTree({ items }: { items: TreeItem[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  return (
    <div ref={scroller} style={{ overflow: 'auto', height: 280 }}>
      <Tree
        label="Registries"
        items={items}
        onToggle={() => undefined}
        onSelect={() => undefined}
        scrollElement={() => scroller.current}
      />
    </div>
  );
}

describe('Tree with many items', () => {
  let restore: () => void;
  beforeAll(() => (restore = giveElementsASize(280, 800)));
  afterAll(() => restore());

  it('renders only a window of 10,000 items, keeps the tab stop, and reaches the last item by keyboard', () => {
    render(<ScrolledTree items={itemsOf(10_000)} />);
    const rendered = screen.getAllByRole('treeitem');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(100);
    // The selected item is the tab stop.
    const selected = screen.getByRole('treeitem', { name: 'repo-00005' });
    expect(selected.tabIndex).toBe(0);

    act(() => selected.focus());
    fireEvent.keyDown(selected, { key: 'End' });
    const last = screen.getByRole('treeitem', { name: 'repo-09999' });
    expect(document.activeElement).toBe(last);
    expect(last.tabIndex).toBe(0);
    expect(screen.getAllByRole('treeitem').length).toBeLessThan(100);
  });

  it('renders every item of a short tree', () => {
    render(<ScrolledTree items={itemsOf(TREE_VIRTUALIZE_ABOVE)} />);
    expect(screen.getAllByRole('treeitem')).toHaveLength(TREE_VIRTUALIZE_ABOVE);
  });
});
