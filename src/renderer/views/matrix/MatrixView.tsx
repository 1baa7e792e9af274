/**
 * The drift matrix: the same repositories across places (`host/namespace`) or a lane's stages. A row per
 * repository, expanded into a row per tag; each cell the tag's short digest and its state against the row's
 * reference cell. It fills in as the repositories are read, under a progress bar. Clicking a cell that has a
 * digest compares it with the reference cell; Ctrl/⌘-click (or a click on a missing cell) selects cells,
 * and the selection can be compared (two cells) or synced from the reference (missing / different cells).
 * The places, lane and repository pattern live in the route (`/matrix?in=a,b&repo=*`); a link from outside
 * fills them in and waits for Show.
 * Test hooks: the table is labelled "Drift matrix"; tag rows have data-row="repo:tag" and data-drift; cells
 * have data-state and an aria-label "PLACE REPO:TAG: STATE".
 */
import { useEffect, useMemo, useState, type MouseEvent } from 'react';
import type { MatrixColumn, MatrixRow } from '../../../shared/types/matrix';
import { FilterBox } from '../../components/FilterBox';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState } from '../../components/states';
import { ViewHeader } from '../../components/ViewHeader';
import { formatCount, plural, shortDigest } from '../../logic/format';
import { makeTagFilter } from '../../logic/tag-filter';
import { useNavigation } from '../../navigation/store';
import { cellId, useMatrix, type CellKey } from '../../stores/matrix';
import { usePromotion } from '../../stores/promotion';
import {
  cellReference,
  columnSummary,
  STATE_LABELS,
  syncable,
  syncGroups,
  visibleRows,
  type SyncGroup,
} from './matrix-cells';
import { SyncCellsDialog } from './SyncCellsDialog';
import './matrix.css';

/** Namespaces with more repositories than this start collapsed: a row per repository. */
const EXPAND_UP_TO = 20;

export function MatrixView({
  places = [],
  lane,
  repositories = '*',
  fromOutside = false,
}: {
  places?: string[];
  lane?: string | undefined;
  repositories?: string | undefined;
  /** Opened from a link: the places are filled in, and read only after a click on Show (issue 13 g). */
  fromOutside?: boolean;
}) {
  const build = useMatrix((s) => s.build);
  const navigate = useNavigation((s) => s.navigate);
  const ready = (lane !== undefined || places.length >= 2) && !fromOutside;
  const [reference, setReference] = useState(0);

  // `places` is a new array on every route parse: its text is what identifies the query.
  const placesKey = places.join(',');
  useEffect(() => {
    if (!ready) return;
    const query = { places: placesKey.split(',').filter(Boolean), repositories, reference };
    void build(lane ? { ...query, lane } : query);
  }, [placesKey, lane, repositories, reference, ready, build]);

  return (
    <div className="view matrix-view" data-testid="matrix-view">
      <ViewHeader icon="grid" title="Drift matrix" />
      <div className="view-body">
        <MatrixForm
          places={places}
          lane={lane}
          repositories={repositories}
          onShow={(next) => navigate({ view: 'matrix', ...next })}
        />
        {ready ? (
          <MatrixBody reference={reference} onReference={setReference} />
        ) : (
          <EmptyState
            icon="grid"
            title="Compare places"
            message={
              fromOutside && (places.length > 0 || lane)
                ? 'Opened from a link: check the places above and press Show.'
                : 'Name two or more places (host/namespace, comma-separated) or a promotion lane, and a repository pattern.'
            }
          />
        )}
      </div>
    </div>
  );
}

function MatrixForm({
  places,
  lane,
  repositories,
  onShow,
}: {
  places: string[];
  lane: string | undefined;
  repositories: string;
  onShow: (query: { places?: string[]; lane?: string; repositories: string }) => void;
}) {
  const lanes = usePromotion((s) => s.lanes);
  const loadLanes = usePromotion((s) => s.loadLanes);
  const [placesText, setPlacesText] = useState(places.join(', '));
  const [laneDraft, setLaneDraft] = useState(lane ?? '');
  const [pattern, setPattern] = useState(repositories);
  useEffect(() => void loadLanes(), [loadLanes]);
  // A new route (a link, the back button) replaces what was typed.
  const placesShown = places.join(', ');
  useEffect(() => {
    setPlacesText(placesShown);
    setLaneDraft(lane ?? '');
    setPattern(repositories);
  }, [placesShown, lane, repositories]);

  return (
    <form
      className="matrix-form"
      onSubmit={(event) => {
        event.preventDefault();
        const typed = placesText.split(/[\s,]+/).filter(Boolean);
        onShow(laneDraft ? { lane: laneDraft, repositories: pattern } : { places: typed, repositories: pattern });
      }}
    >
      <label className="matrix-field matrix-places">
        Places
        <input
          className="input mono"
          value={placesText}
          disabled={laneDraft !== ''}
          placeholder="registry-a/prod, registry-b/prod"
          onChange={(event) => setPlacesText(event.target.value)}
        />
      </label>
      <label className="matrix-field">
        or lane
        <select className="input" value={laneDraft} onChange={(event) => setLaneDraft(event.target.value)}>
          <option value="">—</option>
          {(lanes?.value ?? []).map((candidate) => (
            <option key={candidate.name} value={candidate.name}>
              {candidate.name}
            </option>
          ))}
        </select>
      </label>
      <label className="matrix-field">
        Repositories
        <input
          className="input mono"
          value={pattern}
          placeholder="* or team/**"
          onChange={(event) => setPattern(event.target.value)}
        />
      </label>
      <button type="submit" className="button button-primary">
        Show
      </button>
    </form>
  );
}

function MatrixBody({ reference, onReference }: { reference: number; onReference: (column: number) => void }) {
  const state = useMatrix((s) => s);
  const navigate = useNavigation((s) => s.navigate);
  const [driftOnly, setDriftOnly] = useState(false);
  const [tagPattern, setTagPattern] = useState('');
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  /** The groups to sync, fixed when the dialog opens (the dialog plans them once). */
  const [syncing, setSyncing] = useState<SyncGroup[] | null>(null);
  const tagFilter = useMemo(() => makeTagFilter(tagPattern, 'glob'), [tagPattern]);

  const shown = useMemo(
    () =>
      state.repositories.flatMap((repository) => {
        const rows = visibleRows(state.rows[repository] ?? [], driftOnly, tagFilter.test);
        return rows.length > 0 ? [{ repository, rows }] : [];
      }),
    [state.repositories, state.rows, driftOnly, tagFilter],
  );
  const totalRows = shown.reduce((sum, entry) => sum + entry.rows.length, 0);
  const drifted = shown.reduce((sum, entry) => sum + entry.rows.filter((row) => row.drift).length, 0);
  const isExpanded = (repository: string) => expanded[repository] ?? state.repositories.length <= EXPAND_UP_TO;
  const selected = Object.values(state.selection);
  const groups = syncGroups(state.columns, state.rows, selected);
  const pair = selected.length === 2 ? selected.map((key) => imageOf(state.columns, state.rows, key)) : [];

  const onCell = (event: MouseEvent, row: MatrixRow, column: number) => {
    const key: CellKey = { repository: row.repository, tag: row.tag, column };
    const cell = row.cells[column]!;
    const comparable = cell.digest && row.reference !== null && row.reference !== column;
    if (event.ctrlKey || event.metaKey || event.shiftKey || !comparable) {
      if (cell.digest || syncable(row, column)) state.toggleCell(key);
      return;
    }
    const referenceCell = row.cells[row.reference!]!;
    navigate({
      view: 'compare',
      a: cellReference(state.columns[row.reference!]!, row, referenceCell.digest!),
      b: cellReference(state.columns[column]!, row, cell.digest!),
    });
  };

  return (
    <>
      <div className="tree-toolbar matrix-toolbar">
        <label className="matrix-check">
          <input type="checkbox" checked={driftOnly} onChange={(event) => setDriftOnly(event.target.checked)} />
          Only drift
        </label>
        <FilterBox
          className="matrix-tag-filter"
          aria-label="Filter tags"
          placeholder="Tag pattern, e.g. prod-*"
          value={tagPattern}
          onValue={setTagPattern}
        />
        {tagFilter.error ? <span className="field-error">{tagFilter.error}</span> : null}
        {(
          [
            ['Expand all', true],
            ['Collapse all', false],
          ] as const
        ).map(([label, open]) => (
          <button
            key={label}
            type="button"
            className="button button-small"
            onClick={() => setExpanded(Object.fromEntries(state.repositories.map((r) => [r, open])))}
          >
            {label}
          </button>
        ))}
        <span className="tree-summary">
          {plural(shown.length, 'repository', 'repositories')} · {plural(totalRows, 'tag')} · {formatCount(drifted)}{' '}
          drifted
        </span>
      </div>
      {state.status === 'loading' ? (
        <div className="matrix-progress">
          <ProgressBar current={state.progress.current} total={state.progress.total} label="Reading the matrix" />
          <span className="muted">{state.progress.status}</span>
          <button type="button" className="button button-small" onClick={() => state.cancel()}>
            Cancel
          </button>
        </div>
      ) : null}
      {state.status === 'error' && state.error ? (
        <ErrorState error={state.error} context="Could not read the drift matrix" />
      ) : null}
      {selected.length > 0 ? (
        <div className="matrix-selection" role="region" aria-label="Selected cells">
          <span>{plural(selected.length, 'cell')} selected</span>
          {pair.length === 2 && pair[0] && pair[1] ? (
            <button
              type="button"
              className="button button-small"
              onClick={() => navigate({ view: 'compare', a: pair[0]!, b: pair[1]! })}
            >
              Compare the two
            </button>
          ) : null}
          <button
            type="button"
            className="button button-small button-primary"
            disabled={groups.length === 0}
            title={
              groups.length === 0 ? 'Select missing or different cells to sync them from their reference' : undefined
            }
            onClick={() => setSyncing(groups)}
          >
            Sync from reference…
          </button>
          <button type="button" className="button button-small" onClick={() => state.clearSelection()}>
            Clear
          </button>
        </div>
      ) : null}
      {state.columns.length > 0 ? (
        <div className="matrix-scroll">
          <table className="data-table matrix-table" aria-label="Drift matrix">
            <thead>
              <tr>
                <th scope="col">Repository</th>
                {state.columns.map((column, position) => (
                  <th key={position} scope="col" title={`${column.host}/${column.namespace}`}>
                    <ColumnHeader
                      column={column}
                      isReference={position === reference}
                      onReference={() => onReference(position)}
                    />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map(({ repository, rows }) => (
                <RepositoryRows
                  key={repository}
                  repository={repository}
                  rows={rows}
                  columns={state.columns}
                  expanded={isExpanded(repository)}
                  onToggle={() => setExpanded({ ...expanded, [repository]: !isExpanded(repository) })}
                  selection={state.selection}
                  onCell={onCell}
                />
              ))}
            </tbody>
          </table>
          {state.status === 'ready' && shown.length === 0 ? (
            <p className="muted panel-note">
              {state.repositories.length === 0
                ? 'No repository matches in these places.'
                : 'No tag passes the filters.'}
            </p>
          ) : null}
        </div>
      ) : null}
      {syncing ? (
        <SyncCellsDialog
          groups={syncing}
          onClose={(changed) => {
            setSyncing(null);
            if (changed && state.query) {
              state.clearSelection();
              void state.build(state.query);
            }
          }}
        />
      ) : null}
    </>
  );
}

function imageOf(
  columns: readonly MatrixColumn[],
  rows: Readonly<Record<string, readonly MatrixRow[]>>,
  key: CellKey,
): string | undefined {
  const row = rows[key.repository]?.find((candidate) => candidate.tag === key.tag);
  const digest = row?.cells[key.column]?.digest;
  return row && digest ? cellReference(columns[key.column]!, row, digest) : undefined;
}

function ColumnHeader({
  column,
  isReference,
  onReference,
}: {
  column: MatrixColumn;
  isReference: boolean;
  onReference: () => void;
}) {
  return (
    <div className="matrix-column">
      <span className="mono">{column.name}</span>
      {column.error ? (
        <span className="matrix-column-error" role="img" aria-label={`Not read: ${column.error}`} title={column.error}>
          <Icon name="alert" size={12} />
        </span>
      ) : null}
      <button
        type="button"
        className="link-button matrix-reference"
        aria-pressed={isReference}
        title="Compare the other places with this one"
        onClick={onReference}
      >
        {isReference ? 'reference' : 'use as reference'}
      </button>
    </div>
  );
}

function RepositoryRows({
  repository,
  rows,
  columns,
  expanded,
  onToggle,
  selection,
  onCell,
}: {
  repository: string;
  rows: MatrixRow[];
  columns: MatrixColumn[];
  expanded: boolean;
  onToggle: () => void;
  selection: Record<string, CellKey>;
  onCell: (event: MouseEvent, row: MatrixRow, column: number) => void;
}) {
  return (
    <>
      <tr className="matrix-repository" data-repository={repository}>
        <th scope="row">
          <button type="button" className="link-button matrix-toggle" aria-expanded={expanded} onClick={onToggle}>
            <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> {repository}
          </button>
          <span className="muted"> {plural(rows.length, 'tag')}</span>
        </th>
        {columns.map((_, position) => {
          const summary = columnSummary(rows, position);
          return (
            <td key={position} className={`matrix-summary state-${summary.state}`} data-state={summary.state}>
              {summary.text}
            </td>
          );
        })}
      </tr>
      {expanded
        ? rows.map((row) => (
            <tr key={row.tag} className="matrix-tag" data-row={`${row.repository}:${row.tag}`} data-drift={row.drift}>
              <th scope="row" className="mono">
                {row.repository}:{row.tag}
              </th>
              {row.cells.map((cell, position) => {
                const isReference = position === row.reference;
                const picked = Boolean(
                  selection[cellId({ repository: row.repository, tag: row.tag, column: position })],
                );
                return (
                  <td key={position}>
                    <button
                      type="button"
                      className={`matrix-cell state-${cell.state}${isReference ? ' is-reference' : ''}${picked ? ' is-selected' : ''}`}
                      data-state={cell.state}
                      aria-pressed={picked}
                      aria-label={`${columns[position]!.name} ${row.repository}:${row.tag}: ${isReference ? 'reference' : STATE_LABELS[cell.state]}`}
                      title={cell.digest ?? STATE_LABELS[cell.state]}
                      onClick={(event) => onCell(event, row, position)}
                    >
                      {cell.digest ? <span className="mono">{shortDigest(cell.digest)}</span> : null}
                      <span className="matrix-state">{isReference ? 'reference' : STATE_LABELS[cell.state]}</span>
                    </button>
                  </td>
                );
              })}
            </tr>
          ))
        : null}
    </>
  );
}
