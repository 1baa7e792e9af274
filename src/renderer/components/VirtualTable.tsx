/**
 * A virtualized, keyboard-driven table (ARIA grid): only the rows in view (plus overscan) are in the DOM,
 * so 10,000 rows scroll as smoothly as 10. Rows have a fixed height (dense, like an IDE).
 *
 * Keyboard (focus on the grid): Up/Down, PageUp/PageDown, Home/End move the active row; Enter activates
 * it; other keys go to `onRowKeyDown` (e.g. Right/Left to expand/collapse). The active row is announced
 * through aria-activedescendant, so focus never has to chase rows that virtualization recycles.
 *
 * Header and rows live in one scroll container (the header sticks to its top), so when the columns are wider
 * than the table the two scroll sideways together. Their minimum is the sum of the columns' minimum widths.
 * A header that does not fit is cut with an ellipsis, its text in a tooltip.
 *
 * Test hooks: the grid has role "grid" and the given aria-label; each row is role "row" with
 * `data-row-key`; sortable headers are buttons inside role "columnheader" with aria-sort.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useEffect,
  useId,
  useRef,
  useState,
  type CSSProperties,
  type HTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { Icon } from './Icon';

export interface ColumnSort {
  direction: 'asc' | 'desc' | null;
  onSort: () => void;
}

export interface Column<R> {
  id: string;
  header: ReactNode;
  /** A CSS grid track: '140px', '2fr', 'minmax(160px, 1fr)'. */
  width: string;
  align?: 'start' | 'end';
  sort?: ColumnSort;
  cell: (row: R) => ReactNode;
}

/** The least a grid track takes, in px: '140px' -> 140, 'minmax(160px, 1fr)' -> 160, '1fr' -> 0. */
export function trackMinWidth(track: string): number {
  const match = /^(?:minmax\(\s*)?(\d+(?:\.\d+)?)px/.exec(track.trim());
  return match ? Number(match[1]) : 0;
}

/** The header row's height: `.vtable-head` in styles.css. */
const HEADER_HEIGHT = 28;

export interface VirtualTableProps<R> {
  label: string;
  rows: readonly R[];
  columns: Column<R>[];
  rowKey: (row: R) => string;
  rowHeight?: number;
  onActivate?: (row: R) => void;
  onRowKeyDown?: (row: R, event: KeyboardEvent) => void;
  /** Extra attributes for a row: class, data-*, draggable, drag handlers. */
  rowProps?: (row: R) => HTMLAttributes<HTMLDivElement> & Record<`data-${string}`, string | undefined>;
  /** Called with the indexes of rows on screen (no overscan) whenever they change. */
  onVisibleRangeChange?: (start: number, end: number) => void;
  /** Shown in place of the body when there are no rows. */
  empty?: ReactNode;
  /** Given the scroll area, whose content width is the columns' room (for columns that give way). */
  widthRef?: (element: HTMLElement | null) => void;
}

export function VirtualTable<R>({
  label,
  rows,
  columns,
  rowKey,
  rowHeight = 28,
  onActivate,
  onRowKeyDown,
  rowProps,
  onVisibleRangeChange,
  empty,
  widthRef,
}: VirtualTableProps<R>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    widthRef?.(scrollRef.current);
    return () => widthRef?.(null);
  }, [widthRef]);
  const idPrefix = useId();
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    getItemKey: (index) => rowKey(rows[index]!),
    // The sticky header sits above the rows inside the scroller: rows start below it, and a row scrolled to
    // stops below it rather than under it.
    scrollMargin: HEADER_HEIGHT,
    scrollPaddingStart: HEADER_HEIGHT,
  });
  const items = virtualizer.getVirtualItems();
  const template = columns.map((c) => c.width).join(' ');
  const minWidth = columns.reduce((sum, c) => sum + trackMinWidth(c.width), 0);
  const activeIndex = activeKey === null ? -1 : rows.findIndex((row) => rowKey(row) === activeKey);

  const range = virtualizer.range;
  const rangeStart = range?.startIndex ?? 0;
  const rangeEnd = range?.endIndex ?? -1;
  useEffect(() => {
    if (onVisibleRangeChange && rows.length > 0) onVisibleRangeChange(rangeStart, Math.min(rangeEnd, rows.length - 1));
  }, [onVisibleRangeChange, rangeStart, rangeEnd, rows.length]);

  const moveTo = (index: number) => {
    if (rows.length === 0) return;
    const clamped = Math.max(0, Math.min(rows.length - 1, index));
    setActiveKey(rowKey(rows[clamped]!));
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 1);
    const current = activeIndex;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(current + 1);
        break;
      case 'ArrowUp':
        moveTo(current <= 0 ? 0 : current - 1);
        break;
      case 'PageDown':
        moveTo(current + page);
        break;
      case 'PageUp':
        moveTo(current - page);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'Enter':
        if (current >= 0) onActivate?.(rows[current]!);
        else return;
        break;
      default:
        if (current >= 0 && onRowKeyDown) onRowKeyDown(rows[current]!, event);
        return;
    }
    event.preventDefault();
  };

  const rowId = (key: string) => `${idPrefix}-row-${encodeURIComponent(key)}`;
  const style = { '--columns': template, '--row-height': `${rowHeight}px` } as CSSProperties;

  return (
    <div className="vtable" style={style}>
      {/* The grid is the scroller itself: the one focusable element scrolls with the keys, which is what
          keyboard users need of a scrollable region (axe: scrollable-region-focusable). */}
      <div
        className="vtable-scroll"
        ref={scrollRef}
        role="grid"
        aria-label={label}
        aria-rowcount={rows.length + 1}
        aria-colcount={columns.length}
        tabIndex={0}
        aria-activedescendant={activeIndex >= 0 ? rowId(activeKey!) : undefined}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (activeIndex < 0 && rows.length > 0) setActiveKey(rowKey(rows[Math.min(rangeStart, rows.length - 1)]!));
        }}
      >
        <div className="vtable-content" style={{ minWidth }}>
          <div className="vtable-head" role="row" aria-rowindex={1}>
            {columns.map((column) => (
              <div
                key={column.id}
                role="columnheader"
                className={`vtable-cell vtable-headcell${column.align === 'end' ? ' align-end' : ''}`}
                title={typeof column.header === 'string' ? column.header : undefined}
                aria-sort={
                  column.sort?.direction ? (column.sort.direction === 'asc' ? 'ascending' : 'descending') : undefined
                }
              >
                {column.sort ? (
                  <button type="button" className="vtable-sort" onClick={column.sort.onSort} tabIndex={-1}>
                    <span className="vtable-header-text">{column.header}</span>
                    {column.sort.direction ? (
                      <Icon
                        name="chevronDown"
                        size={12}
                        className={column.sort.direction === 'asc' ? 'flip' : undefined}
                      />
                    ) : null}
                  </button>
                ) : (
                  <span className="vtable-header-text">{column.header}</span>
                )}
              </div>
            ))}
          </div>
          {rows.length === 0 && empty ? (
            <div className="vtable-empty">{empty}</div>
          ) : (
            <div className="vtable-rows" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const row = rows[item.index]!;
                const key = rowKey(row);
                const extra = rowProps?.(row) ?? {};
                const active = key === activeKey;
                return (
                  <div
                    key={key}
                    {...extra}
                    id={rowId(key)}
                    role="row"
                    aria-rowindex={item.index + 2}
                    aria-selected={active}
                    data-row-key={key}
                    className={`vtable-row${active ? ' active' : ''}${item.index % 2 ? ' odd' : ''}${extra.className ? ` ${extra.className}` : ''}`}
                    style={{ transform: `translateY(${item.start - HEADER_HEIGHT}px)` }}
                    onClick={() => {
                      setActiveKey(key);
                      onActivate?.(row);
                    }}
                  >
                    {columns.map((column) => (
                      <div
                        key={column.id}
                        role="gridcell"
                        className={`vtable-cell${column.align === 'end' ? ' align-end' : ''}`}
                      >
                        {column.cell(row)}
                      </div>
                    ))}
                  </div>
                );
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
