/**
 * The promotion audit log: every promotion Berth (desktop or CLI) ran, refused or failed, newest first.
 * The search box filters through main (any field: user, source, target, digest, message) and lives in
 * the route (`/history?q=`); outcome toggles filter what came back. Source and target open their images.
 * Test hooks: the table is labelled "Promotion history"; rows have data-outcome.
 */
import { Fragment, useEffect, useMemo, useState } from 'react';
import type { AuditEntry, AuditOutcome } from '../../../shared/types/promotion';
import {
  ColumnChooser,
  useOptionalColumns,
  type ColumnChoice,
  type OptionalColumn,
} from '../../components/ColumnChooser';
import { CopyButton } from '../../components/CopyButton';
import { FilterBox } from '../../components/FilterBox';
import { Icon } from '../../components/Icon';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { ViewHeader } from '../../components/ViewHeader';
import { formatBytes, formatCount, formatRelative, formatTimestamp, shortDigest } from '../../logic/format';
import { useNavigation } from '../../navigation/store';
import { AUDIT_OUTCOMES, HISTORY_LIMIT, useHistory, visibleEntries } from '../../stores/history';
import '../compare/compare.css';
import './history.css';

const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  success: 'Promoted',
  failure: 'Failed',
  refused: 'Refused',
  cancelled: 'Cancelled',
};

/** Columns that give way, Transfer first, when the table is narrow (a 1024px window); the chooser brings them back. */
const OPTIONAL_COLUMNS: OptionalColumn[] = [
  { id: 'transfer', label: 'Transfer', minTableWidth: 900 },
  { id: 'by', label: 'By', minTableWidth: 640 },
];

export function HistoryView({ query = '' }: { query?: string }) {
  const load = useHistory((s) => s.load);
  const entries = useHistory((s) => s.entries);
  const outcomes = useHistory((s) => s.outcomes);
  const toggleOutcome = useHistory((s) => s.toggleOutcome);
  const navigate = useNavigation((s) => s.navigate);
  const [draft, setDraft] = useState(query);
  const optional = useOptionalColumns(OPTIONAL_COLUMNS);

  useEffect(() => {
    setDraft(query);
    void load(query);
  }, [query, load]);

  // Typing updates the route (replacing the entry) after a pause; the route drives the load.
  useEffect(() => {
    if (draft === query) return;
    const timer = setTimeout(
      () => navigate({ view: 'history', ...(draft.trim() ? { query: draft.trim() } : {}) }, { replace: true }),
      300,
    );
    return () => clearTimeout(timer);
  }, [draft, query, navigate]);

  const all = entries?.value ?? [];
  const shown = useMemo(() => visibleEntries(all, outcomes), [all, outcomes]);
  const counts = useMemo(() => {
    const byOutcome: Record<AuditOutcome, number> = { success: 0, failure: 0, refused: 0, cancelled: 0 };
    for (const entry of all) byOutcome[entry.outcome]++;
    return byOutcome;
  }, [all]);

  return (
    <div className="view history-view" data-testid="history-view">
      <ViewHeader icon="history" title="Promotion history">
        <button type="button" className="button button-small history-refresh" onClick={() => void load(query)}>
          <Icon name="refresh" size={13} /> Refresh
        </button>
      </ViewHeader>
      <div className="view-body">
        <div className="tree-toolbar">
          <FilterBox
            className="history-search"
            aria-label="Search history"
            placeholder="Search: user, image, digest, message"
            value={draft}
            onValue={setDraft}
          />
          <div className="kind-toggles" role="group" aria-label="Outcomes">
            {AUDIT_OUTCOMES.map((outcome) => (
              <button
                key={outcome}
                type="button"
                className={`kind-toggle outcome-${outcome}`}
                aria-pressed={outcomes.has(outcome)}
                onClick={() => toggleOutcome(outcome)}
              >
                <span className="kind-dot" aria-hidden="true" />
                {OUTCOME_LABELS[outcome]}
                <span className="kind-count">{formatCount(counts[outcome])}</span>
              </button>
            ))}
          </div>
          {all.length >= HISTORY_LIMIT ? (
            <span className="tree-summary">Newest {formatCount(HISTORY_LIMIT)} shown: search to narrow.</span>
          ) : null}
          <ColumnChooser {...optional} />
        </div>
        {!entries || (entries.status === 'loading' && !entries.value) ? (
          <LoadingState label="Reading the audit log…" />
        ) : null}
        {entries?.status === 'error' ? (
          <ErrorState
            error={entries.error}
            context="Could not read the history"
            handlers={{ retry: () => void load(query) }}
          />
        ) : null}
        {entries?.value && all.length === 0 ? (
          <EmptyState
            icon="history"
            title={query ? 'No promotion matches' : 'No promotions yet'}
            message={
              query
                ? `Nothing in the log mentions “${query}”.`
                : 'Every promotion (from the lanes board, a “Promote to…” menu or `berth promote`) is recorded here.'
            }
          />
        ) : null}
        {all.length > 0 ? <HistoryTable entries={shown} columns={optional} /> : null}
      </div>
    </div>
  );
}

function ImageLink({ reference }: { reference: string }) {
  const navigate = useNavigation((s) => s.navigate);
  return (
    <a
      className="image-link mono"
      href={`/images?ref=${encodeURIComponent(reference)}`}
      title={`Open ${reference}`}
      // The name is the reference as written: the <wbr> break points below are no part of it.
      aria-label={reference}
      onClick={(event) => {
        event.preventDefault();
        navigate({ view: 'image', reference });
      }}
    >
      {/* Lines break after a slash where they can (wbr), anywhere only where a part is longer than the column. */}
      {reference.split('/').map((part, index) => (
        <Fragment key={index}>
          {index > 0 ? (
            <>
              /<wbr />
            </>
          ) : null}
          {part}
        </Fragment>
      ))}
    </a>
  );
}

function HistoryTable({
  entries,
  columns,
}: {
  entries: AuditEntry[];
  columns: ColumnChoice & { ref: (element: HTMLElement | null) => void };
}) {
  if (entries.length === 0) return <p className="muted panel-note">No entry has the chosen outcomes.</p>;
  const transfer = columns.isShown('transfer');
  const by = columns.isShown('by');
  return (
    <div className="history-scroll" ref={columns.ref}>
      <table className="data-table history-table" aria-label="Promotion history">
        <thead>
          <tr>
            <th className="col-when">When</th>
            <th className="col-outcome">Outcome</th>
            <th>Source</th>
            <th>Target</th>
            <th className="col-digest">Digest</th>
            {transfer ? <th className="col-transfer">Transfer</th> : null}
            {by ? <th className="col-by">By</th> : null}
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, index) => (
            <tr key={`${entry.at}-${index}`} data-outcome={entry.outcome}>
              <td title={formatTimestamp(entry.at)} className="nowrap">
                {formatRelative(entry.at)}
              </td>
              <td>
                <span className={`outcome-badge outcome-${entry.outcome}`}>{OUTCOME_LABELS[entry.outcome]}</span>
              </td>
              <td>
                <ImageLink reference={entry.source} />
              </td>
              <td>
                <ImageLink reference={entry.target} />
                {entry.message ? <div className="history-message">{entry.message}</div> : null}
              </td>
              <td className="nowrap">
                {entry.digest ? (
                  <>
                    <span className="mono" title={entry.digest}>
                      {shortDigest(entry.digest)}
                    </span>
                    <CopyButton text={entry.digest} label="Copy digest" />
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              {transfer ? <td className="muted">{transferText(entry)}</td> : null}
              {by ? (
                <td>
                  {entry.user}
                  {entry.registryUser && entry.registryUser !== entry.user ? (
                    <span className="muted"> as {entry.registryUser}</span>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function transferText(entry: AuditEntry): string {
  const parts: string[] = [];
  if (entry.strategy) parts.push(entry.strategy);
  if (entry.blobsMounted) parts.push(`${entry.blobsMounted} mounted`);
  if (entry.blobsCopied) parts.push(`${entry.blobsCopied} copied (${formatBytes(entry.bytesCopied ?? 0)})`);
  if (entry.durationMs !== undefined) parts.push(`${(entry.durationMs / 1000).toFixed(1)} s`);
  return parts.join(' · ') || '—';
}
