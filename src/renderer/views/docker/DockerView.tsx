/**
 * The local Docker engine: its images, and pull / tag / push with a progress bar per layer and an overall
 * bar, cancellable; the engine's errors shown whole (they say what to do: a login, an insecure registry).
 * Test hooks: the pull field is labelled "Image to pull"; each transfer is data-testid "transfer" with
 * data-kind and data-phase; image rows are grid rows keyed by `repo:tag` (or the id when untagged).
 */
import { useEffect, useMemo, useState } from 'react';
import type { EngineInfo, LocalImage } from '../../../shared/types/docker';
import type { ItemProgress } from '../../../shared/types/operations';
import type { ErrorData } from '../../../shared/errors';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { ViewHeader } from '../../components/ViewHeader';
import { formatBytes, formatRelative, formatTimestamp, shortDigest } from '../../logic/format';
import { adviseOn } from '../../logic/errors';
import { useNavigation } from '../../navigation/store';
import { LAYER_COMPLETE, LAYER_FAILED, useDocker, type Transfer } from '../../stores/docker';
import '../compare/compare.css';
import '../promote/promote.css';
import './docker.css';

interface ImageRow {
  key: string;
  /** `repo:tag`, or the image id when untagged. */
  reference: string;
  repository: string;
  tag: string;
  image: LocalImage;
}

/**
 * Newest first: images pulled in this session on top (the latest pull first), then the rest by build date.
 * The engine keeps no pull time, and an image built long ago would otherwise land at the bottom just as the
 * user pulled it. `pulled`: the references of finished pulls, latest first.
 */
function imageRows(images: readonly LocalImage[], pulled: readonly string[] = []): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const image of images) {
    const tags = image.repoTags.filter((t) => t !== '<none>:<none>');
    if (tags.length === 0) {
      rows.push({ key: image.id, reference: image.id, repository: '<none>', tag: '<none>', image });
      continue;
    }
    for (const repoTag of tags) {
      const colon = repoTag.lastIndexOf(':');
      rows.push({
        key: repoTag,
        reference: repoTag,
        repository: repoTag.slice(0, colon),
        tag: repoTag.slice(colon + 1),
        image,
      });
    }
  }
  const pullRank = (row: ImageRow) => {
    const index = pulled.findIndex(
      (reference) =>
        reference === row.reference ||
        `${reference}:latest` === row.reference ||
        row.image.repoDigests.includes(reference),
    );
    return index === -1 ? pulled.length : index;
  };
  return rows.sort(
    (a, b) =>
      pullRank(a) - pullRank(b) ||
      (a.image.created < b.image.created ? 1 : a.image.created > b.image.created ? -1 : a.key.localeCompare(b.key)),
  );
}

export function DockerView() {
  const load = useDocker((s) => s.load);
  const engine = useDocker((s) => s.engine);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="view docker-view" data-testid="docker-view">
      <ViewHeader icon="docker" title="Local Docker">
        {engine?.value ? <EngineLine engine={engine.value} /> : null}
        <button type="button" className="button button-small docker-refresh" onClick={() => void load()}>
          <Icon name="refresh" size={13} /> Refresh
        </button>
      </ViewHeader>
      <div className="view-body">
        {!engine || (engine.status === 'loading' && !engine.value) ? (
          <LoadingState label="Looking for the Docker engine…" />
        ) : null}
        {engine?.status === 'error' ? (
          <ErrorState error={engine.error} context="Docker engine" handlers={{ retry: () => void load() }} />
        ) : null}
        {engine?.value && !engine.value.reachable ? <EngineUnreachable engine={engine.value} /> : null}
        {engine?.value?.reachable ? <EngineContent /> : null}
      </div>
    </div>
  );
}

function EngineLine({ engine }: { engine: EngineInfo }) {
  const about = `${engine.product ?? 'Docker'} ${engine.version} · API ${engine.apiVersion} · ${engine.os}/${engine.arch}`;
  return (
    <span
      className="engine-line"
      data-testid="engine-line"
      title={engine.reachable ? `${engine.host}\n${about}` : engine.host}
    >
      <span className={`engine-dot ${engine.reachable ? 'ok' : 'down'}`} aria-hidden="true" />
      <span className="mono engine-host">{engine.host}</span>
      {engine.reachable ? (
        <span className="muted engine-about">{about}</span>
      ) : (
        <span className="change-removed">unreachable</span>
      )}
    </span>
  );
}

function EngineUnreachable({ engine }: { engine: EngineInfo }) {
  const navigate = useNavigation((s) => s.navigate);
  const load = useDocker((s) => s.load);
  return (
    <div className="state state-error" role="alert">
      <Icon name="alert" size={28} className="state-icon" />
      <div className="state-title">The Docker engine at {engine.host} does not answer</div>
      {engine.message ? <div className="state-message">{engine.message}</div> : null}
      {engine.candidates && engine.candidates.length > 0 ? (
        <div className="state-hint">
          Engines found on this machine:{' '}
          {engine.candidates.map((c) => `${c.host} (${c.source}${c.present ? '' : ', not running'})`).join(', ')}
        </div>
      ) : null}
      <div className="state-actions">
        <button type="button" className="button button-primary" onClick={() => void load()}>
          Try again
        </button>
        <button type="button" className="button" onClick={() => navigate({ view: 'settings' })}>
          Choose the engine in Settings
        </button>
      </div>
    </div>
  );
}

function EngineContent() {
  const transfers = useDocker((s) => s.transfers);
  const notice = useDocker((s) => s.notice);
  const dismissNotice = useDocker((s) => s.dismissNotice);
  return (
    <div className="docker-content">
      <PullForm />
      {notice ? (
        <div
          className={`notice ${notice.kind === 'ok' ? 'notice-ok' : 'notice-error'}`}
          role={notice.kind === 'ok' ? 'status' : 'alert'}
          data-testid="docker-notice"
        >
          <Icon name={notice.kind === 'ok' ? 'check' : 'alert'} size={14} />
          <div>
            <div>{notice.text}</div>
            {notice.error ? <EngineError error={notice.error} /> : null}
          </div>
          <button type="button" className="icon-button notice-close" aria-label="Dismiss" onClick={dismissNotice}>
            <Icon name="close" size={12} />
          </button>
        </div>
      ) : null}
      {transfers.length > 0 ? (
        <section className="transfers" aria-label="Transfers">
          {transfers.map((transfer) => (
            <TransferCard key={transfer.id} transfer={transfer} />
          ))}
        </section>
      ) : null}
      <ImagesTable />
    </div>
  );
}

function PullForm() {
  const pull = useDocker((s) => s.pull);
  const [reference, setReference] = useState('');
  return (
    <form
      className="pull-form"
      onSubmit={(event) => {
        event.preventDefault();
        const value = reference.trim();
        if (value) void pull(value);
      }}
    >
      <label className="filter-box pull-field">
        <Icon name="download" size={13} />
        <input
          aria-label="Image to pull"
          className="input-bare mono"
          placeholder="Pull an image: registry/repository:tag"
          value={reference}
          onChange={(event) => setReference(event.target.value)}
          spellCheck={false}
        />
      </label>
      <button type="submit" className="button button-primary" disabled={!reference.trim()}>
        Pull
      </button>
    </form>
  );
}

/**
 * The engine's message in full (it often names the exact fix), as a sentence under a title in words; the
 * error code stays in data-error-code for tests, not on screen.
 */
function EngineError({ error, title }: { error: ErrorData; title?: string }) {
  const { hint } = adviseOn(error);
  return (
    <div className="engine-error" data-error-code={error.code}>
      {title ? <strong>{title}</strong> : null}
      <p>{error.message}</p>
      {hint ? <p className="muted">{hint}</p> : null}
    </div>
  );
}

function percentOf(current: number, total: number): string {
  return total > 0 ? `${Math.min(100, Math.floor((current / total) * 100))}%` : '';
}

/**
 * A layer's bar: full once the engine says the layer is done (even when it never gave a size, as for
 * "Layer already exists"), bytes while it transfers, empty while it waits.
 */
function LayerBar({ item }: { item: ItemProgress }) {
  const complete = LAYER_COMPLETE.test(item.status);
  const [current, total] = complete
    ? [Math.max(item.total, 1), Math.max(item.total, 1)]
    : item.total > 0
      ? [item.current, item.total]
      : [0, 1];
  return <ProgressBar current={current} total={total} label={`Layer ${item.id}`} />;
}

function TransferCard({ transfer }: { transfer: Transfer }) {
  const cancel = useDocker((s) => s.cancel);
  const dismiss = useDocker((s) => s.dismiss);
  const running = transfer.phase === 'running';
  const verb = transfer.kind === 'pull' ? 'Pull' : 'Push';
  return (
    <article
      className={`transfer transfer-${transfer.phase}`}
      data-testid="transfer"
      data-kind={transfer.kind}
      data-phase={transfer.phase}
      data-reference={transfer.reference}
      aria-label={`${verb} ${transfer.reference}`}
    >
      <header className="transfer-header">
        <Icon name={transfer.kind === 'pull' ? 'download' : 'registry'} size={14} />
        <span className="transfer-title">
          {verb} <span className="mono">{transfer.reference}</span>
        </span>
        <span className="transfer-status" data-testid="transfer-status">
          {transfer.status}
        </span>
        {running ? (
          <button type="button" className="button button-small" onClick={() => void cancel(transfer.id)}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="icon-button"
            aria-label={`Dismiss ${verb.toLowerCase()} of ${transfer.reference}`}
            onClick={() => dismiss(transfer.id)}
          >
            <Icon name="close" size={12} />
          </button>
        )}
      </header>
      <div className="transfer-overall">
        {transfer.phase === 'failed' || transfer.phase === 'cancelled' ? (
          <span />
        ) : (
          <ProgressBar
            current={transfer.current}
            total={transfer.total}
            label={`${verb} ${transfer.reference} overall`}
          />
        )}
        <span className="transfer-percent" data-testid="transfer-percent">
          {percentOf(transfer.current, transfer.total)}
        </span>
        <span className="muted transfer-bytes">
          {transfer.total > 1 ? `${formatBytes(transfer.current)} / ${formatBytes(transfer.total)}` : ''}
        </span>
      </div>
      {transfer.items.length > 0 ? (
        <ul className="transfer-layers" aria-label="Layers">
          {transfer.items.map((item) => (
            <li
              key={item.id}
              data-layer={item.id}
              className={LAYER_FAILED.test(item.status) ? 'transfer-layer-failed' : undefined}
              data-failed={LAYER_FAILED.test(item.status) || undefined}
            >
              <span className="mono">{item.id.startsWith('sha256:') ? shortDigest(item.id) : item.id}</span>
              <span className={`transfer-layer-status${LAYER_FAILED.test(item.status) ? ' change-removed' : ''}`}>
                {LAYER_FAILED.test(item.status) ? <Icon name="alert" size={12} /> : null}
                {item.status}
              </span>
              <LayerBar item={item} />
              <span className="muted transfer-bytes">
                {item.total > 0 ? `${formatBytes(item.current)} / ${formatBytes(item.total)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {transfer.digest ? (
        <div className="transfer-digest">
          Digest{' '}
          <span className="mono" data-testid="transfer-digest">
            {transfer.digest}
          </span>{' '}
          <CopyButton text={transfer.digest} label="Copy digest" />
        </div>
      ) : null}
      {transfer.error && transfer.phase === 'failed' ? (
        <EngineError error={transfer.error} title={`${verb} failed.`} />
      ) : null}
    </article>
  );
}

/** A name in a cell: cut when the column is narrow, whole in its tooltip. */
function MonoCell({ text, title = text }: { text: string; title?: string }) {
  return (
    <span className="mono" title={title}>
      {text}
    </span>
  );
}

function ImagesTable() {
  const images = useDocker((s) => s.images);
  const push = useDocker((s) => s.push);
  const refreshImages = useDocker((s) => s.refreshImages);
  const navigate = useNavigation((s) => s.navigate);
  const [tagging, setTagging] = useState<ImageRow | null>(null);
  const [removing, setRemoving] = useState<ImageRow | null>(null);
  const transfers = useDocker((s) => s.transfers);
  const pulled = useMemo(
    () => transfers.filter((t) => t.kind === 'pull' && t.phase === 'done').map((t) => t.reference),
    [transfers],
  );
  const rows = useMemo(() => imageRows(images?.value ?? [], pulled), [images, pulled]);

  if (!images || (images.status === 'loading' && !images.value)) return <LoadingState label="Loading images…" />;
  if (images.status === 'error')
    return (
      <ErrorState
        error={images.error}
        context="Could not list images"
        handlers={{ retry: () => void refreshImages() }}
      />
    );

  const columns: Column<ImageRow>[] = [
    // Widths sum to 680px at least, so every column and the row actions fit the 1024px window (issue 20);
    // names and tags that do not fit are cut, whole in their tooltip.
    {
      id: 'repository',
      header: 'Repository',
      width: 'minmax(120px, 2fr)',
      cell: (row) => <MonoCell text={row.repository} />,
    },
    { id: 'tag', header: 'Tag', width: 'minmax(80px, 1fr)', cell: (row) => <MonoCell text={row.tag} /> },
    {
      id: 'id',
      header: 'Image ID',
      width: '110px',
      cell: (row) => <MonoCell text={row.image.id.replace(/^sha256:/, '').slice(0, 12)} title={row.image.id} />,
    },
    {
      id: 'created',
      header: 'Created',
      width: '104px',
      cell: (row) => <span title={formatTimestamp(row.image.created)}>{formatRelative(row.image.created)}</span>,
    },
    { id: 'size', header: 'Size', width: '80px', align: 'end', cell: (row) => formatBytes(row.image.size) },
    {
      id: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      width: '190px',
      align: 'end',
      cell: (row) => {
        const tagged = row.tag !== '<none>';
        return (
          <span className="row-actions" onClick={(event) => event.stopPropagation()}>
            <button
              type="button"
              className="button button-small"
              onClick={() => setTagging(row)}
              aria-label={`Tag ${row.reference}`}
            >
              <Icon name="tag" size={12} /> Tag
            </button>
            {tagged ? (
              <button
                type="button"
                className="button button-small"
                onClick={() => void push(row.reference)}
                aria-label={`Push ${row.reference}`}
              >
                Push
              </button>
            ) : null}
            {tagged ? (
              <button
                type="button"
                className="icon-button"
                title="Layers"
                aria-label={`Layers of ${row.reference}`}
                onClick={() => navigate({ view: 'layers', reference: `docker-daemon:${row.reference}` })}
              >
                <Icon name="layers" size={13} />
              </button>
            ) : null}
            <button
              type="button"
              className="icon-button"
              title="Remove"
              aria-label={`Remove ${row.reference}`}
              onClick={() => setRemoving(row)}
            >
              <Icon name="trash" size={13} />
            </button>
          </span>
        );
      },
    },
  ];

  return (
    <section className="docker-images" aria-label="Images">
      <div className="panel-title">
        Images <span className="muted">{rows.length}</span>
      </div>
      {rows.length === 0 ? (
        <EmptyState
          icon="docker"
          title="No images in this engine"
          message="Pull one above, or build one with docker build."
        />
      ) : (
        <VirtualTable label="Local images" rows={rows} columns={columns} rowKey={(row) => row.key} rowHeight={30} />
      )}
      {tagging ? <TagDialog row={tagging} onClose={() => setTagging(null)} /> : null}
      {removing ? <RemoveDialog row={removing} onClose={() => setRemoving(null)} /> : null}
    </section>
  );
}

function TagDialog({ row, onClose }: { row: ImageRow; onClose: () => void }) {
  const tag = useDocker((s) => s.tag);
  const push = useDocker((s) => s.push);
  const [target, setTarget] = useState(row.tag === '<none>' ? '' : row.reference);
  const [pushAfter, setPushAfter] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const value = target.trim();
    if (!value) return;
    setBusy(true);
    const ok = await tag(row.reference, value);
    setBusy(false);
    if (!ok) return;
    onClose();
    if (pushAfter) void push(value);
  };
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Tag image"
      description={
        <>
          New name for <span className="mono">{row.reference}</span> (
          {row.image.id.replace(/^sha256:/, '').slice(0, 12)})
        </>
      }
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="docker-tag-form"
            className="button button-primary"
            disabled={busy || !target.trim() || target.trim() === row.reference}
          >
            Tag
          </button>
        </>
      }
    >
      <form
        id="docker-tag-form"
        className="promote-choose"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label className="field-label" htmlFor="docker-tag-target">
          Target (registry/repository:tag)
        </label>
        <input
          id="docker-tag-target"
          className="input mono"
          autoFocus
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          spellCheck={false}
        />
        <label className="checkbox-line">
          <input type="checkbox" checked={pushAfter} onChange={(event) => setPushAfter(event.target.checked)} /> Push it
          after tagging
        </label>
      </form>
    </Dialog>
  );
}

function RemoveDialog({ row, onClose }: { row: ImageRow; onClose: () => void }) {
  const remove = useDocker((s) => s.remove);
  const [force, setForce] = useState(false);
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Remove image"
      description={
        <>
          Remove <span className="mono">{row.reference}</span> from the local engine? Other tags of the same image stay.
        </>
      }
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-danger"
            onClick={() => {
              onClose();
              void remove(row.reference, force);
            }}
          >
            Remove
          </button>
        </>
      }
    >
      <label className="checkbox-line">
        <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} /> Force (also when
        a stopped container uses it)
      </label>
    </Dialog>
  );
}
