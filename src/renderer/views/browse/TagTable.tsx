/**
 * The tag table of one repository: virtualized, sortable by name, version, created date and size,
 * filterable by substring, glob or regex, tags sharing a digest grouped on demand, multi-arch tags
 * expandable into their platforms. A tag's aliases (other tags of its digest) are one short label: the alias
 * itself when there is one (a click opens it), else "shares its digest with N tags", whose click lists them,
 * so 1,234 tags of one image do not repeat the same chips on every row (issue 20). Details (digest, date,
 * size) fill in as the tags store fetches them; rows on screen are fetched first.
 *
 * Test hooks: grid "Tags"; each row has data-row-key (the tag, or `tag\u0000os/arch/variant` for a
 * platform row), data-kind "tag" | "platform", data-reference (the image reference), and is draggable
 * with the reference as text/plain and application/x-berth-reference; the created cell has data-created
 * (ISO 8601); a tag row has a checkbox "Select TAG" (shift-click selects the range), and the selection bar
 * above the table is views/deletion/SelectionBar.tsx. Optional columns: see TAG_OPTIONAL_COLUMNS.
 */
import { useCallback, useMemo, useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { formatPlatform } from '../../../shared/reference';
import type { TagDetail } from '../../../shared/types/registry';
import { useOptionalColumns, type OptionalColumn } from '../../components/ColumnChooser';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { FilterBox } from '../../components/FilterBox';
import { Icon } from '../../components/Icon';
import { trackMinWidth, VirtualTable, type Column } from '../../components/VirtualTable';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatRelative,
  formatTimestamp,
  plural,
  shortDigest,
} from '../../logic/format';
import { pullByTag, tagReference } from '../../logic/references';
import { makeTagFilter } from '../../logic/tag-filter';
import { buildTagRows, isIndexMediaType, type TableRow } from '../../logic/tag-rows';
import type { TagSortKey } from '../../logic/tag-sort';
import { useNavigation } from '../../navigation/store';
import { useTags, type RepositoryTags } from '../../stores/tags';
import { useCompareDrop } from '../compare/compare-drop';
import { writeDraggedImage } from '../promote/drag';
import { PromoteMenu } from '../promote/PromoteMenu';
import { splitArtifactTags } from '../../logic/artifact-tags';
import { TagTrustCell } from '../trust/TagTrustCell';
import { VulnCountsCell } from '../vulns/VulnCountsCell';
import { StaleBadge, useStaleTags } from '../lineage/StaleBadge';
import { SelectionBar } from '../deletion/SelectionBar';
import { selectionKey, useDeletion } from '../../stores/deletion';

/** The drag payload type other views accept (compare slots, promotion targets). */
export const REFERENCE_DRAG_TYPE = 'application/x-berth-reference';

function mediaKind(detail: TagDetail): string {
  if (isIndexMediaType(detail.mediaType)) {
    const count = (detail.platforms ?? []).filter((p) => p.os !== 'unknown').length;
    return `Multi-arch · ${count}`;
  }
  if (detail.mediaType.includes('distribution.manifest.v1')) return 'Schema 1';
  if (detail.mediaType.includes('manifest')) return 'Image';
  return detail.mediaType.split('/').pop() ?? detail.mediaType;
}

const Pending = () => <span className="cell-pending" aria-label="Loading" />;

/** The columns' grid tracks, by column id: their least widths add up to the least width of the whole table. */
const WIDTHS = {
  select: '28px',
  expand: '26px',
  tag: 'minmax(180px, 3fr)',
  digest: '150px',
  type: '120px',
  signature: '150px',
  vulnerabilities: '96px',
  created: '136px',
  size: '90px',
} as const;

/** Columns that give way, first to last, where not every column fits; tag, digest, date and size always show. */
const GIVE_WAY: { id: keyof typeof WIDTHS; label: string }[] = [
  { id: 'type', label: 'Type' }, // the expander and the platform rows tell a multi-arch tag already
  { id: 'vulnerabilities', label: 'Vulns' },
  { id: 'signature', label: 'Signature' }, // its state stays on the tag, as an icon
];

/**
 * Each optional column shows while the table has room for it and for every column that gives way after it
 * (derived from WIDTHS, so a new column moves the thresholds with it): at 1024x700 none of them fits, at
 * 1280x800 all do. The chooser ("Columns" in the tag toolbar) shows or hides one whatever the width.
 */
export const TAG_OPTIONAL_COLUMNS: OptionalColumn[] = GIVE_WAY.map((column, index) => ({
  ...column,
  minTableWidth: GIVE_WAY.slice(0, index).reduce(
    (width, earlier) => width - trackMinWidth(WIDTHS[earlier.id]),
    Object.values(WIDTHS).reduce((sum, track) => sum + trackMinWidth(track), 0),
  ),
}));

/** The tag table's column choice: the repository view holds it for its toolbar's chooser and the table. */
export const useTagColumns = () => useOptionalColumns(TAG_OPTIONAL_COLUMNS);
export type TagColumns = ReturnType<typeof useTagColumns>;

export function TagTable({ host, entry, optional }: { host: string; entry: RepositoryTags; optional: TagColumns }) {
  const { registryId, repository } = entry;
  const sort = useTags((s) => s.sort);
  const groupByDigest = useTags((s) => s.groupByDigest);
  const setSort = useTags((s) => s.setSort);
  const toggleExpanded = useTags((s) => s.toggleExpanded);
  const prioritize = useTags((s) => s.prioritize);
  const navigate = useNavigation((s) => s.navigate);
  const compareDrop = useCompareDrop();

  const filter = useMemo(() => makeTagFilter(entry.filterText, entry.filterMode), [entry.filterText, entry.filterMode]);
  const expanded = useMemo(() => new Set(entry.expanded), [entry.expanded]);
  const tags = entry.tags?.value;
  // Signature, attestation, SBOM and fallback tags are marks on their image's row, not rows (issue 15).
  const split = useMemo(() => splitArtifactTags(tags ?? []), [tags]);
  const rows = useMemo(
    () => buildTagRows({ tags: split.images, details: entry.details, sort, filter, groupByDigest, expanded }),
    [split, entry.details, sort, filter, groupByDigest, expanded],
  );

  const referenceOf = useCallback((row: TableRow) => tagReference(host, repository, row.tag), [host, repository]);
  const staleOf = useStaleTags(host, repository);
  const openTag = (tag: string) => navigate({ view: 'image', reference: tagReference(host, repository, tag) });
  const [aliasList, setAliasList] = useState<{ tag: string; aliases: string[] } | null>(null);
  // Multi-select for "Delete…" (issue 16): a click toggles, shift extends from the last click, in table order.
  const selectKey = selectionKey(registryId, repository);
  const selected = useDeletion((state) => state.selected[selectKey]);
  const selectTag = useDeletion((state) => state.select);
  const refresh = useTags((s) => s.refresh);
  const tagOrder = useMemo(() => rows.filter((row) => row.kind === 'tag').map((row) => row.tag), [rows]);
  const selectedSet = useMemo(() => new Set(selected ?? []), [selected]);

  const onVisibleRangeChange = useCallback(
    (start: number, end: number) => {
      const visible: string[] = [];
      for (let i = start; i <= end && i < rows.length; i++) if (rows[i]!.kind === 'tag') visible.push(rows[i]!.tag);
      prioritize(registryId, repository, visible);
    },
    [rows, prioritize, registryId, repository],
  );

  const trustCell = (digest: string, compact: boolean) => (
    <TagTrustCell
      registryId={registryId}
      repository={repository}
      digest={digest}
      attached={split.attached.get(digest)}
      lazy={host === 'docker.io'}
      compact={compact}
    />
  );

  const sortBy = (key: TagSortKey) => () => {
    const direction =
      sort.key === key
        ? sort.direction === 'asc'
          ? 'desc'
          : 'asc'
        : key === 'created' || key === 'size' || key === 'semver'
          ? 'desc'
          : 'asc';
    setSort(registryId, repository, { key, direction });
  };
  const headerSort = (key: TagSortKey) => ({
    direction: sort.key === key ? sort.direction : null,
    onSort: sortBy(key),
  });

  const columns: Column<TableRow>[] = [
    {
      id: 'select',
      header: <span className="visually-hidden">Select</span>,
      width: WIDTHS.select,
      cell: (row) =>
        row.kind === 'tag' ? (
          <input
            type="checkbox"
            tabIndex={-1}
            aria-label={`Select ${row.tag}`}
            checked={selectedSet.has(row.tag)}
            onClick={(event) => {
              event.stopPropagation();
              selectTag(selectKey, row.tag, event.shiftKey ? 'range' : 'toggle', tagOrder);
            }}
            onChange={() => undefined}
          />
        ) : null,
    },
    {
      id: 'expand',
      header: <span className="visually-hidden">Expand</span>,
      width: WIDTHS.expand,
      cell: (row) =>
        row.kind === 'tag' && row.multiArch ? (
          <button
            type="button"
            className="icon-button expander"
            tabIndex={-1}
            aria-label={`${row.expanded ? 'Collapse' : 'Expand'} platforms of ${row.tag}`}
            aria-expanded={row.expanded}
            onClick={(e) => {
              e.stopPropagation();
              toggleExpanded(registryId, repository, row.tag);
            }}
          >
            <Icon name={row.expanded ? 'chevronDown' : 'chevronRight'} size={12} />
          </button>
        ) : null,
    },
    {
      id: 'tag',
      header: 'Tag',
      width: WIDTHS.tag,
      sort: headerSort(sort.key === 'semver' ? 'semver' : 'name'),
      cell: (row) =>
        row.kind === 'platform' ? (
          <span className="cell-platform">
            <Icon name="platform" size={13} />
            {formatPlatform(row.platform)}
          </span>
        ) : (
          <span className="cell-tag">
            <Icon name="tag" size={13} className="tag-icon" />
            <span className="tag-name" title={row.tag}>
              {row.tag}
            </span>
            <Aliases
              tag={row.tag}
              aliases={row.aliases}
              onOpen={openTag}
              onList={() => setAliasList({ tag: row.tag, aliases: row.aliases })}
            />
            {row.detail?.digest && !optional.isShown('signature') ? trustCell(row.detail.digest, true) : null}
            <StaleBadge row={staleOf(row.tag)} />
            <CopyButton
              text={pullByTag(host, repository, row.tag)}
              label={`Copy docker pull for ${row.tag}`}
              className="row-action"
            />
            <PromoteMenu
              image={{
                reference: referenceOf(row),
                registryId,
                repository,
                tag: row.tag,
                digest: row.detail?.digest ?? '',
              }}
              compact
              className="row-action"
            />
          </span>
        ),
    },
    {
      id: 'digest',
      header: 'Digest',
      width: WIDTHS.digest,
      cell: (row) => {
        if (row.kind === 'platform') return null;
        if (!row.detail) return <Pending />;
        if (!row.detail.digest) return null;
        return (
          <span className="cell-digest" title={row.detail.digest}>
            <code>{shortDigest(row.detail.digest).replace('sha256:', '')}</code>
          </span>
        );
      },
    },
    {
      id: 'type',
      header: 'Type',
      width: WIDTHS.type,
      cell: (row) => {
        if (row.kind === 'platform') return <span className="muted">Platform image</span>;
        if (!row.detail) return <Pending />;
        if (row.detail.error) {
          return (
            <span className="cell-error" title={row.detail.error}>
              <Icon name="alert" size={12} /> {row.detail.error}
            </span>
          );
        }
        return <span className="muted">{mediaKind(row.detail)}</span>;
      },
    },
    {
      id: 'signature',
      header: 'Signature',
      width: WIDTHS.signature,
      cell: (row) => {
        if (row.kind === 'platform') return null;
        if (!row.detail) return <Pending />;
        return row.detail.digest ? trustCell(row.detail.digest, false) : null;
      },
    },
    {
      // Severity counts of attached scan reports (issue 15, VULN).
      id: 'vulnerabilities',
      header: 'Vulns',
      width: WIDTHS.vulnerabilities,
      cell: (row) =>
        row.kind === 'platform' || !row.detail?.digest ? null : (
          <VulnCountsCell
            reference={`${host}/${repository}@${row.detail.digest}`}
            attached={split.attached.get(row.detail.digest)}
          />
        ),
    },
    {
      id: 'created',
      header: 'Created',
      width: WIDTHS.created,
      sort: headerSort('created'),
      cell: (row) => {
        if (row.kind === 'platform') return null;
        if (!row.detail) return <Pending />;
        return (
          <span
            title={`${formatTimestamp(row.detail.created)} (${formatRelative(row.detail.created)})`}
            data-created={row.detail.created}
          >
            {formatDateTime(row.detail.created)}
          </span>
        );
      },
    },
    {
      id: 'size',
      header: 'Size',
      width: WIDTHS.size,
      align: 'end',
      sort: headerSort('size'),
      cell: (row) => {
        if (row.kind === 'platform') return null;
        if (!row.detail) return <Pending />;
        return (
          <span
            title={
              row.detail.size !== undefined ? `${row.detail.size.toLocaleString('en-US')} bytes compressed` : undefined
            }
          >
            {formatBytes(row.detail.size)}
          </span>
        );
      },
    },
  ];

  const onRowKeyDown = (row: TableRow, event: KeyboardEvent) => {
    if (row.kind !== 'tag' || !row.multiArch) return;
    if (event.key === 'ArrowRight' && !row.expanded) toggleExpanded(registryId, repository, row.tag, true);
    else if (event.key === 'ArrowLeft' && row.expanded) toggleExpanded(registryId, repository, row.tag, false);
    else return;
    event.preventDefault();
  };

  const rowProps = (row: TableRow) => {
    const reference = referenceOf(row);
    return {
      className: row.kind === 'platform' ? 'platform-row' : undefined,
      draggable: true,
      'data-kind': row.kind,
      'data-reference': reference,
      ...compareDrop(reference),
      // Ctrl/Cmd-click toggles a tag's selection and Shift-click extends it, instead of opening the tag.
      onClickCapture: (event: MouseEvent<HTMLDivElement>) => {
        if (row.kind !== 'tag' || !(event.ctrlKey || event.metaKey || event.shiftKey)) return;
        event.preventDefault();
        event.stopPropagation();
        selectTag(selectKey, row.tag, event.shiftKey ? 'range' : 'toggle', tagOrder);
      },
      onDragStart: (event: DragEvent<HTMLDivElement>) => {
        writeDraggedImage(event.dataTransfer, {
          reference,
          registryId,
          repository,
          tag: row.tag,
          digest: row.detail?.digest ?? '',
        });
        event.dataTransfer.setData(REFERENCE_DRAG_TYPE, reference);
        event.dataTransfer.setData('text/plain', reference);
        event.dataTransfer.effectAllowed = 'copyLink';
      },
    };
  };

  return (
    <>
      {aliasList ? (
        <AliasList
          {...aliasList}
          onOpen={(tag) => {
            setAliasList(null);
            openTag(tag);
          }}
          onClose={() => setAliasList(null)}
        />
      ) : null}
      <SelectionBar
        host={host}
        registryId={registryId}
        repository={repository}
        matching={tagOrder}
        onChanged={() => void refresh(registryId, repository)}
      />
      <VirtualTable
        label="Tags"
        rows={rows}
        columns={columns.filter((column) => optional.isShown(column.id))}
        widthRef={optional.ref}
        rowKey={(row) => row.key}
        onActivate={(row) =>
          navigate(
            row.kind === 'platform'
              ? { view: 'image', reference: referenceOf(row), platform: formatPlatform(row.platform) }
              : { view: 'image', reference: referenceOf(row) },
          )
        }
        onRowKeyDown={onRowKeyDown}
        rowProps={rowProps}
        onVisibleRangeChange={onVisibleRangeChange}
        empty={
          <div className="state state-empty" data-testid="empty-state">
            <div className="state-title">
              {filter.active ? 'No tag matches the filter' : 'This repository has no tags'}
            </div>
            <div className="state-hint">
              {filter.active ? 'Change or clear the filter.' : 'Push an image to it, or check the name.'}
            </div>
          </div>
        }
      />
    </>
  );
}

/** An alias with a name short enough to show whole; longer ones, or several, get the grouped label. */
const INLINE_ALIAS_MAX = 24;

/**
 * The label never truncates mid-word: it shows whole or not at all where the cell is too narrow, and in a
 * narrow cell the grouped label drops its leading words and keeps "1,233 tags" (styles.css, `.aliases`).
 */
function Aliases({
  tag,
  aliases,
  onOpen,
  onList,
}: {
  tag: string;
  aliases: string[];
  onOpen: (tag: string) => void;
  onList: () => void;
}) {
  if (aliases.length === 0) return null;
  const only = aliases.length === 1 ? aliases[0]! : undefined;
  if (only !== undefined && only.length <= INLINE_ALIAS_MAX) {
    return (
      <span className="aliases">
        <button
          type="button"
          className="chip alias-chip"
          aria-label={`Same digest as ${only}: open it`}
          title={`${tag} is the same image as ${only}`}
          onClick={(event) => {
            event.stopPropagation();
            onOpen(only);
          }}
        >
          {only}
        </button>
      </span>
    );
  }
  const count = plural(aliases.length, 'tag');
  return (
    <span className="aliases">
      <button
        type="button"
        className="chip alias-group"
        aria-label={`shares its digest with ${count}`}
        title={`${tag} is the same image as ${plural(aliases.length, 'other tag')}: click to list them`}
        onClick={(event) => {
          event.stopPropagation();
          onList();
        }}
      >
        <span className="alias-group-words">shares its digest with </span>
        {count}
      </button>
    </span>
  );
}

/** Every tag of the digest, in natural order, each opening its image; filterable, as there may be thousands. */
function AliasList({
  tag,
  aliases,
  onOpen,
  onClose,
}: {
  tag: string;
  aliases: string[];
  onOpen: (tag: string) => void;
  onClose: () => void;
}) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = needle ? aliases.filter((alias) => alias.toLowerCase().includes(needle)) : aliases;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Tags with the same digest as ${tag}`}
      description={`${tag} and these ${plural(aliases.length, 'tag')} name the same image. Open one to see it.`}
      className="alias-dialog"
    >
      {aliases.length > 10 ? (
        <FilterBox
          className="alias-filter"
          placeholder={`Filter ${plural(aliases.length, 'tag')}`}
          aria-label="Filter the tags"
          value={filter}
          onValue={setFilter}
          spellCheck={false}
        />
      ) : null}
      <ul className="alias-list" aria-label="Tags">
        {shown.map((alias) => (
          <li key={alias}>
            <button type="button" className="link-button mono" onClick={() => onOpen(alias)}>
              {alias}
            </button>
          </li>
        ))}
      </ul>
      {needle && shown.length === 0 ? <p className="muted">No tag matches.</p> : null}
      {needle && shown.length > 0 ? (
        <p className="muted">
          {formatCount(shown.length)} of {formatCount(aliases.length)}
        </p>
      ) : null}
    </Dialog>
  );
}
