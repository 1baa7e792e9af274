/**
 * A file tree as a virtualized table (the flattened visible rows of file-tree.ts), so a 100,000-file
 * layer scrolls smoothly. Right/Left expand and collapse, Enter or a click opens a file's preview.
 * Two column sets: a diff (left size, right size, change) and a merged tree (size, layer that wrote it).
 * Test hooks: rows carry data-row-key (the path) and data-change (added/removed/modified).
 */
import type { ReactNode } from 'react';
import { layerNumber } from '../../../shared/types/layers';
import { Icon } from '../../components/Icon';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatBytes, formatCount } from '../../logic/format';
import type { TreeNode, TreeRow, TreeSort } from './file-tree';

export function formatDelta(delta: number): string {
  if (delta === 0) return '±0';
  return `${delta > 0 ? '+' : '−'}${formatBytes(Math.abs(delta))}`;
}

const CHANGE_LETTER = { added: 'A', removed: 'D', modified: 'M' } as const;
const CHANGE_TITLE = { added: 'Added', removed: 'Removed', modified: 'Modified' } as const;

export interface FileTreeTableProps {
  label: string;
  rows: TreeRow[];
  mode: 'diff' | 'merged';
  sort: TreeSort;
  onSort: (sort: TreeSort) => void;
  selected?: string;
  onToggle: (path: string) => void;
  onSelect: (node: TreeNode) => void;
  /** Column titles of the two sides in diff mode, e.g. the tags. */
  sides?: { a: string; b: string };
  empty?: ReactNode;
}

function NameCell({ row, onToggle, selected }: { row: TreeRow; onToggle: (path: string) => void; selected: boolean }) {
  const { node, depth, expanded } = row;
  // A directory shows what changed below it; its own change is its badge.
  const counts = node.isDirectory
    ? { ...node.counts, ...(node.change ? { [node.change]: node.counts[node.change] - 1 } : {}) }
    : undefined;
  return (
    <span className={`ftree-name${selected ? ' selected' : ''}`} style={{ paddingLeft: depth * 14 }} title={node.path}>
      {node.isDirectory ? (
        <button
          type="button"
          className="ftree-twisty"
          tabIndex={-1}
          aria-label={`${expanded ? 'Collapse' : 'Expand'} ${node.path}`}
          onClick={(event) => {
            event.stopPropagation();
            onToggle(node.path);
          }}
        >
          <Icon name={expanded ? 'chevronDown' : 'chevronRight'} size={12} />
        </button>
      ) : (
        <span className="ftree-twisty" />
      )}
      <Icon
        name={node.isDirectory ? 'folder' : node.type === 'symlink' ? 'link' : 'file'}
        size={13}
        className="ftree-icon"
      />
      <span className="ftree-label">{node.name}</span>
      {node.linkTarget ? <span className="ftree-link">→ {node.linkTarget}</span> : null}
      {node.change ? (
        <span
          className={`change-badge change-${node.change}`}
          title={CHANGE_TITLE[node.change] + (node.details?.length ? `: ${node.details.join(', ')}` : '')}
        >
          {CHANGE_LETTER[node.change]}
        </span>
      ) : null}
      {counts && (counts.added || counts.removed || counts.modified) ? (
        <span
          className="ftree-counts"
          aria-label={`${counts.added} added, ${counts.modified} modified, ${counts.removed} removed`}
        >
          {counts.added ? <span className="change-added">+{formatCount(counts.added)}</span> : null}
          {counts.modified ? <span className="change-modified">~{formatCount(counts.modified)}</span> : null}
          {counts.removed ? <span className="change-removed">−{formatCount(counts.removed)}</span> : null}
        </span>
      ) : null}
    </span>
  );
}

function deltaClass(delta: number): string {
  return delta > 0 ? 'delta delta-up' : delta < 0 ? 'delta delta-down' : 'delta';
}

export function FileTreeTable({
  label,
  rows,
  mode,
  sort,
  onSort,
  selected,
  onToggle,
  onSelect,
  sides,
  empty,
}: FileTreeTableProps) {
  const sortable = (key: TreeSort) => ({
    direction: sort === key ? (key === 'name' ? ('asc' as const) : ('desc' as const)) : null,
    onSort: () => onSort(key),
  });
  const name: Column<TreeRow> = {
    id: 'name',
    header: 'Name',
    // At most 440px with the size columns: the tree keeps every column beside its preview at 1280px (issue 20).
    width: 'minmax(180px, 1fr)',
    sort: sortable('name'),
    cell: (row) => <NameCell row={row} onToggle={onToggle} selected={row.node.path === selected} />,
  };
  const columns: Column<TreeRow>[] =
    mode === 'diff'
      ? [
          name,
          {
            id: 'a',
            header: sides?.a ?? 'Left',
            width: '88px',
            align: 'end',
            cell: (row) => (row.node.sizeA || row.node.change === 'removed' ? formatBytes(row.node.sizeA) : ''),
          },
          {
            id: 'b',
            header: sides?.b ?? 'Right',
            width: '88px',
            align: 'end',
            cell: (row) => (row.node.sizeB || row.node.change === 'added' ? formatBytes(row.node.sizeB) : ''),
          },
          {
            id: 'delta',
            header: 'Change',
            width: '84px',
            align: 'end',
            sort: sortable('delta'),
            cell: (row) => <span className={deltaClass(row.node.delta)}>{formatDelta(row.node.delta)}</span>,
          },
        ]
      : [
          name,
          {
            id: 'size',
            header: 'Size',
            width: '76px',
            align: 'end',
            sort: sortable('size'),
            cell: (row) => formatBytes(row.node.change === 'removed' ? row.node.sizeA : row.node.sizeB),
          },
          {
            id: 'delta',
            header: 'Change',
            width: '84px',
            align: 'end',
            sort: sortable('delta'),
            cell: (row) =>
              row.node.delta ? <span className={deltaClass(row.node.delta)}>{formatDelta(row.node.delta)}</span> : '',
          },
          {
            id: 'layer',
            header: 'Layer',
            width: '56px',
            align: 'end',
            cell: (row) =>
              row.node.isDirectory || row.node.layer === undefined ? '' : String(layerNumber(row.node.layer)),
          },
        ];
  return (
    <VirtualTable
      label={label}
      rows={rows}
      columns={columns}
      rowKey={(row) => row.node.path}
      rowHeight={24}
      empty={empty}
      rowProps={(row) => ({
        className: `ftree-row${row.node.change ? ` row-${row.node.change}` : ''}${row.node.path === selected ? ' selected' : ''}`,
        'data-change': row.node.change,
        'data-directory': row.node.isDirectory ? 'true' : undefined,
      })}
      onActivate={(row) => {
        if (row.node.isDirectory) onToggle(row.node.path);
        onSelect(row.node);
      }}
      onRowKeyDown={(row, event) => {
        if (!row.node.isDirectory) return;
        if ((event.key === 'ArrowRight' && !row.expanded) || (event.key === 'ArrowLeft' && row.expanded)) {
          event.preventDefault();
          onToggle(row.node.path);
        }
      }}
    />
  );
}
