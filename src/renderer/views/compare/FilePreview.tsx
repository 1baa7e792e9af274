/**
 * The preview pane beside a file tree (the selected path, then its preview as it loads), and what it
 * shows for a file: the text diff of its two versions (unified, two line-number gutters), its text, or
 * for binary content its size and a hex view of the first bytes.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { FileContent, ModifiedFile, TextDiff } from '../../../shared/types/layers';
import { ErrorState, LoadingState } from '../../components/states';
import { formatBytes, formatCount } from '../../logic/format';
import type { Loadable } from '../../stores/loadable';
import { diffRows } from './unified-diff';

/** Rows rendered at first; the rest on request, so a huge diff never stalls the pane. */
const INITIAL_ROWS = 2000;

export interface PreviewPaneProps<T> {
  selected: string | undefined;
  /** Shown while nothing is selected. */
  prompt: string;
  /** Undefined when the selection has nothing to preview (a directory, a removed file). */
  preview: Loadable<T> | undefined;
  noPreview: string;
  retry: (path: string) => void;
  /** Shown under the path, whatever the state of the preview. */
  details?: ReactNode;
  children: (value: T) => ReactNode;
}

/** The preview pane beside a file tree: the selected path, then its preview as it loads, fails or shows. */
export function PreviewPane<T>({
  selected,
  prompt,
  preview,
  noPreview,
  retry,
  details,
  children,
}: PreviewPaneProps<T>) {
  if (!selected) return <p className="preview-note">{prompt}</p>;
  return (
    <div className="preview">
      <div className="preview-path mono" title={selected}>
        {selected}
      </div>
      {details}
      {!preview ? <p className="preview-note">{noPreview}</p> : null}
      {preview?.status === 'loading' ? <LoadingState label="Loading preview…" /> : null}
      {preview?.status === 'error' ? (
        <ErrorState compact error={preview.error} handlers={{ retry: () => retry(selected) }} />
      ) : null}
      {preview?.status === 'ready' ? children(preview.value) : null}
    </div>
  );
}

export function TextDiffView({ diff }: { diff: TextDiff }) {
  const { rows, stats } = useMemo(() => diffRows(diff.unified), [diff.unified]);
  const [showAll, setShowAll] = useState(false);
  if (diff.binary) {
    return (
      <p className="preview-note">
        Binary content differs ({formatBytes(diff.sizeA ?? undefined)} → {formatBytes(diff.sizeB ?? undefined)}); there
        is no text diff to show.
      </p>
    );
  }
  if (diff.identical || rows.length === 0)
    return <p className="preview-note">The contents are identical; only the attributes above differ.</p>;
  const shown = showAll ? rows : rows.slice(0, INITIAL_ROWS);
  return (
    <div className="textdiff" data-testid="text-diff">
      <div className="textdiff-stats">
        <span className="change-added">+{formatCount(stats.added)}</span>{' '}
        <span className="change-removed">−{formatCount(stats.removed)}</span> lines
      </div>
      <div className="textdiff-body" role="table" aria-label={`Text diff of ${diff.path}`}>
        {shown.map((row, index) => (
          <div key={index} role="row" className={`textdiff-row textdiff-${row.kind}`}>
            <span className="textdiff-num" role="cell">
              {row.oldLine ?? ''}
            </span>
            <span className="textdiff-num" role="cell">
              {row.newLine ?? ''}
            </span>
            <span className="textdiff-marker" role="cell" aria-hidden="true">
              {row.kind === 'added' ? '+' : row.kind === 'removed' ? '−' : ''}
            </span>
            <span className="textdiff-text" role="cell">
              {row.text}
            </span>
          </div>
        ))}
      </div>
      {shown.length < rows.length ? (
        <button type="button" className="button button-small" onClick={() => setShowAll(true)}>
          Show all {formatCount(rows.length)} lines
        </button>
      ) : null}
    </div>
  );
}

function hexDump(base64: string, limit = 512): string {
  const bytes = Uint8Array.from(atob(base64).slice(0, limit), (c) => c.charCodeAt(0));
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const chunk = bytes.slice(offset, offset + 16);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

const formatMode = (mode: number | undefined) => (mode === undefined ? '—' : `0${(mode & 0o7777).toString(8)}`);

/** The attributes that differ between the two versions of a modified entry (those main reported). */
export function ModifiedAttributes({ file }: { file: ModifiedFile }) {
  const rows: [string, string, string][] = [];
  if (file.changes.includes('type')) rows.push(['Type', file.typeA ?? '—', file.typeB ?? '—']);
  if (file.changes.includes('size')) rows.push(['Size', formatBytes(file.sizeA), formatBytes(file.sizeB)]);
  if (file.changes.includes('content') && (file.sha256A || file.sha256B))
    rows.push(['SHA-256', file.sha256A?.slice(0, 12) ?? '—', file.sha256B?.slice(0, 12) ?? '—']);
  if (file.changes.includes('mode')) rows.push(['Mode', formatMode(file.modeA), formatMode(file.modeB)]);
  if (file.changes.includes('owner')) rows.push(['Owner', file.ownerA ?? '—', file.ownerB ?? '—']);
  if (file.changes.includes('linkTarget')) rows.push(['Link target', file.linkTargetA ?? '—', file.linkTargetB ?? '—']);
  rows.push(['Layer', String(file.layerA), String(file.layerB)]);
  return (
    <table className="data-table attribute-diff" aria-label="Changed attributes">
      <thead>
        <tr>
          <th />
          <th>Left</th>
          <th>Right</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, a, b]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td className="mono change-removed">{a}</td>
            <td className="mono change-added">{b}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function FileContentView({ file }: { file: FileContent }) {
  const text = useMemo(() => (file.binary ? hexDump(file.content) : file.content), [file]);
  // A final newline ends the last line; it does not start another.
  const lines = useMemo(() => (file.binary ? [] : text.replace(/\n$/, '').split('\n')), [file.binary, text]);
  return (
    <div className="filecontent" data-testid="file-content">
      <div className="preview-meta">
        {file.resolvedPath !== file.path ? (
          <>
            → <span className="mono">{file.resolvedPath}</span> ·{' '}
          </>
        ) : null}
        {formatBytes(file.size)} · layer {file.layer}
        {file.binary ? ' · binary (first bytes in hex)' : ''}
        {file.truncated ? ' · truncated: showing the beginning' : ''}
      </div>
      {file.binary ? (
        <pre className="hexdump">{text}</pre>
      ) : (
        <div className="filecontent-body">
          {lines.slice(0, INITIAL_ROWS * 5).map((line, index) => (
            <div key={index} className="filecontent-row">
              <span className="textdiff-num">{index + 1}</span>
              <span className="textdiff-text">{line}</span>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
