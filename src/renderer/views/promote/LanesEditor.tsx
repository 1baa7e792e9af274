/**
 * Editing the promotion lanes (kept in Berth's settings, shared with `berth promote`): each lane is a name,
 * ordered stages (a registry and a namespace each) and tag rewrite rules. A lane can start from a
 * registry's environment roles (dev/, test/, prod/ as set in its settings). Main validates on save (unique
 * names, valid patterns, known registries) and its message is shown as it is. Opened with no lane (Create a
 * lane), it starts with one to fill in: a dev -> prod draft, which a lane from a registry's environments
 * replaces while the user has not touched it.
 */
import { useEffect, useState } from 'react';
import type { ErrorData } from '../../../shared/errors';
import type { PromotionLane } from '../../../shared/types/promotion';
import type { RegistryView } from '../../../shared/types/settings';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { toErrorData } from '../../stores/loadable';
import { usePromotion } from '../../stores/promotion';
import { useRegistries } from '../../stores/registries';
import { StageGatesEditor } from './StageGatesEditor';

type Stage = PromotionLane['stages'][number];

/** A lane through a registry's environment roles, in the order the registry lists them. */
export function laneFromEnvironments(registry: RegistryView, name: string): PromotionLane {
  return {
    name,
    stages: registry.environments.map((env) => ({ name: env.role, registryId: registry.id, namespace: env.namespace })),
    tagRewrites: [],
  };
}

const NO_REGISTRIES: RegistryView[] = [];

function draftLane(registryId: string): PromotionLane {
  return {
    name: '',
    stages: [
      { name: 'dev', registryId, namespace: 'dev/' },
      { name: 'prod', registryId, namespace: 'prod/' },
    ],
    tagRewrites: [],
  };
}

/** A registry's name, and its host when the name is not the host already. */
export function registryLabel(registry: Pick<RegistryView, 'name' | 'host'>): string {
  return registry.name === registry.host ? registry.host : `${registry.name} (${registry.host})`;
}

function move<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}

export function LanesEditor({ onClose }: { onClose: () => void }) {
  // Selectors return what the store holds (a fresh `[]` per call would re-render forever).
  const current = usePromotion((s) => s.lanes?.value);
  const saveLanes = usePromotion((s) => s.saveLanes);
  const registries = useRegistries((s) => s.list?.value) ?? NO_REGISTRIES;
  const firstRegistry = registries[0]?.id ?? '';
  const [draft, setDraft] = useState<PromotionLane | null>(() =>
    current && current.length > 0 ? null : draftLane(firstRegistry),
  );
  const [lanes, setLanes] = useState<PromotionLane[]>(() => (draft ? [draft] : structuredClone(current ?? [])));
  const [error, setError] = useState<ErrorData | null>(null);
  const [saving, setSaving] = useState(false);
  // Edits make new lane objects: the draft is untouched while it is the same object, alone in the list.
  const untouchedDraft = draft !== null && lanes.length === 1 && lanes[0] === draft;

  // The registry list may arrive after the editor opened: the untouched draft takes the first registry.
  useEffect(() => {
    if (!untouchedDraft || !firstRegistry || draft.stages.every((stage) => stage.registryId === firstRegistry)) return;
    const next = draftLane(firstRegistry);
    setDraft(next);
    setLanes([next]);
  }, [untouchedDraft, draft, firstRegistry]);

  const updateLane = (index: number, change: (lane: PromotionLane) => PromotionLane) =>
    setLanes(lanes.map((lane, i) => (i === index ? change(lane) : lane)));
  const updateStage = (laneIndex: number, stageIndex: number, patch: Partial<Stage>) =>
    updateLane(laneIndex, (lane) => ({
      ...lane,
      stages: lane.stages.map((stage, i) => (i === stageIndex ? { ...stage, ...patch } : stage)),
    }));
  const withEnvironments = registries.filter((r) => r.environments.length >= 2);

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      await saveLanes(lanes);
      onClose();
    } catch (caught) {
      setError(toErrorData(caught));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      title="Promotion lanes"
      description="Each lane is the path images take between environments. Tags are promoted keeping their digest; a tag rewrite renames the tag on the way (the first matching rule wins)."
      width={760}
      className="lanes-editor"
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button button-primary" disabled={saving} onClick={() => void save()}>
            Save lanes
          </button>
        </>
      }
    >
      {error ? (
        <div className="notice notice-error" role="alert" data-testid="lanes-error">
          <Icon name="alert" size={14} />
          <div className="error-text">{error.message}</div>
        </div>
      ) : null}
      {lanes.length === 0 ? <p className="muted">No lanes yet.</p> : null}
      {lanes.map((lane, laneIndex) => (
        <fieldset key={laneIndex} className="lane-edit" aria-label={`Lane ${lane.name || laneIndex + 1}`}>
          <div className="lane-edit-head">
            <label className="field-label" htmlFor={`lane-name-${laneIndex}`}>
              Lane
            </label>
            <input
              id={`lane-name-${laneIndex}`}
              className="input"
              autoFocus={lane === draft}
              value={lane.name}
              placeholder="release"
              onChange={(e) => updateLane(laneIndex, (l) => ({ ...l, name: e.target.value }))}
            />
            <button
              type="button"
              className="button button-small button-danger"
              onClick={() => setLanes(lanes.filter((_, i) => i !== laneIndex))}
            >
              Remove lane
            </button>
          </div>
          <table className="data-table lane-edit-table" aria-label="Stages">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>Stage</th>
                <th>Registry</th>
                <th>Namespace</th>
                <th>Gates</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {lane.stages.map((stage, stageIndex) => (
                <tr key={stageIndex}>
                  <td className="num">{stageIndex + 1}</td>
                  <td>
                    <input
                      className="input input-small"
                      aria-label="Stage name"
                      value={stage.name}
                      placeholder="prod"
                      onChange={(e) => updateStage(laneIndex, stageIndex, { name: e.target.value })}
                    />
                  </td>
                  <td>
                    <select
                      className="input input-small"
                      aria-label="Registry"
                      value={stage.registryId}
                      onChange={(e) => updateStage(laneIndex, stageIndex, { registryId: e.target.value })}
                    >
                      {registries.some((r) => r.id === stage.registryId) ? null : (
                        <option value={stage.registryId}>{stage.registryId || 'Choose…'} (unknown)</option>
                      )}
                      {registries.map((r) => (
                        <option key={r.id} value={r.id}>
                          {registryLabel(r)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      className="input input-small mono"
                      aria-label="Namespace"
                      value={stage.namespace}
                      placeholder="prod/"
                      onChange={(e) => updateStage(laneIndex, stageIndex, { namespace: e.target.value })}
                    />
                  </td>
                  <td>
                    <StageGatesEditor
                      stage={stage.name}
                      {...(stage.gates ? { gates: stage.gates } : {})}
                      onChange={(gates) => updateStage(laneIndex, stageIndex, { gates })}
                    />
                  </td>
                  <td className="row-buttons">
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Move ${stage.name || 'stage'} up`}
                      disabled={stageIndex === 0}
                      onClick={() =>
                        updateLane(laneIndex, (l) => ({ ...l, stages: move(l.stages, stageIndex, stageIndex - 1) }))
                      }
                    >
                      <Icon name="chevronDown" size={12} className="flip" />
                    </button>
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Move ${stage.name || 'stage'} down`}
                      disabled={stageIndex === lane.stages.length - 1}
                      onClick={() =>
                        updateLane(laneIndex, (l) => ({ ...l, stages: move(l.stages, stageIndex, stageIndex + 1) }))
                      }
                    >
                      <Icon name="chevronDown" size={12} />
                    </button>
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Remove stage ${stage.name}`}
                      onClick={() =>
                        updateLane(laneIndex, (l) => ({ ...l, stages: l.stages.filter((_, i) => i !== stageIndex) }))
                      }
                    >
                      <Icon name="close" size={12} />
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            className="link-button"
            onClick={() =>
              updateLane(laneIndex, (l) => ({
                ...l,
                stages: [
                  ...l.stages,
                  { name: '', registryId: l.stages.at(-1)?.registryId ?? firstRegistry, namespace: '' },
                ],
              }))
            }
          >
            + Add stage
          </button>
          <table className="data-table lane-edit-table" aria-label="Tag rewrites">
            <thead>
              <tr>
                <th>Tag pattern (regular expression)</th>
                <th>Becomes</th>
                <th>Only into</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {lane.tagRewrites.map((rule, ruleIndex) => {
                const patch = (change: Partial<typeof rule>) =>
                  updateLane(laneIndex, (l) => ({
                    ...l,
                    tagRewrites: l.tagRewrites.map((r, i) => (i === ruleIndex ? { ...r, ...change } : r)),
                  }));
                return (
                  <tr key={ruleIndex}>
                    <td>
                      <input
                        className="input input-small mono"
                        aria-label="Tag pattern"
                        value={rule.from}
                        placeholder="^(.*)-rc\d+$"
                        onChange={(e) => patch({ from: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        className="input input-small mono"
                        aria-label="Replacement"
                        value={rule.to}
                        placeholder="$1"
                        onChange={(e) => patch({ to: e.target.value })}
                      />
                    </td>
                    <td>
                      <select
                        className="input input-small"
                        aria-label="Only into stage"
                        value={rule.toStage ?? ''}
                        onChange={(e) => {
                          const { toStage: _previous, ...rest } = rule;
                          updateLane(laneIndex, (l) => ({
                            ...l,
                            tagRewrites: l.tagRewrites.map((r, i) =>
                              i === ruleIndex ? (e.target.value ? { ...rest, toStage: e.target.value } : rest) : r,
                            ),
                          }));
                        }}
                      >
                        <option value="">every stage</option>
                        {lane.stages.map((stage) => (
                          <option key={stage.name} value={stage.name}>
                            {stage.name}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td className="row-buttons">
                      <button
                        type="button"
                        className="icon-button"
                        aria-label="Remove rule"
                        onClick={() =>
                          updateLane(laneIndex, (l) => ({
                            ...l,
                            tagRewrites: l.tagRewrites.filter((_, i) => i !== ruleIndex),
                          }))
                        }
                      >
                        <Icon name="close" size={12} />
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <button
            type="button"
            className="link-button"
            onClick={() =>
              updateLane(laneIndex, (l) => ({ ...l, tagRewrites: [...l.tagRewrites, { from: '', to: '' }] }))
            }
          >
            + Add tag rewrite
          </button>
        </fieldset>
      ))}
      <div className="lane-edit-add">
        <button
          type="button"
          className="button button-small"
          onClick={() => setLanes([...lanes, draftLane(firstRegistry)])}
        >
          <Icon name="plus" size={12} /> Add lane
        </button>
        {withEnvironments.map((registry) => (
          <button
            key={registry.id}
            type="button"
            className="button button-small"
            onClick={() => setLanes([...(untouchedDraft ? [] : lanes), laneFromEnvironments(registry, registry.name)])}
          >
            <Icon name="plus" size={12} /> Lane from {registry.name}’s environments (
            {registry.environments.map((e) => e.role).join(' → ')})
          </button>
        ))}
      </div>
    </Dialog>
  );
}
