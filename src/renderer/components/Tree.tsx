/**
 * A keyboard-navigable tree (ARIA tree, flat rendering with aria-level), for the sidebar's registries and
 * namespaces. The caller flattens its visible nodes in order; the tree handles focus and keys:
 * Up/Down move, Right expands or enters, Left collapses or goes to the parent, Enter/Space selects,
 * Home/End jump, typing a letter jumps to the next item starting with it.
 */
import { useRef, useState, type HTMLAttributes, type KeyboardEvent, type ReactNode } from 'react';
import { Icon } from './Icon';

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
}

export function Tree({ label, items, onToggle, onSelect, itemProps }: TreeProps) {
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const refs = useRef(new Map<string, HTMLDivElement>());
  const tabStop = items.find((i) => i.id === focusedId) ?? items.find((i) => i.selected) ?? items[0];

  const focus = (index: number) => {
    const item = items[Math.max(0, Math.min(items.length - 1, index))];
    if (!item) return;
    setFocusedId(item.id);
    refs.current.get(item.id)?.focus();
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

  return (
    <div role="tree" aria-label={label} className="tree">
      {items.map((item, index) => (
        <div
          {...itemProps?.(item)}
          key={item.id}
          ref={(el) => {
            if (el) refs.current.set(item.id, el);
            else refs.current.delete(item.id);
          }}
          role="treeitem"
          aria-level={item.depth + 1}
          aria-expanded={item.expandable ? item.expanded : undefined}
          aria-selected={item.selected}
          aria-label={item.text}
          data-testid={item.testId}
          tabIndex={item.id === tabStop?.id ? 0 : -1}
          className={`tree-item${item.selected ? ' selected' : ''}`}
          style={{ paddingLeft: 6 + item.depth * 14 }}
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
