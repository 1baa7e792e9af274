/**
 * The preview pane beside a file tree (the selected path, then its preview as it loads), and what it
 * shows for a file: the text diff of its two versions (unified, two line-number gutters), its text, or
 * for binary content its size and a hex view of the first bytes. A file over the preview limit says so,
 * with Show anyway and Save… (data-testid "too-large"); a truncated file offers the same under its text.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { ErrorData } from '../../../shared/errors';
import {
  layerNumber,
  READ_FILE_MAX_BYTES,
  type FileContent,
  type ModifiedFile,
  type TextDiff,
} from '../../../shared/types/layers';
import { ErrorState, LoadingState } from '../../components/states';
import { formatBytes, formatCount } from '../../logic/format';
import { toErrorData } from '../../stores/loadable';
import { downloadFile } from './save-file';
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

/** Bytes of the file that a (possibly truncated) read holds. */
function shownBytes(file: FileContent): number {
  return file.binary
    ? Math.floor((file.content.replace(/=+$/, '').length * 3) / 4)
    : new TextEncoder().encode(file.content).length;
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
  rows.push(['Layer', String(layerNumber(file.layerA)), String(layerNumber(file.layerB))]);
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

/** What a view can offer for a file larger than what it shows. */
export interface LargeFileActions {
  /** Reads and shows it up to `images.readFile`'s maximum. */
  showAnyway?: () => void;
  /** The file's bytes as `images.readFile` gives them at its maximum, for Save…. */
  readWhole: () => Promise<FileContent>;
}

const showAnywayLabel = (size: number) =>
  size > READ_FILE_MAX_BYTES ? `Show the first ${formatBytes(READ_FILE_MAX_BYTES)}` : 'Show anyway';

/** Save… for a file: a download of its bytes (the first READ_FILE_MAX_BYTES of a larger one, and says so). */
function SaveFileButton({ path, size, read }: { path: string; size: number; read: () => Promise<FileContent> }) {
  const [state, setState] = useState<{ saving: boolean; error?: ErrorData }>({ saving: false });
  const partial = size > READ_FILE_MAX_BYTES;
  return (
    <>
      <button
        type="button"
        className="button button-small"
        disabled={state.saving}
        title={partial ? `Berth reads at most ${formatBytes(READ_FILE_MAX_BYTES)} of a file.` : undefined}
        onClick={() => {
          setState({ saving: true });
          read()
            .then((file) => {
              downloadFile(file, path);
              setState({ saving: false });
            })
            .catch((error: unknown) => setState({ saving: false, error: toErrorData(error) }));
        }}
      >
        {state.saving ? 'Saving…' : partial ? `Save the first ${formatBytes(READ_FILE_MAX_BYTES)}…` : 'Save…'}
      </button>
      {state.error ? (
        <p className="preview-note" role="alert">
          Could not save: {state.error.message}
        </p>
      ) : null}
    </>
  );
}

/** A file over the preview limit: its size and the limit, then what the user can do instead. */
export function TooLargeToPreview({
  path,
  size,
  limit,
  actions,
}: {
  path: string;
  size: number;
  limit: number;
  actions: LargeFileActions;
}) {
  return (
    <div className="preview-large" data-testid="too-large">
      <p className="preview-note">
        Too large to preview ({formatBytes(size)}; the limit is {formatBytes(limit)}).
      </p>
      <div className="preview-actions">
        {actions.showAnyway ? (
          <button type="button" className="button button-small" onClick={actions.showAnyway}>
            {showAnywayLabel(size)}
          </button>
        ) : null}
        <SaveFileButton path={path} size={size} read={actions.readWhole} />
      </div>
    </div>
  );
}

export function FileContentView({ file, actions }: { file: FileContent; actions?: LargeFileActions }) {
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
        {formatBytes(file.size)} · layer {layerNumber(file.layer)}
        {file.binary ? ' · binary (first bytes in hex)' : ''}
        {file.truncated ? ` · showing the first ${formatBytes(shownBytes(file))}` : ''}
      </div>
      {file.truncated && actions ? (
        <div className="preview-actions">
          {actions.showAnyway && shownBytes(file) < READ_FILE_MAX_BYTES ? (
            <button type="button" className="button button-small" onClick={actions.showAnyway}>
              {showAnywayLabel(file.size)}
            </button>
          ) : null}
          <SaveFileButton path={file.path} size={file.size} read={actions.readWhole} />
        </div>
      ) : null}
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
