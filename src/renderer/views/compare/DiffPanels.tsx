/**
 * The non-file parts of a comparison: the size summary, the layers aligned side by side, the config
 * differences and the history differences.
 */
import { useMemo } from 'react';
import type { ImageDiff, LayerAlignment } from '../../../shared/types/layers';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes, formatCount, plural, shortDigest } from '../../logic/format';
import { formatDelta } from './FileTreeTable';
import { alignHistory } from './history-align';

function percent(delta: number, base: number): string {
  if (base === 0) return '';
  const value = (delta / base) * 100;
  return ` (${value > 0 ? '+' : ''}${Math.abs(value) < 0.1 && value !== 0 ? value.toFixed(2) : value.toFixed(1)}%)`;
}

export function DiffSummary({ diff }: { diff: ImageDiff }) {
  const delta = diff.sizeB - diff.sizeA;
  const { added, removed, modified } = diff.files;
  return (
    <dl className="diff-summary" data-testid="diff-summary">
      <div>
        <dt>Left</dt>
        <dd>{formatBytes(diff.sizeA)}</dd>
      </div>
      <div>
        <dt>Right</dt>
        <dd>{formatBytes(diff.sizeB)}</dd>
      </div>
      <div>
        <dt>Size change</dt>
        <dd className={delta > 0 ? 'delta delta-up' : delta < 0 ? 'delta delta-down' : 'delta'}>
          {formatDelta(delta)}
          {percent(delta, diff.sizeA)}
        </dd>
      </div>
      <div>
        <dt>Layers</dt>
        <dd>
          {formatCount(diff.layers.shared.length)} shared · {formatCount(diff.layers.onlyA.length)} only left ·{' '}
          {formatCount(diff.layers.onlyB.length)} only right
        </dd>
      </div>
      <div>
        <dt>Files</dt>
        <dd>
          <span className="change-added">+{formatCount(added.length)}</span>{' '}
          <span className="change-modified">~{formatCount(modified.length)}</span>{' '}
          <span className="change-removed">−{formatCount(removed.length)}</span>
        </dd>
      </div>
      <div>
        <dt>Config</dt>
        <dd>{diff.config.length === 0 ? 'identical' : plural(diff.config.length, 'difference')}</dd>
      </div>
    </dl>
  );
}

function LayerCell({ layer }: { layer?: LayerAlignment }) {
  if (!layer) return <div className="layer-cell empty" />;
  return (
    <div className="layer-cell">
      <div className="layer-cell-top">
        <span className="mono">{shortDigest(layer.digest)}</span>
        <CopyButton text={layer.digest} label="Copy layer digest" />
        <span className="layer-size">{formatBytes(layer.size)}</span>
      </div>
      {layer.createdBy ? (
        <div className="layer-command mono" title={layer.createdBy}>
          {layer.createdBy}
        </div>
      ) : null}
    </div>
  );
}

/** Shared layers across both columns first (the common base), then each side's own layers facing each other. */
export function LayerAlignmentTable({ diff }: { diff: ImageDiff }) {
  const { shared, onlyA, onlyB } = diff.layers;
  const divergent = Math.max(onlyA.length, onlyB.length);
  return (
    <div className="layer-align" role="table" aria-label="Layers aligned">
      <div className="layer-align-head" role="row">
        <span role="columnheader">Left</span>
        <span role="columnheader" />
        <span role="columnheader">Right</span>
      </div>
      {shared.map((layer) => (
        <div key={`s${layer.digest}`} className="layer-align-row shared" role="row" data-alignment="shared">
          <LayerCell layer={layer} />
          <span className="layer-align-mark" title="Shared by both images">
            =
          </span>
          <LayerCell layer={layer} />
        </div>
      ))}
      {Array.from({ length: divergent }, (_, i) => (
        <div key={`d${i}`} className="layer-align-row divergent" role="row" data-alignment="divergent">
          <div className={onlyA[i] ? 'only-a' : ''}>
            <LayerCell layer={onlyA[i]} />
          </div>
          <span className="layer-align-mark" title="Different layers">
            ≠
          </span>
          <div className={onlyB[i] ? 'only-b' : ''}>
            <LayerCell layer={onlyB[i]} />
          </div>
        </div>
      ))}
      {shared.length + divergent === 0 ? <p className="muted">Neither image has layers.</p> : null}
    </div>
  );
}

/** Values as lines: arrays one item per line, objects `key=value`, absent as an em dash. */
function valueLines(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
  return [String(value)];
}

function ValueList({ lines, other, side }: { lines: string[]; other: Set<string>; side: 'a' | 'b' }) {
  if (lines.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="config-values">
      {lines.map((line, i) => (
        <li key={i} className={other.has(line) ? '' : side === 'a' ? 'change-removed' : 'change-added'}>
          {line}
        </li>
      ))}
    </ul>
  );
}

const FIELD_LABELS: Record<string, string> = {
  env: 'Env',
  labels: 'Label',
  entrypoint: 'Entrypoint',
  cmd: 'Command',
  user: 'User',
  workingDir: 'Working directory',
  exposedPorts: 'Exposed ports',
  platform: 'Platform',
  volumes: 'Volumes',
  stopSignal: 'Stop signal',
  author: 'Author',
};

export function ConfigDiffTable({ diff }: { diff: ImageDiff }) {
  if (diff.config.length === 0)
    return (
      <p className="muted panel-note">
        The image configurations are identical (environment, labels, entrypoint, command, user, ports, volumes).
      </p>
    );
  return (
    <table className="data-table config-diff" aria-label="Config differences">
      <colgroup>
        <col className="config-name-col" />
        <col />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th>Field</th>
          <th>Left</th>
          <th>Right</th>
        </tr>
      </thead>
      <tbody>
        {diff.config.map((difference) => {
          const a = valueLines(difference.a);
          const b = valueLines(difference.b);
          return (
            <tr
              key={`${difference.field}\u0000${difference.key ?? ''}`}
              data-field={difference.field}
              data-key={difference.key}
            >
              <th scope="row">
                <span className="config-field">{FIELD_LABELS[difference.field] ?? difference.field}</span>
                {difference.key ? <span className="mono config-key">{difference.key}</span> : null}
              </th>
              <td className="mono">
                <ValueList lines={a} other={new Set(b)} side="a" />
              </td>
              <td className="mono">
                <ValueList lines={b} other={new Set(a)} side="b" />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function HistoryDiffTable({ diff }: { diff: ImageDiff }) {
  const rows = useMemo(() => alignHistory(diff.history.a, diff.history.b), [diff.history]);
  if (diff.history.firstDifference === -1)
    return (
      <p className="muted panel-note">Both images were built by the same {plural(diff.history.a.length, 'step')}.</p>
    );
  return (
    <table className="data-table history-diff" aria-label="History differences">
      <colgroup>
        <col className="step-col" />
        <col />
        <col className="step-col" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th className="num">#</th>
          <th>Left</th>
          <th className="num">#</th>
          <th>Right</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i} className={`history-${row.kind}`} data-kind={row.kind}>
            <td className="num">{row.stepA ?? ''}</td>
            <td className={`mono${row.kind === 'changed' || row.kind === 'removed' ? ' change-removed' : ''}`}>
              {row.a ?? ''}
            </td>
            <td className="num">{row.stepB ?? ''}</td>
            <td className={`mono${row.kind === 'changed' || row.kind === 'added' ? ' change-added' : ''}`}>
              {row.b ?? ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
