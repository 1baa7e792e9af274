/**
 * Layers in build order, each beside the history step that made it and a bar for its share of the
 * image's compressed size; metadata-only steps (ENV, CMD, LABEL...) sit between them, dimmed.
 * Test hooks: table "Layers"; rows with data-layer-digest for layer lines.
 */
import { useEffect, useRef } from 'react';
import type { ImageDetails } from '../../../shared/types/registry';
import { CopyButton } from '../../components/CopyButton';
import { SizeBar } from '../../components/Progress';
import { EmptyState } from '../../components/states';
import { formatBytes, formatRelative, formatTimestamp, shortDigest } from '../../logic/format';
import { alignLayers, readableStep } from '../../logic/layer-history';

export function LayersTab({ details, highlight }: { details: ImageDetails; highlight?: string }) {
  const highlighted = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    highlighted.current?.scrollIntoView?.({ block: 'center' });
  }, [highlight]);

  if (details.layers.length === 0) {
    return (
      <EmptyState
        title="No layers"
        message={
          details.manifest.manifests
            ? 'This is an index: choose a platform above to see its layers.'
            : 'This manifest has no layers.'
        }
        icon="layers"
      />
    );
  }
  const lines = alignLayers(details.config?.history ?? [], details.layers);
  const largest = Math.max(...details.layers.map((l) => l.size));
  return (
    <div className="tab-content layers">
      <table className="data-table" aria-label="Layers">
        <thead>
          <tr>
            <th scope="col" className="num">
              #
            </th>
            <th scope="col">Step</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col" className="bar-col">
              <span className="visually-hidden">Share</span>
            </th>
            <th scope="col">Layer</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line, i) => {
            const step = readableStep(line.step?.createdBy ?? line.layer?.createdBy);
            const isHighlight = line.layer !== undefined && line.layer.digest === highlight;
            return (
              <tr
                key={i}
                ref={isHighlight ? highlighted : undefined}
                className={`${line.layer ? '' : 'empty-step'}${isHighlight ? ' highlight' : ''}`}
                data-layer-digest={line.layer?.digest}
              >
                <td className="num muted">{line.layerIndex !== undefined ? line.layerIndex + 1 : ''}</td>
                <td className="step" title={line.step?.createdBy}>
                  <code>{step || <span className="muted">(no history)</span>}</code>
                  {line.step?.comment ? <span className="muted"> · {line.step.comment}</span> : null}
                </td>
                <td className="num">
                  {line.layer ? formatBytes(line.layer.size) : <span className="muted">0 B</span>}
                </td>
                <td className="bar-col">
                  {line.layer ? (
                    <SizeBar value={line.layer.size} max={largest} label={`Layer ${(line.layerIndex ?? 0) + 1} size`} />
                  ) : null}
                </td>
                <td>
                  {line.layer ? (
                    <span className="digest-cell">
                      <code title={line.layer.digest}>{shortDigest(line.layer.digest)}</code>
                      <CopyButton text={line.layer.digest} label={`Copy layer ${(line.layerIndex ?? 0) + 1} digest`} />
                    </span>
                  ) : null}
                </td>
                <td className="muted" title={formatTimestamp(line.step?.created)}>
                  {line.step?.created ? formatRelative(line.step.created) : ''}
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <td />
            <th scope="row">Total ({details.layers.length} layers, compressed)</th>
            <td className="num">{formatBytes(details.compressedSize)}</td>
            <td colSpan={3} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
