/**
 * The lanes board: one column per stage of a promotion lane (dev -> test -> prod), each listing the
 * repositories under the stage's namespace with their tags. Drag a tag onto another column to promote
 * it there (the promote dialog opens with the plan). Keyboard: focus a tag, Space picks it up, Left/Right
 * choose the column, Space or Enter drops, Escape cancels; every tag also has its "Promote to…" menu.
 * Tags whose digest is already in another stage show that stage as a chip.
 * Test hooks: columns have data-testid `lane-stage-<stage>`; tag cards `lane-tag-<stage>-<repository>:<tag>`.
 */
import { useEffect, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { PromotionLane } from '../../../shared/types/promotion';
import { useApi } from '../../api/context';
import { FilterBox } from '../../components/FilterBox';
import { Icon } from '../../components/Icon';
import { EmptyState, ErrorState, LoadingState, Spinner } from '../../components/states';
import { ViewHeader } from '../../components/ViewHeader';
import { formatRelative, formatTimestamp, shortDigest } from '../../logic/format';
import { useNavigation } from '../../navigation/store';
import type { Loadable } from '../../stores/loadable';
import { stageKey, usePromotion, type StageContent } from '../../stores/promotion';
import { useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import { carriesImage, readDraggedImage, writeDraggedImage, type DraggedImage } from './drag';
import { LanesEditor } from './LanesEditor';
import { PromoteMenu } from './PromoteMenu';
import { normalizeNamespace, stageIndexOf, stageTarget, type LaneStage } from './targets';
import './promote.css';

interface Grab {
  image: DraggedImage;
  from: number;
  target: number;
}

export function LanesView() {
  const api = useApi();
  const lanes = usePromotion((s) => s.lanes);
  const loadLanes = usePromotion((s) => s.loadLanes);
  const [laneName, setLaneName] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    void loadLanes();
    if (!useRegistries.of(api).getState().list) void useRegistries.of(api).getState().load();
  }, [loadLanes, api]);

  const lane = lanes?.value?.find((l) => l.name === laneName) ?? lanes?.value?.[0];

  return (
    <div className="view lanes-view" data-testid="lanes-view">
      <ViewHeader icon="lanes" title="Promotion lanes">
        {lanes?.value && lanes.value.length > 1 ? (
          <div className="segmented" role="group" aria-label="Lane">
            {lanes.value.map((l) => (
              <button
                key={l.name}
                type="button"
                aria-pressed={l.name === lane?.name}
                onClick={() => setLaneName(l.name)}
              >
                {l.name}
              </button>
            ))}
          </div>
        ) : lane ? (
          <span className="view-subtitle">{lane.name}</span>
        ) : null}
        <div className="view-actions">
          <button
            type="button"
            className="button button-small"
            disabled={!lanes?.value}
            onClick={() => setEditing(true)}
          >
            <Icon name="settings" size={12} /> Edit lanes
          </button>
        </div>
      </ViewHeader>
      <div className="view-body">
        {!lanes || (lanes.status === 'loading' && !lanes.value) ? <LoadingState label="Loading lanes…" /> : null}
        {lanes?.status === 'error' ? (
          <ErrorState
            error={lanes.error}
            context="Could not load the lanes"
            handlers={{ retry: () => void loadLanes() }}
          />
        ) : null}
        {lanes?.value && lanes.value.length === 0 ? (
          <EmptyState
            icon="lanes"
            title="No promotion lanes yet"
            message="A lane is a path images take between environments, e.g. dev/ → test/ → prod/ in one registry, or from one registry to another. Create one, then drag tags from stage to stage here."
          >
            <button type="button" className="button button-primary" onClick={() => setEditing(true)}>
              Create a lane
            </button>
          </EmptyState>
        ) : null}
        {lane ? <Board key={JSON.stringify(lane)} lane={lane} /> : null}
        {editing ? <LanesEditor onClose={() => setEditing(false)} /> : null}
      </div>
    </div>
  );
}

function Board({ lane }: { lane: PromotionLane }) {
  const loadBoard = usePromotion((s) => s.loadBoard);
  const stages = usePromotion((s) => s.stages);
  const phase = usePromotion((s) => s.dialog?.phase);
  const propose = usePromotion((s) => s.propose);
  const registries = useRegistries((s) => s.list);
  const [filter, setFilter] = useState('');
  const [appliedFilter, setAppliedFilter] = useState('');
  const [grab, setGrab] = useState<Grab | null>(null);
  const [dropStage, setDropStage] = useState<string | null>(null);
  // Repositories added by hand are a stage's list where the registry lists none: reload when they change.
  const addedByHand = (registries?.value ?? [])
    .filter((registry) => lane.stages.some((stage) => stage.registryId === registry.id))
    .map((registry) => `${registry.id}:${registry.repositories.join(',')}`)
    .join(';');

  useEffect(() => {
    const timer = setTimeout(() => setAppliedFilter(filter), 250);
    return () => clearTimeout(timer);
  }, [filter]);

  useEffect(() => {
    void loadBoard(lane, appliedFilter);
  }, [lane, appliedFilter, loadBoard, addedByHand]);

  // A finished promotion changes the target column: show it.
  useEffect(() => {
    if (phase === 'done') void loadBoard(lane, appliedFilter);
  }, [phase, lane, appliedFilter, loadBoard]);

  const hostOf = (stage: LaneStage) => registries?.value?.find((r) => r.id === stage.registryId)?.host;
  const syncIndex = useMemo(() => digestIndex(lane, stages), [lane, stages]);

  const promoteTo = (image: DraggedImage, stage: LaneStage, from: number) => {
    const host = hostOf(stage);
    if (!host) return;
    const target = stageTarget(lane, stage, image, host);
    if (target.reference === image.reference) return;
    const fromName = from >= 0 ? lane.stages[from]!.name : image.repository;
    void propose(image.reference, target.reference, `${lane.name}: ${fromName} → ${stage.name}`);
  };

  const onCardKey = (event: KeyboardEvent, image: DraggedImage, from: number) => {
    if (grab && grab.image.reference === image.reference) {
      if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
        const step = event.key === 'ArrowRight' ? 1 : -1;
        let next = grab.target + step;
        if (next === grab.from) next += step;
        if (next >= 0 && next < lane.stages.length) setGrab({ ...grab, target: next });
      } else if (event.key === ' ' || event.key === 'Enter') {
        setGrab(null);
        promoteTo(image, lane.stages[grab.target]!, grab.from);
      } else if (event.key === 'Escape') setGrab(null);
      else return;
      event.preventDefault();
      return;
    }
    if (event.key === ' ' || event.key === 'Enter') {
      event.preventDefault();
      const target = from + 1 < lane.stages.length ? from + 1 : from - 1;
      if (target >= 0) setGrab({ image, from, target });
    }
  };

  const announcement = grab
    ? `Picked up ${grab.image.reference}. Drop on ${lane.stages[grab.target]!.name}: Left and Right choose the stage, Space or Enter drops, Escape cancels.`
    : '';

  return (
    <div className="board-wrap">
      <div className="board-toolbar">
        <FilterBox
          className="board-filter"
          aria-label="Filter repositories"
          placeholder="Filter repositories"
          value={filter}
          onValue={setFilter}
        />
        <button type="button" className="button button-small" onClick={() => void loadBoard(lane, appliedFilter)}>
          <Icon name="refresh" size={13} /> Refresh
        </button>
        <span className="muted board-hint">Drag a tag to another stage, or focus it and press Space.</span>
      </div>
      <div className="visually-hidden" aria-live="assertive">
        {announcement}
      </div>
      <div className="board" style={{ gridTemplateColumns: `repeat(${lane.stages.length}, minmax(220px, 1fr))` }}>
        {lane.stages.map((stage, index) => {
          const key = stageKey(lane.name, stage.name);
          const content = stages[key];
          const host = hostOf(stage);
          const isGrabTarget = grab?.target === index;
          const onDragOver = (event: DragEvent) => {
            if (!carriesImage(event.dataTransfer)) return;
            event.preventDefault();
            event.dataTransfer.dropEffect = 'copy';
            setDropStage(stage.name);
          };
          const onDrop = (event: DragEvent) => {
            setDropStage(null);
            const image = readDraggedImage(event.dataTransfer);
            if (!image) return;
            event.preventDefault();
            promoteTo(image, stage, stageIndexOf(lane, image));
          };
          return (
            <section
              key={stage.name}
              className={`stage${dropStage === stage.name || isGrabTarget ? ' drop-target' : ''}`}
              aria-label={`Stage ${stage.name}`}
              data-testid={`lane-stage-${stage.name}`}
              onDragOver={onDragOver}
              onDragEnter={onDragOver}
              onDragLeave={(event) => {
                if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropStage(null);
              }}
              onDrop={onDrop}
            >
              <header className="stage-header">
                <span className="stage-step">{index + 1}</span>
                <span className="stage-name">{stage.name}</span>
                <span
                  className="stage-where mono"
                  title={`${host ?? stage.registryId}/${normalizeNamespace(stage.namespace)}`}
                >
                  {host ?? <span className="change-removed">unknown registry {stage.registryId}</span>}/
                  {normalizeNamespace(stage.namespace)}
                </span>
              </header>
              <StageBody
                stage={stage}
                index={index}
                host={host}
                content={content}
                syncIndex={syncIndex}
                grab={grab}
                onCardKey={onCardKey}
                onRetry={() => void loadBoard(lane, appliedFilter)}
                addedByHand={(registries?.value?.find((r) => r.id === stage.registryId)?.repositories.length ?? 0) > 0}
              />
            </section>
          );
        })}
      </div>
    </div>
  );
}

/** Adds a repository by name, its name started with the stage's namespace. */
function addRepositoryDialog(stage: LaneStage) {
  const namespace = normalizeNamespace(stage.namespace).replace(/\/$/, '');
  return { kind: 'addRepository' as const, registryId: stage.registryId, ...(namespace ? { namespace } : {}) };
}

/**
 * A stage whose registry lists no repositories to this account (Docker Hub, GHCR, a pull-only user on a
 * distribution registry): not an error to retry, a list to fill by name, which is kept in the registry's
 * settings and shown here from then on.
 */
function ClosedCatalog({ stage, host, reason }: { stage: LaneStage; host: string | undefined; reason: string }) {
  const openDialog = useUi((s) => s.openDialog);
  return (
    <div className="stage-note stage-closed" data-testid={`closed-catalog-${stage.name}`} title={reason}>
      <div>
        {host ?? 'This registry'} does not list its repositories to your account, so Berth cannot see what {stage.name}{' '}
        holds. Add the repositories you work with by name: they are kept in the registry&rsquo;s settings and appear
        here.
      </div>
      <button type="button" className="button button-small" onClick={() => openDialog(addRepositoryDialog(stage))}>
        <Icon name="plus" size={12} /> Add a repository by name…
      </button>
    </div>
  );
}

/** `rest` (repository below the namespace) -> digest -> stage names holding it. */
type SyncIndex = Map<string, Map<string, Set<string>>>;

function digestIndex(lane: PromotionLane, stages: Record<string, Loadable<StageContent>>): SyncIndex {
  const index: SyncIndex = new Map();
  for (const stage of lane.stages) {
    const namespace = normalizeNamespace(stage.namespace);
    for (const repo of stages[stageKey(lane.name, stage.name)]?.value?.repositories ?? []) {
      const rest = repo.repository.slice(namespace.length);
      const byDigest = index.get(rest) ?? new Map<string, Set<string>>();
      index.set(rest, byDigest);
      for (const detail of Object.values(repo.details)) {
        const holders = byDigest.get(detail.digest) ?? new Set<string>();
        holders.add(stage.name);
        byDigest.set(detail.digest, holders);
      }
    }
  }
  return index;
}

interface StageBodyProps {
  stage: LaneStage;
  index: number;
  host: string | undefined;
  content: Loadable<StageContent> | undefined;
  syncIndex: SyncIndex;
  grab: Grab | null;
  onCardKey: (event: KeyboardEvent, image: DraggedImage, from: number) => void;
  onRetry: () => void;
  /** The registry has repositories added by hand: its list may be only those (a closed catalog). */
  addedByHand: boolean;
}

function StageBody({ stage, index, host, content, syncIndex, grab, onCardKey, onRetry, addedByHand }: StageBodyProps) {
  const openDialog = useUi((s) => s.openDialog);
  const navigate = useNavigation((s) => s.navigate);
  if (!content || (content.status === 'loading' && !content.value)) {
    return (
      <div className="stage-body stage-note">
        <Spinner /> Loading…
      </div>
    );
  }
  if (content.status === 'error') {
    return (
      <div className="stage-body">
        {content.error.code === 'unsupported' ? (
          <ClosedCatalog stage={stage} host={host} reason={content.error.message} />
        ) : (
          <ErrorState compact error={content.error} handlers={{ retry: onRetry }} />
        )}
      </div>
    );
  }
  const repositories = content.value?.repositories ?? [];
  const namespace = normalizeNamespace(stage.namespace);
  return (
    <div className="stage-body">
      {repositories.length === 0 ? (
        <div className="stage-note">
          No repositories here yet. Drop a tag to promote it into {stage.name}
          {addedByHand ? (
            <>
              , or add one the registry does not list:{' '}
              <button type="button" className="link-button" onClick={() => openDialog(addRepositoryDialog(stage))}>
                Add a repository by name…
              </button>
            </>
          ) : (
            '.'
          )}
        </div>
      ) : null}
      {repositories.map((repo) => {
        const rest = repo.repository.slice(namespace.length);
        const sorted = [...repo.tags].sort((a, b) => {
          const ca = repo.details[a]?.created ?? '';
          const cb = repo.details[b]?.created ?? '';
          return ca === cb ? (a < b ? 1 : -1) : ca < cb ? 1 : -1;
        });
        return (
          <div key={repo.repository} className="stage-repo">
            <div className="stage-repo-name" title={repo.repository}>
              <Icon name="repository" size={12} /> {rest}
            </div>
            {repo.error ? <ErrorState compact error={repo.error} handlers={{ retry: onRetry }} /> : null}
            {!repo.loaded && !repo.error ? <div className="stage-note">Loading tags…</div> : null}
            {repo.loaded && repo.tags.length === 0 ? <div className="stage-note">No tags.</div> : null}
            {sorted.map((tag) => {
              const detail = repo.details[tag];
              const image: DraggedImage = {
                reference: `${host ?? ''}/${repo.repository}:${tag}`,
                registryId: stage.registryId,
                repository: repo.repository,
                tag,
                digest: detail?.digest ?? '',
              };
              const holders = detail
                ? [...(syncIndex.get(rest)?.get(detail.digest) ?? [])].filter((s) => s !== stage.name)
                : [];
              const grabbed = grab?.image.reference === image.reference;
              // The card is a button (Space picks it up), so its "Promote to…" menu sits beside it, not in it
              // (no control inside another); the card is named by what it shows, the repository included.
              return (
                <div key={tag} className="tag-card-slot">
                  <div
                    className={`tag-card${grabbed ? ' grabbed' : ''}`}
                    draggable={host !== undefined}
                    tabIndex={0}
                    role="button"
                    aria-roledescription="draggable tag"
                    aria-pressed={grabbed}
                    data-testid={`lane-tag-${stage.name}-${repo.repository}:${tag}`}
                    data-digest={detail?.digest}
                    onDragStart={(event) => writeDraggedImage(event.dataTransfer, image)}
                    onKeyDown={(event) => onCardKey(event, image, index)}
                    onDoubleClick={() => navigate({ view: 'image', reference: image.reference })}
                  >
                    <div className="tag-card-top">
                      <Icon name="tag" size={12} />
                      <span className="tag-card-tag">
                        <span className="visually-hidden">{repo.repository}:</span>
                        {tag}
                      </span>
                    </div>
                    <div className="tag-card-meta">
                      <span className="mono tag-card-digest" title={detail?.digest}>
                        {detail ? shortDigest(detail.digest) : '…'}
                      </span>
                      {detail?.created ? (
                        <span className="muted tag-card-date" title={formatTimestamp(detail.created)}>
                          {formatRelative(detail.created)}
                        </span>
                      ) : null}
                    </div>
                    {holders.length > 0 ? (
                      <div className="tag-card-sync">
                        {holders.map((holder) => (
                          <span key={holder} className="sync-chip" title={`The same digest is in ${holder}`}>
                            <Icon name="check" size={10} /> {holder}
                          </span>
                        ))}
                      </div>
                    ) : null}
                  </div>
                  <PromoteMenu image={image} compact className="tag-card-menu" />
                </div>
              );
            })}
          </div>
        );
      })}
      {content.value?.truncated ? (
        <div className="stage-note">More repositories match: narrow them with the filter.</div>
      ) : null}
    </div>
  );
}
