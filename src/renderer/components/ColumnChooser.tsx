/**
 * Optional columns of a table that give way in a narrow window (issue 20): each hides by itself while its table
 * is narrower than `minTableWidth`, and a chooser (a "Columns" button opening one checkbox per optional column)
 * lets the user show or hide it whatever the width. Attach `ref` to the element whose width decides.
 * Test hooks: the button's name starts with "Columns" ("Columns (1 hidden)" while any is hidden); its panel is
 * the group "Columns" with one checkbox per optional column.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { Icon } from './Icon';

export interface OptionalColumn {
  id: string;
  label: string;
  /** Below this width (px) of the observed element the column hides, unless the user chose to show it. */
  minTableWidth: number;
}

export interface ColumnChoice {
  columns: readonly OptionalColumn[];
  isShown: (id: string) => boolean;
  choose: (id: string, shown: boolean) => void;
}

export function useOptionalColumns(columns: readonly OptionalColumn[]): ColumnChoice & {
  ref: (element: HTMLElement | null) => void;
} {
  // Unknown until measured (and in environments without ResizeObserver): every column shows.
  const [width, setWidth] = useState<number>();
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((element: HTMLElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!element || typeof ResizeObserver === 'undefined') return;
    observer.current = new ResizeObserver((entries) => setWidth(entries[0]?.contentRect.width));
    observer.current.observe(element);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  const isShown = (id: string) => {
    const column = columns.find((c) => c.id === id);
    if (!column) return true;
    return chosen[id] ?? (width === undefined || width >= column.minTableWidth);
  };
  const choose = useCallback((id: string, shown: boolean) => setChosen((c) => ({ ...c, [id]: shown })), []);
  return { ref, columns, isShown, choose };
}

export function ColumnChooser({ columns, isShown, choose }: ColumnChoice) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const hidden = columns.filter((c) => !isShown(c.id)).length;

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  return (
    <div
      className="column-chooser"
      ref={root}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || !open) return;
        event.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }}
    >
      <button
        ref={button}
        type="button"
        className="button button-small"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        Columns{hidden ? ` (${hidden} hidden)` : ''}
        <Icon name="chevronDown" size={12} />
      </button>
      {open ? (
        <div id={panelId} className="column-chooser-panel" role="group" aria-label="Columns">
          {columns.map((column) => (
            <label key={column.id} className="column-chooser-item">
              <input
                type="checkbox"
                checked={isShown(column.id)}
                onChange={(event) => choose(column.id, event.target.checked)}
              />
              {column.label}
            </label>
          ))}
        </div>
      ) : null}
    </div>
  );
}
