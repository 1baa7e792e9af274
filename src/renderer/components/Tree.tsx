/**
 * A keyboard-navigable tree (ARIA tree, flat rendering with aria-level), for the sidebar's registries and
 * namespaces. The caller flattens its visible nodes in order; the tree handles focus and keys:
 * Up/Down move, Right expands or enters, Left collapses or goes to the parent, Enter/Space selects,
 * Home/End jump, typing a letter jumps to the next item starting with it.
 *
 * A long tree (a registry of 5,000 repositories, unfolded) renders only the items in its scroller's view,
 * plus the focused one, so its DOM and every re-render stay small; short trees render every item.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type HTMLAttributes,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { Icon } from './Icon';

/** Above this many items the tree renders only those in view (when it is given its scroller). */
export const TREE_VIRTUALIZE_ABOVE = 200;
/** `.tree-item` height in styles.css. */
const ITEM_HEIGHT = 26;

export interface TreeItem {
  id: string;
  /** Plain text for type-ahead and the accessible name. */
  text: string;
  /** Rendered content (icon, label, badges); `text` when absent. */
  content?: ReactNode;
  /** 0 for top-level items. */
  depth: number;
  expandable: boolean;
  expanded: boolean;
  selected: boolean;
  testId?: string;
}

export interface TreeProps {
  label: string;
  items: TreeItem[];
  onToggle: (id: string, expanded: boolean) => void;
  onSelect: (id: string) => void;
  /** Extra attributes for an item's element, e.g. drop-target handlers. */
  itemProps?: (item: TreeItem) => HTMLAttributes<HTMLDivElement> | undefined;
  /** The element that scrolls the tree (the tree at its top): long trees then render only what is in view. */
  scrollElement?: () => HTMLElement | null;
}

export function Tree({ label, items, onToggle, onSelect, itemProps, scrollElement }: TreeProps) {
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const refs = useRef(new Map<string, HTMLDivElement>());
  /** An item to focus once virtualization has rendered it. */
  const focusOnMount = useRef<string | null>(null);
  const tabStopIndex = Math.max(
    0,
    (() => {
      const focused = items.findIndex((i) => i.id === focusedId);
      return focused >= 0 ? focused : items.findIndex((i) => i.selected);
    })(),
  );
  const tabStop = items[tabStopIndex];

  const virtual = scrollElement !== undefined && items.length > TREE_VIRTUALIZE_ABOVE;
  const virtualizer = useVirtualizer({
    count: items.length,
    enabled: virtual,
    getScrollElement: () => scrollElement?.() ?? null,
    estimateSize: () => ITEM_HEIGHT,
    overscan: 20,
    getItemKey: (index) => items[index]!.id,
    // The tab stop stays in the DOM wherever the view is, so Tab always finds the tree.
    rangeExtractor: useCallback(
      (range: { startIndex: number; endIndex: number; overscan: number; count: number }) => {
        const start = Math.max(0, range.startIndex - range.overscan);
        const end = Math.min(range.count - 1, range.endIndex + range.overscan);
        const indexes = Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => start + i);
        if (tabStopIndex < range.count && (tabStopIndex < start || tabStopIndex > end)) indexes.push(tabStopIndex);
        return indexes.sort((a, b) => a - b);
      },
      [tabStopIndex],
    ),
  });

  // The scroller is an ancestor, whose ref React attaches after this tree's layout effects: render once
  // more after mounting, so the virtualizer finds it and measures the view.
  const [, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  const focus = (index: number) => {
    const clamped = Math.max(0, Math.min(items.length - 1, index));
    const item = items[clamped];
    if (!item) return;
    setFocusedId(item.id);
    const element = refs.current.get(item.id);
    if (virtual) virtualizer.scrollToIndex(clamped, { align: 'auto' });
    if (element) element.focus();
    else focusOnMount.current = item.id;
  };

  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const item = items[index]!;
    switch (event.key) {
      case 'ArrowDown':
        focus(index + 1);
        break;
      case 'ArrowUp':
        focus(index - 1);
        break;
      case 'Home':
        focus(0);
        break;
      case 'End':
        focus(items.length - 1);
        break;
      case 'ArrowRight':
        if (item.expandable && !item.expanded) onToggle(item.id, true);
        else if (item.expandable && items[index + 1]?.depth === item.depth + 1) focus(index + 1);
        break;
      case 'ArrowLeft':
        if (item.expandable && item.expanded) onToggle(item.id, false);
        else {
          for (let i = index - 1; i >= 0; i--) {
            if (items[i]!.depth < item.depth) {
              focus(i);
              break;
            }
          }
        }
        break;
      case 'Enter':
      case ' ':
        onSelect(item.id);
        break;
      default: {
        if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
        const letter = event.key.toLowerCase();
        for (let step = 1; step <= items.length; step++) {
          const i = (index + step) % items.length;
          if (items[i]!.text.toLowerCase().startsWith(letter)) {
            focus(i);
            break;
          }
        }
      }
    }
    event.preventDefault();
  };

  const shown = virtual
    ? virtualizer.getVirtualItems().map((v) => ({ item: items[v.index]!, index: v.index, top: v.start }))
    : items.map((item, index) => ({ item, index, top: undefined }));
  return (
    <div
      role="tree"
      aria-label={label}
      className="tree"
      style={virtual ? { height: virtualizer.getTotalSize(), position: 'relative' } : undefined}
    >
      {shown.map(({ item, index, top }) => (
        <div
          {...itemProps?.(item)}
          key={item.id}
          ref={(el) => {
            if (el) {
              refs.current.set(item.id, el);
              if (focusOnMount.current === item.id) {
                focusOnMount.current = null;
                el.focus();
              }
            } else refs.current.delete(item.id);
          }}
          role="treeitem"
          aria-level={item.depth + 1}
          aria-expanded={item.expandable ? item.expanded : undefined}
          aria-selected={item.selected}
          aria-label={item.text}
          data-testid={item.testId}
          tabIndex={item.id === tabStop?.id ? 0 : -1}
          className={`tree-item${item.selected ? ' selected' : ''}`}
          style={{
            paddingLeft: 6 + item.depth * 14,
            ...(top === undefined ? {} : { position: 'absolute', top, left: 0, right: 0 }),
          }}
          onKeyDown={(e) => onKeyDown(e, index)}
          onFocus={() => setFocusedId(item.id)}
          onClick={() => {
            setFocusedId(item.id);
            onSelect(item.id);
          }}
        >
          <span
            className="tree-twisty"
            onClick={(e) => {
              if (!item.expandable) return;
              e.stopPropagation();
              onToggle(item.id, !item.expanded);
            }}
          >
            {item.expandable ? <Icon name={item.expanded ? 'chevronDown' : 'chevronRight'} size={12} /> : null}
          </span>
          {item.content ?? <span className="tree-label">{item.text}</span>}
        </div>
      ))}
    </div>
  );
}
