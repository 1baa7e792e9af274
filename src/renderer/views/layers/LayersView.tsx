/**
 * A dive-like view of one image: its layers (the command that made each, size, files added, modified,
 * removed), the image's efficiency (space wasted by files later layers overwrite or delete), and for the
 * selected layer either what it changed or the merged tree up to it. Clicking a file shows its content.
 */
import { useEffect, useMemo } from 'react';
import { layerNumber, type Efficiency, type LayerChange } from '../../../shared/types/layers';
import { CopyButton } from '../../components/CopyButton';
import { Icon } from '../../components/Icon';
import { SizeBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { ViewHeader } from '../../components/ViewHeader';
import { formatBytes, formatCount, shortDigest } from '../../logic/format';
import { OutsideLinkPrompt, useOutsideLinkGate } from '../../navigation/OutsideLinkPrompt';
import { useNavigation } from '../../navigation/store';
import { useLayers } from '../../stores/layers';
import { buildTree } from '../compare/file-tree';
import { FileContentView, PreviewPane } from '../compare/FilePreview';
import { FileTreeTable, formatDelta } from '../compare/FileTreeTable';
import { useTreeRows } from '../compare/tree-rows';
import { TreeToolbar } from '../compare/TreeToolbar';
import '../compare/compare.css';
import './layers.css';

/** `fromOutside`: opened by a link, reload or back/forward (see navigation/store.ts). */
export function LayersView({ reference, fromOutside = false }: { reference: string; fromOutside?: boolean }) {
  const open = useLayers((s) => s.open);
  const current = useLayers((s) => s.reference);
  const storedLayers = useLayers((s) => s.layers);
  const navigate = useNavigation((s) => s.navigate);
  const gate = useOutsideLinkGate(reference, fromOutside);
  const allowed = gate.state === 'open';
  // The store holds the last image opened: until this one is, its layers are not this view's.
  const layers = allowed && current === reference ? storedLayers : undefined;

  useEffect(() => {
    if (allowed) void open(reference);
  }, [reference, open, allowed]);

  return (
    <div className="view layers-view" data-testid="layers-view">
      <ViewHeader icon="layers" title="Layers">
        <span className="mono view-subtitle" title={reference}>
          {reference}
        </span>
        <CopyButton text={reference} label="Copy reference" />
        <button
          type="button"
          className="button button-small"
          onClick={() => navigate({ view: 'compare', a: reference })}
        >
          <Icon name="compare" size={13} /> Compare with…
        </button>
      </ViewHeader>
      <div className="view-body">
        {!allowed ? <OutsideLinkPrompt gate={gate} reference={reference} /> : null}
        {allowed && (!layers || layers.status === 'loading') ? (
          <LoadingState label="Reading layers…" detail="Each layer is indexed once and cached by digest." />
        ) : null}
        {layers?.status === 'error' ? (
          <ErrorState
            error={layers.error}
            context="Could not read the layers"
            handlers={{ retry: () => void open(reference) }}
          />
        ) : null}
        {layers?.status === 'ready' ? (
          layers.value.length === 0 ? (
            <EmptyState
              icon="layers"
              title="No layers"
              message="This image has no filesystem layers (an artifact or a scratch image)."
            />
          ) : (
            <div className="layers-layout">
              <div className="layers-left">
                <LayerList layers={layers.value} />
                <EfficiencyPanel />
              </div>
              <LayerTreePanel layers={layers.value} />
            </div>
          )
        ) : null}
      </div>
    </div>
  );
}

function LayerList({ layers }: { layers: LayerChange[] }) {
  const selectedLayer = useLayers((s) => s.selectedLayer);
  const selectLayer = useLayers((s) => s.selectLayer);
  const largest = Math.max(...layers.map((l) => l.sizeBytes), 1);
  const move = (index: number) => {
    const next = Math.max(0, Math.min(layers.length - 1, index));
    if (next !== selectedLayer) void selectLayer(next);
  };
  return (
    <section className="panel layer-list-panel" aria-label="Layers">
      <div className="panel-title">Layers</div>
      <ol
        className="layer-list"
        role="listbox"
        aria-label="Layers"
        tabIndex={0}
        aria-activedescendant={selectedLayer !== undefined ? `layer-${selectedLayer}` : undefined}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') move((selectedLayer ?? -1) + 1);
          else if (event.key === 'ArrowUp') move((selectedLayer ?? 1) - 1);
          else if (event.key === 'Home') move(0);
          else if (event.key === 'End') move(layers.length - 1);
          else return;
          event.preventDefault();
        }}
      >
        {layers.map((layer) => (
          <li
            key={layer.layer}
            id={`layer-${layer.layer}`}
            role="option"
            aria-selected={layer.layer === selectedLayer}
            className={`layer-item${layer.layer === selectedLayer ? ' selected' : ''}`}
            data-layer={layer.layer}
            onClick={() => void selectLayer(layer.layer)}
          >
            <div className="layer-item-top">
              <span className="layer-index">{layerNumber(layer.layer)}</span>
              <span className="layer-item-size" title={`${formatBytes(layer.compressedSize)} compressed`}>
                {formatBytes(layer.sizeBytes)}
              </span>
              <SizeBar value={layer.sizeBytes} max={largest} label={`Layer ${layerNumber(layer.layer)} size`} />
              <span className="layer-item-counts">
                <span className="change-added">+{formatCount(layer.added)}</span>{' '}
                <span className="change-modified">~{formatCount(layer.modified)}</span>{' '}
                <span className="change-removed">−{formatCount(layer.removed)}</span>
              </span>
            </div>
            <div className="layer-item-command mono" title={layer.createdBy ?? layer.digest}>
              {layer.createdBy ?? shortDigest(layer.digest)}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function scoreClass(score: number): string {
  return score >= 0.95 ? 'score-good' : score >= 0.8 ? 'score-fair' : 'score-poor';
}

function EfficiencyPanel() {
  const efficiency = useLayers((s) => s.efficiency);
  const reference = useLayers((s) => s.reference);
  const open = useLayers((s) => s.open);
  return (
    // It scrolls when the wasted-space list is long: focusable, so the keyboard can scroll it (axe:
    // scrollable-region-focusable).
    <section className="panel efficiency-panel" aria-label="Efficiency" tabIndex={0}>
      <div className="panel-title">Image efficiency</div>
      {!efficiency || efficiency.status === 'loading' ? <LoadingState label="Measuring wasted space…" /> : null}
      {efficiency?.status === 'error' ? (
        <ErrorState compact error={efficiency.error} handlers={{ retry: () => void open(reference) }} />
      ) : null}
      {efficiency?.status === 'ready' ? <EfficiencyDetails efficiency={efficiency.value} /> : null}
    </section>
  );
}

function EfficiencyDetails({ efficiency }: { efficiency: Efficiency }) {
  const wasted = efficiency.wasted;
  return (
    <>
      <dl className="efficiency-summary">
        <div>
          <dt>Efficiency</dt>
          <dd className={scoreClass(efficiency.score)} data-testid="efficiency-score">
            {(efficiency.score * 100).toFixed(1)}%
          </dd>
        </div>
        <div>
          <dt>Wasted</dt>
          <dd>{formatBytes(efficiency.wastedBytes)}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>{formatBytes(efficiency.totalBytes)}</dd>
        </div>
        <div>
          <dt>Own layers</dt>
          <dd title="Everything above the base layer">{formatBytes(efficiency.userSizeBytes)}</dd>
        </div>
      </dl>
      {wasted.length === 0 ? (
        <p className="muted panel-note">No file is overwritten or removed by a later layer.</p>
      ) : (
        <table className="data-table wasted-table" aria-label="Wasted space">
          <thead>
            <tr>
              <th>Path</th>
              <th className="num">Count</th>
              <th className="num">Wasted</th>
            </tr>
          </thead>
          <tbody>
            {wasted.map((file) => (
              <tr key={file.path}>
                <td
                  className="mono"
                  title={`${file.path}: wasted in ${file.layers.length === 1 ? 'layer' : 'layers'} ${file.layers.map((l) => layerNumber(l.layer)).join(', ')}`}
                >
                  {file.path}
                </td>
                <td className="num">{formatCount(file.occurrences)}</td>
                <td className="num">{formatBytes(file.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {efficiency.wastedPathCount > wasted.length ? (
        <p className="muted panel-note">
          The {formatCount(wasted.length)} largest of {formatCount(efficiency.wastedPathCount)} paths with wasted space.
        </p>
      ) : null}
    </>
  );
}

function LayerTreePanel({ layers }: { layers: LayerChange[] }) {
  const state = useLayers((s) => s);
  const layer = layers.find((l) => l.layer === state.selectedLayer);
  const inputs = state.tree?.value;
  const tree = useMemo(() => buildTree(inputs ?? []), [inputs]);
  const { filtered, rows } = useTreeRows(tree, state, { unchangedToggle: true });
  return (
    <section className="panel layer-tree-panel" aria-label="Layer contents">
      <div className="panel-title">
        {layer ? (
          <>
            Layer {layerNumber(layer.layer)} <span className="mono muted">{shortDigest(layer.digest)}</span>
            <CopyButton text={layer.digest} label="Copy layer digest" />
            <span className="muted">
              {formatBytes(layer.sizeBytes)} · {formatBytes(layer.compressedSize)} compressed
            </span>
          </>
        ) : (
          'Layer contents'
        )}
      </div>
      <TreeToolbar
        controls={state}
        counts={tree.counts}
        sorts={['name', 'size', 'delta']}
        unchangedToggle
        shown={filtered}
        summary={`${formatCount(filtered.files)} files · ${formatBytes(filtered.sizeB)}${filtered.delta ? ` · ${formatDelta(filtered.delta)}` : ''}`}
      />
      {state.tree?.status === 'error' ? (
        <ErrorState
          compact
          error={state.tree.error}
          handlers={{ retry: () => state.selectedLayer !== undefined && void state.selectLayer(state.selectedLayer) }}
        />
      ) : null}
      <div className="split">
        <div className="split-main">
          {!state.tree || (state.tree.status === 'loading' && !inputs) ? (
            <LoadingState label="Reading the layer's files…" />
          ) : (
            <FileTreeTable
              label="Files"
              rows={rows}
              mode="merged"
              sort={state.sort}
              onSort={state.setSort}
              selected={state.selected}
              onToggle={state.toggleExpanded}
              onSelect={(node) => void state.select(node.path, node.isDirectory, node.change === 'removed')}
              empty={
                <span className="muted">
                  {tree.files === 0 ? 'This layer has no files.' : 'No file matches the filters.'}
                </span>
              }
            />
          )}
        </div>
        <aside className="split-side preview-pane" aria-label="Preview">
          <LayerPreview />
        </aside>
      </div>
    </section>
  );
}

function LayerPreview() {
  const { selected, preview, select } = useLayers((s) => s);
  return (
    <PreviewPane
      selected={selected}
      prompt="Select a file to see its content (as in the final image)."
      preview={preview}
      noPreview="No content to show: a directory, or a file this layer removed."
      retry={(path) => void select(path, false, false)}
    >
      {(file) => <FileContentView file={file} />}
    </PreviewPane>
  );
}
