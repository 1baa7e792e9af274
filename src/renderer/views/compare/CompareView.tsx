/**
 * Compare two images side by side: sizes and delta, layers aligned, config and history differences, and
 * a tree of the file differences with a preview (text diff for a modified file). The pair lives in the
 * route (`/compare?a=...&b=...`), so a comparison is a link. A link (or a reload, or back/forward) only
 * fills in the pair: comparing reads both images from any host or local path, so it waits for the
 * Compare button (issue 13 g). The app's own navigation (a dropped tag, a swap) compares right away.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ImageDiff } from '../../../shared/types/layers';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { Tabs } from '../../components/Tabs';
import { ViewHeader } from '../../components/ViewHeader';
import { formatBytes, formatCount, plural } from '../../logic/format';
import { useNavigation } from '../../navigation/store';
import { useCompare } from '../../stores/compare';
import { useOperations } from '../../stores/operations';
import { ConfigDiffTable, DiffSummary, HistoryDiffTable, LayerAlignmentTable } from './DiffPanels';
import { buildTree, diffInputs, type TreeNode } from './file-tree';
import { FileContentView, ModifiedAttributes, PreviewPane, TextDiffView, TooLargeToPreview } from './FilePreview';
import { FileTreeTable, formatDelta } from './FileTreeTable';
import { alignHistory } from './history-align';
import { ImageSlot } from './ImageSlot';
import { PackagesPanel } from './PackagesPanel';
import { useTreeRows } from './tree-rows';
import { TreeToolbar } from './TreeToolbar';
import './compare.css';

type CompareTab = 'files' | 'layers' | 'config' | 'history' | 'packages';

export function CompareView({
  a = '',
  b = '',
  fromOutside = false,
}: {
  a?: string;
  b?: string;
  fromOutside?: boolean;
}) {
  const navigate = useNavigation((s) => s.navigate);
  const compare = useCompare((s) => s.compare);
  const recall = useCompare((s) => s.recall);
  const [draftA, setDraftA] = useState(a);
  const [draftB, setDraftB] = useState(b);

  useEffect(() => {
    setDraftA(a);
    setDraftB(b);
    // A link from outside reads nothing until Compare, but a result this session already has is shown.
    if (!fromOutside) void compare(a, b);
    else recall(a, b);
  }, [a, b, fromOutside, compare, recall]);

  const go = (nextA: string, nextB: string) =>
    navigate({ view: 'compare', ...(nextA ? { a: nextA } : {}), ...(nextB ? { b: nextB } : {}) });

  return (
    <div className="view compare-view" data-testid="compare-view">
      <ViewHeader icon="compare" title="Compare images" />
      <div className="view-body">
        <form
          className="compare-pickers"
          onSubmit={(event) => {
            event.preventDefault();
            const [nextA, nextB] = [draftA.trim(), draftB.trim()];
            go(nextA, nextB);
            // Also when the route does not change (the pair a link filled in, or a retry after an error).
            void compare(nextA, nextB);
          }}
        >
          <ImageSlot
            side="a"
            label="Left (before)"
            value={draftA}
            onChange={setDraftA}
            onCommit={(value) => go(value, draftB.trim())}
          />
          <button
            type="button"
            className="icon-button compare-swap"
            aria-label="Swap left and right"
            title="Swap"
            onClick={() => go(draftB.trim(), draftA.trim())}
          >
            <Icon name="lanes" size={15} />
          </button>
          <ImageSlot
            side="b"
            label="Right (after)"
            value={draftB}
            onChange={setDraftB}
            onCommit={(value) => go(draftA.trim(), value)}
          />
          <button
            type="submit"
            className="button button-primary compare-go"
            disabled={!draftA.trim() || !draftB.trim()}
          >
            Compare
          </button>
        </form>
        <CompareResult a={a} b={b} fromOutside={fromOutside} />
      </div>
    </div>
  );
}

/** The result for the route's pair: the store's comparison when it is of that pair (kept in memory). */
function CompareResult({ a, b, fromOutside }: { a: string; b: string; fromOutside: boolean }) {
  const { a: comparedA, b: comparedB, diff, operationId, cancel, reload } = useCompare((s) => s);
  const progress = useOperations((s) => (operationId ? s.entries[operationId] : undefined));
  const [tab, setTab] = useState<CompareTab>('files');

  if (!a || !b) {
    return (
      <EmptyState
        icon="compare"
        title="Choose two images"
        message="Type two references, drop a tag from a tag table on either side, or pick a local Docker image. Try two tags of one repository to see what a release changed."
      />
    );
  }
  if (fromOutside && (a !== comparedA || b !== comparedB)) {
    return (
      <div data-testid="compare-ready">
        <EmptyState
          icon="compare"
          title="Ready to compare"
          message="This link filled in the two images. Berth reads them, from their registries or from this computer, when you press Compare."
        />
      </div>
    );
  }
  if (!diff || diff.status === 'loading') {
    return (
      <div className="compare-loading">
        <LoadingState
          label="Comparing images…"
          detail={
            progress ? (
              <div className="compare-progress">
                <span>{progress.status}</span>
                <ProgressBar current={progress.current} total={progress.total} label="Comparison progress" />
                {progress.total > 0 ? (
                  <span className="muted">
                    {formatBytes(progress.current)} of {formatBytes(progress.total)}
                  </span>
                ) : null}
              </div>
            ) : (
              'Reading both images’ layers; large images take a moment the first time.'
            )
          }
        />
        {operationId ? (
          <button type="button" className="button" onClick={() => void cancel()}>
            Cancel
          </button>
        ) : null}
      </div>
    );
  }
  if (diff.status === 'error')
    return <ErrorState error={diff.error} context="Could not compare" handlers={{ retry: () => void reload() }} />;

  const value = diff.value;
  const changed = value.files.added.length + value.files.removed.length + value.files.modified.length;
  return (
    <div className="compare-result">
      <DiffSummary diff={value} />
      <Tabs
        label="Comparison"
        selected={tab}
        onSelect={setTab}
        tabs={[
          { id: 'files', label: 'Files', badge: formatCount(changed) },
          { id: 'layers', label: 'Layers', badge: formatCount(value.layers.onlyA.length + value.layers.onlyB.length) },
          { id: 'config', label: 'Config', badge: formatCount(value.config.length) },
          {
            id: 'history',
            label: 'History',
            badge: formatCount(
              alignHistory(value.history.a, value.history.b).filter((row) => row.kind !== 'same').length,
            ),
          },
          { id: 'packages', label: 'Packages' },
        ]}
      >
        {tab === 'files' ? <FilesPanel diff={value} /> : null}
        {tab === 'layers' ? <LayerAlignmentTable diff={value} /> : null}
        {tab === 'config' ? <ConfigDiffTable diff={value} /> : null}
        {tab === 'history' ? <HistoryDiffTable diff={value} /> : null}
        {tab === 'packages' ? <PackagesPanel a={comparedA} b={comparedB} /> : null}
      </Tabs>
    </div>
  );
}

function sideName(reference: string): string {
  const lastSlash = reference.lastIndexOf('/');
  return lastSlash >= 0 ? reference.slice(lastSlash + 1) : reference;
}

const changeCount = (node: TreeNode) => node.counts.added + node.counts.removed + node.counts.modified;

/** "12 of 582 changes shown": changed entries (files, directories, links), the unit of the kind chips. */
function changesShown(filtered: TreeNode, tree: TreeNode): string {
  const total = changeCount(tree);
  const shown = changeCount(filtered);
  return shown === total
    ? `${plural(total, 'change')} shown`
    : `${formatCount(shown)} of ${formatCount(total)} changes shown`;
}

function FilesPanel({ diff }: { diff: ImageDiff }) {
  const state = useCompare((s) => s);
  const tree = useMemo(() => buildTree(diffInputs(diff.files)), [diff]);
  const { filtered, rows } = useTreeRows(tree, state, { unchangedToggle: false });
  return (
    <div className="files-panel">
      <TreeToolbar
        controls={state}
        counts={tree.counts}
        sorts={['delta', 'name']}
        shown={filtered}
        summary={`${changesShown(filtered, tree)} · ${formatDelta(filtered.delta)}`}
      />
      <div className="split">
        <div className="split-main">
          <FileTreeTable
            label="Changed files"
            rows={rows}
            mode="diff"
            sort={state.sort}
            onSort={state.setSort}
            selected={state.selected}
            sides={{ a: sideName(diff.a), b: sideName(diff.b) }}
            onToggle={state.toggleExpanded}
            onSelect={(node) => void state.select(node.path, node.change, node.isDirectory)}
            empty={
              <span className="muted">
                {tree.files === 0 ? 'The two images have the same files.' : 'No file matches the filters.'}
              </span>
            }
          />
        </div>
        <aside className="split-side preview-pane" aria-label="Preview">
          <ComparePreview diff={diff} />
        </aside>
      </div>
    </div>
  );
}

const SIDE_TEXT = { a: 'the left image’s version', b: 'the right image’s version' } as const;

function ComparePreview({ diff }: { diff: ImageDiff }) {
  const { selected, selectedKind, preview, select, showAnyway, readWhole } = useCompare((s) => s);
  const modified = useMemo(
    () => (selectedKind === 'modified' ? diff.files.modified.find((f) => f.path === selected) : undefined),
    [diff, selected, selectedKind],
  );
  return (
    <PreviewPane
      selected={selected}
      prompt="Select a file to see its content; a modified file shows the diff of its two versions."
      preview={preview}
      noPreview="A directory: its totals are in the tree."
      retry={(path) => void select(path, selectedKind, false)}
      details={modified ? <ModifiedAttributes file={modified} /> : null}
    >
      {(value) => {
        switch (value.kind) {
          case 'text-diff':
            return <TextDiffView diff={value.diff} />;
          case 'attributes':
            return (
              <p className="preview-note">
                {modified?.changes.includes('linkTarget')
                  ? 'A link: its two targets above are the difference. Its own content is its target.'
                  : 'The entry changed type: its attributes above are the difference; there is no text diff.'}
              </p>
            );
          case 'too-large':
            return (
              <TooLargeToPreview
                path={value.path}
                size={value.size}
                limit={value.limit}
                actions={{
                  showAnyway: () => void showAnyway(value.side),
                  readWhole: () => readWhole(value.path, value.side),
                }}
              />
            );
          case 'file': {
            const other = value.side === 'a' ? 'b' : 'a';
            return (
              <>
                <p className="preview-side">
                  {selectedKind === 'modified' ? 'Modified' : value.side === 'a' ? 'Removed' : 'Added'}:{' '}
                  {SIDE_TEXT[value.side]}
                  {selectedKind === 'modified' ? (
                    <>
                      {' '}
                      <button type="button" className="link-button" onClick={() => void showAnyway(other)}>
                        Show {SIDE_TEXT[other]}
                      </button>
                    </>
                  ) : null}
                </p>
                <FileContentView
                  file={value.file}
                  actions={{
                    showAnyway: () => void showAnyway(value.side),
                    readWhole: () => readWhole(value.path, value.side),
                  }}
                />
              </>
            );
          }
        }
      }}
    </PreviewPane>
  );
}
