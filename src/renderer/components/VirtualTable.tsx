/**
 * A virtualized, keyboard-driven table (ARIA grid): only the rows in view (plus overscan) are in the DOM,
 * so 10,000 rows scroll as smoothly as 10. Rows have a fixed height (dense, like an IDE).
 *
 * Keyboard (focus on the grid): Up/Down, PageUp/PageDown, Home/End move the active row; Enter activates
 * it; other keys go to `onRowKeyDown` (e.g. Right/Left to expand/collapse). The active row is announced
 * through aria-activedescendant, so focus never has to chase rows that virtualization recycles.
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
}: VirtualTableProps<R>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const idPrefix = useId();
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    getItemKey: (index) => rowKey(rows[index]!),
  });
  const items = virtualizer.getVirtualItems();
  const template = columns.map((c) => c.width).join(' ');
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
    <div
      className="vtable"
      role="grid"
      aria-label={label}
      aria-rowcount={rows.length + 1}
      aria-colcount={columns.length}
      tabIndex={0}
      style={style}
      aria-activedescendant={activeIndex >= 0 ? rowId(activeKey!) : undefined}
      onKeyDown={onKeyDown}
      onFocus={() => {
        if (activeIndex < 0 && rows.length > 0) setActiveKey(rowKey(rows[Math.min(rangeStart, rows.length - 1)]!));
      }}
    >
      <div className="vtable-head" role="row" aria-rowindex={1}>
        {columns.map((column) => (
          <div
            key={column.id}
            role="columnheader"
            className={`vtable-cell vtable-headcell${column.align === 'end' ? ' align-end' : ''}`}
            aria-sort={
              column.sort?.direction ? (column.sort.direction === 'asc' ? 'ascending' : 'descending') : undefined
            }
          >
            {column.sort ? (
              <button type="button" className="vtable-sort" onClick={column.sort.onSort} tabIndex={-1}>
                {column.header}
                {column.sort.direction ? (
                  <Icon name="chevronDown" size={12} className={column.sort.direction === 'asc' ? 'flip' : undefined} />
                ) : null}
              </button>
            ) : (
              column.header
            )}
          </div>
        ))}
      </div>
      <div className="vtable-body" ref={scrollRef}>
        {rows.length === 0 && empty ? (
          <div className="vtable-empty">{empty}</div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
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
                  style={{ transform: `translateY(${item.start}px)` }}
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
  );
}
