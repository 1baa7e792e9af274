/**
 * Filters above a file tree: one chip per change kind with its count (a click shows only that kind; a second
 * click or Alt+click shows every kind again), a path box (substring or glob), the sort, and expand/collapse
 * all. The chips count changed entries (files, directories, links), as the summary beside them does.
 * Test hooks: group "Change kinds"; the summary has data-testid "tree-summary".
 */
import { FilterBox } from '../../components/FilterBox';
import { formatCount } from '../../logic/format';
import { CHANGE_KINDS, directoryPaths, type ChangeKind, type TreeNode, type TreeSort } from './file-tree';
import { onlyKind, type TreeControls } from './tree-controls';

const KIND_LABELS: Record<ChangeKind, string> = { added: 'Added', modified: 'Modified', removed: 'Removed' };
const SORT_LABELS: Record<TreeSort, string> = { name: 'Name', delta: 'Size change', size: 'Size' };

export interface TreeToolbarProps {
  controls: TreeControls;
  counts: Record<ChangeKind, number>;
  sorts: TreeSort[];
  /** The tree as filtered: "Expand all" opens its directories. */
  shown: TreeNode;
  /** Merged trees: a switch between "whole tree" and "changes only". */
  unchangedToggle?: boolean;
  /** Shown at the end: "1,204 files, +12 MB". */
  summary?: string;
}

export function TreeToolbar({ controls, counts, sorts, shown, unchangedToggle, summary }: TreeToolbarProps) {
  const only = onlyKind(controls.kinds);
  return (
    <div className="tree-toolbar" role="toolbar" aria-label="File filters">
      {unchangedToggle ? (
        <div className="segmented" role="group" aria-label="Tree">
          <button type="button" aria-pressed={!controls.showUnchanged} onClick={() => controls.setShowUnchanged(false)}>
            Layer changes
          </button>
          <button type="button" aria-pressed={controls.showUnchanged} onClick={() => controls.setShowUnchanged(true)}>
            Merged tree
          </button>
        </div>
      ) : null}
      <div className="kind-toggles" role="group" aria-label="Change kinds">
        {CHANGE_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            className={`kind-toggle change-${kind}`}
            aria-pressed={only === kind}
            data-shown={controls.kinds.has(kind)}
            title={
              only === kind
                ? 'Showing only these: click again (or Alt+click) to show every kind'
                : `Show only ${KIND_LABELS[kind].toLowerCase()} entries (Alt+click: every kind)`
            }
            onClick={(event) => (event.altKey ? controls.showAllKinds() : controls.showKind(kind))}
          >
            <span className="kind-dot" aria-hidden="true" />
            {KIND_LABELS[kind]}
            <span className="kind-count">{formatCount(counts[kind])}</span>
          </button>
        ))}
      </div>
      <FilterBox
        className="tree-filter"
        placeholder="Filter paths: text or glob (**/*.so)"
        aria-label="Filter paths"
        value={controls.pathFilter}
        onValue={controls.setPathFilter}
        spellCheck={false}
      />
      <label className="toolbar-select">
        <span>Sort</span>
        <select
          className="input input-small"
          aria-label="Sort files"
          value={controls.sort}
          onChange={(event) => controls.setSort(event.target.value as TreeSort)}
        >
          {sorts.map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button button-small" onClick={() => controls.setExpanded(directoryPaths(shown))}>
        Expand all
      </button>
      <button type="button" className="button button-small" onClick={() => controls.setExpanded([])}>
        Collapse all
      </button>
      {summary ? (
        <span className="tree-summary" data-testid="tree-summary">
          {summary}
        </span>
      ) : null}
    </div>
  );
}
