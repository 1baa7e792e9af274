/**
 * One repository: its tags in the tag table, with the toolbar (filter, sort, grouping), the progress of
 * the background details fetch and the sort's completeness. Docker Hub repositories fetch details only
 * for rows on screen until a date or size sort (or "Load all details") asks for the rest.
 * Test hooks: input "Filter tags", select "Filter mode", select "Sort by", checkbox "Group by digest",
 * [data-testid=sort-status] with data-complete="true" once a date/size sort covers every tag,
 * [data-testid=details-progress]; the "Columns" chooser shows or hides the optional columns (TagTable.tsx).
 */
import { useEffect } from 'react';
import { DOCKER_HUB } from '../../../shared/reference';
import { ColumnChooser } from '../../components/ColumnChooser';
import { CopyButton } from '../../components/CopyButton';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatCount, plural } from '../../logic/format';
import { shareableLink } from '../../logic/links';
import { pullName } from '../../logic/references';
import { splitArtifactTags } from '../../logic/artifact-tags';
import { FILTER_MODES, makeTagFilter, type FilterMode } from '../../logic/tag-filter';
import { countSortable, SORT_LABELS, sortNeedsDetails, type TagSortKey } from '../../logic/tag-sort';
import { useNavigation } from '../../navigation/store';
import { repositoryKey, useTags, type RepositoryTags } from '../../stores/tags';
import { useUi } from '../../stores/ui';
import { PathCrumbs, useRegistry } from './common';
import { TagTable, useTagColumns, type TagColumns } from './TagTable';
import { RefreshButton } from '../../components/RefreshButton';

export function RepositoryView({ registryId, repository }: { registryId: string; repository: string }) {
  const { registry, listLoaded } = useRegistry(registryId);
  const entry = useTags((s) => s.repositories[repositoryKey(registryId, repository)]);
  const open = useTags((s) => s.open);
  const refresh = useTags((s) => s.refresh);
  const navigate = useNavigation((s) => s.navigate);
  const openDialog = useUi((s) => s.openDialog);
  const fetchAll = registry ? registry.host !== DOCKER_HUB : false;
  const optional = useTagColumns();

  useEffect(() => {
    if (registry) void open(registryId, repository, { fetchAll });
  }, [registry, registryId, repository, fetchAll, open]);

  if (!registry) {
    return listLoaded ? (
      <EmptyState
        title="Registry not found"
        message={`No registry with id "${registryId}" is configured.`}
        icon="registry"
      />
    ) : (
      <LoadingState label="Loading registries…" />
    );
  }
  const namespace = repository.split('/').slice(0, -1).join('/');
  const name = repository.split('/').pop() ?? repository;
  const tags = entry?.tags;

  return (
    <div className="view repository-view">
      <header className="view-header">
        <PathCrumbs registryId={registryId} registryName={registry.name} path={namespace} leaf={name} />
        <div className="view-actions">
          <code className="pull-name" title="Repository name for docker pull">
            {pullName(registry.host, repository)}
          </code>
          <CopyButton text={pullName(registry.host, repository)} label="Copy repository name" />
          <CopyButton
            text={shareableLink({ view: 'repository', registryId, repository })}
            label="Copy link to this repository"
          />
          <RefreshButton
            label="Refresh tags"
            title="Refresh tags"
            onClick={() => void refresh(registryId, repository)}
          />
        </div>
      </header>
      {!tags || (tags.status === 'loading' && !tags.value) ? (
        <LoadingState label="Listing tags…" />
      ) : tags.status === 'error' && !tags.value ? (
        <ErrorState
          error={tags.error}
          context={repository}
          handlers={{
            signIn: () => openDialog({ kind: 'signIn', registryId }),
            retry: () => void refresh(registryId, repository),
            ...(tags.error.code === 'not_found'
              ? { addRepository: () => openDialog({ kind: 'addRepository', registryId, namespace }) }
              : {}),
            openSettings: () => navigate({ view: 'settings', registryId }),
          }}
        />
      ) : entry ? (
        <>
          <TagToolbar entry={entry} optional={optional} />
          <DetailsBanner entry={entry} onSignIn={() => openDialog({ kind: 'signIn', registryId })} />
          <TagTable host={registry.host} entry={entry} optional={optional} />
        </>
      ) : null}
    </div>
  );
}

function TagToolbar({ entry, optional }: { entry: RepositoryTags; optional: TagColumns }) {
  const { registryId, repository } = entry;
  const sort = useTags((s) => s.sort);
  const groupByDigest = useTags((s) => s.groupByDigest);
  const setSort = useTags((s) => s.setSort);
  const setGroupByDigest = useTags((s) => s.setGroupByDigest);
  const setFilter = useTags((s) => s.setFilter);
  const fetchAllDetails = useTags((s) => s.fetchAll);
  const filter = makeTagFilter(entry.filterText, entry.filterMode);
  const listed = entry.tags?.value ?? [];
  // Signature, attestation and SBOM tags are not images: counted apart (the table shows them on their image).
  const tags = splitArtifactTags(listed).images;
  const attachedCount = listed.length - tags.length;
  const matching = filter.active ? tags.filter(filter.test).length : tags.length;
  const mode = FILTER_MODES.find((m) => m.mode === entry.filterMode)!;
  const { fetch } = entry;

  return (
    <div className="toolbar" role="toolbar" aria-label="Tag table">
      <div className={`filter-box${filter.error ? ' invalid' : ''}`}>
        <Icon name="search" size={13} />
        <input
          className="input-bare"
          type="search"
          aria-label="Filter tags"
          placeholder={mode.placeholder}
          value={entry.filterText}
          aria-invalid={filter.error ? true : undefined}
          title={filter.error}
          spellCheck={false}
          onChange={(e) => setFilter(registryId, repository, e.target.value, entry.filterMode)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setFilter(registryId, repository, '', entry.filterMode);
          }}
        />
        <select
          aria-label="Filter mode"
          className="select-bare"
          value={entry.filterMode}
          onChange={(e) => setFilter(registryId, repository, entry.filterText, e.target.value as FilterMode)}
        >
          {FILTER_MODES.map((m) => (
            <option key={m.mode} value={m.mode}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      {filter.error ? (
        <span className="toolbar-error" role="alert" title={filter.error}>
          {filter.error}
        </span>
      ) : (
        <span className="muted toolbar-count" data-testid="tag-count">
          {filter.active ? `${formatCount(matching)} of ${plural(tags.length, 'tag')}` : plural(tags.length, 'tag')}
          {attachedCount > 0 ? ` · ${formatCount(attachedCount)} attached (signatures, attestations, SBOMs)` : ''}
        </span>
      )}
      <span className="toolbar-spacer" />
      <label className="toolbar-check">
        <input type="checkbox" checked={groupByDigest} onChange={(e) => setGroupByDigest(e.target.checked)} />
        Group by digest
      </label>
      <label className="toolbar-select">
        <span>Sort</span>
        <select
          aria-label="Sort by"
          className="input input-small"
          value={sort.key}
          onChange={(e) =>
            setSort(registryId, repository, {
              key: e.target.value as TagSortKey,
              direction: e.target.value === 'name' ? 'asc' : 'desc',
            })
          }
        >
          {(Object.keys(SORT_LABELS) as TagSortKey[]).map((key) => (
            <option key={key} value={key}>
              {SORT_LABELS[key]}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        className="icon-button"
        aria-label={sort.direction === 'asc' ? 'Ascending: switch to descending' : 'Descending: switch to ascending'}
        title={sort.direction === 'asc' ? 'Ascending' : 'Descending'}
        onClick={() =>
          setSort(registryId, repository, { ...sort, direction: sort.direction === 'asc' ? 'desc' : 'asc' })
        }
      >
        <Icon name="chevronDown" size={14} className={sort.direction === 'asc' ? 'flip' : undefined} />
      </button>
      <SortStatus entry={entry} />
      {!fetch.complete && !fetch.running && !fetch.error ? (
        <button type="button" className="button button-small" onClick={() => fetchAllDetails(registryId, repository)}>
          Load all details
        </button>
      ) : null}
      <ColumnChooser {...optional} />
    </div>
  );
}

/** How complete the current sort is: exact for name/version, and for date/size once every tag has details. */
function SortStatus({ entry }: { entry: RepositoryTags }) {
  const sort = useTags((s) => s.sort);
  const tags = entry.tags?.value ?? [];
  const known = countSortable(tags, entry.details, sort.key);
  const needs = sortNeedsDetails(sort.key);
  const complete = !needs || known >= tags.length;
  const { fetch } = entry;
  return (
    <span
      className="sort-status"
      data-testid="sort-status"
      data-sort={sort.key}
      data-complete={complete ? 'true' : 'false'}
    >
      {fetch.running ? (
        <span className="details-progress" data-testid="details-progress">
          <ProgressBar current={fetch.done} total={fetch.total} label="Tag details" />
          <span className="muted">
            {formatCount(fetch.done)}/{formatCount(fetch.total)}
          </span>
        </span>
      ) : null}
      {needs && !complete ? (
        <span
          className="muted"
          title="Tags without details yet are listed last; the order completes as details arrive."
        >
          {formatCount(known)} of {formatCount(tags.length)} dated
        </span>
      ) : needs ? (
        <span className="muted ok" title="Every tag has its details: the sort covers the whole repository.">
          <Icon name="check" size={12} /> sorted
        </span>
      ) : null}
    </span>
  );
}

function DetailsBanner({ entry, onSignIn }: { entry: RepositoryTags; onSignIn: () => void }) {
  const fetchAll = useTags((s) => s.fetchAll);
  const error = entry.fetch.error;
  if (!error) return null;
  return (
    <div className="banner" data-testid="details-error">
      <ErrorState
        error={error}
        compact
        handlers={{
          retry: () => fetchAll(entry.registryId, entry.repository),
          ...(error.code === 'unauthorized' || error.code === 'denied' ? { signIn: onSignIn } : {}),
        }}
      />
    </div>
  );
}
