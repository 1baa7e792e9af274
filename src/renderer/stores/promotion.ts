/**
 * Promotion in the UI: the lanes (from settings), the lanes board's contents (each stage's repositories
 * and tags with their digests), and the one promote dialog every drag, menu and key press opens:
 * plan (`promotion.plan`) -> confirm -> execute the plan's pinned source with live progress (`promotion.execute`)
 * -> result.
 */
import type { ErrorData } from '../../shared/errors';
import type { PromotionLane, PromotionPlan, PromotionResult } from '../../shared/types/promotion';
import type { TagDetail } from '../../shared/types/registry';
import { normalizeNamespace } from '../views/promote/targets';
import { apiStore } from './api-store';
import { ready, toErrorData, track, type Loadable } from './loadable';
import { newOperationId, runOperation } from './operations';

/** `choose`: the user types the target (menu "Another repository or registry…"). */
export type PromotionPhase = 'choose' | 'planning' | 'plan' | 'executing' | 'done' | 'failed';

export interface PromotionDialog {
  source: string;
  target: string;
  /** Where the request came from, for the title: "dev -> prod", "Drop on prod/app". */
  context?: string;
  phase: PromotionPhase;
  plan?: PromotionPlan;
  /** The user ticked "Replace the existing tag" for a plan that overwrites. */
  force: boolean;
  /** Why the user promotes although gates fail (recorded in the audit log); empty: no override. */
  overrideReason: string;
  operationId?: string;
  result?: PromotionResult;
  error?: ErrorData;
}

export interface StageRepository {
  repository: string;
  /** Its tags and their details have been fetched (at least once). */
  loaded: boolean;
  tags: string[];
  details: Record<string, TagDetail>;
  error?: ErrorData;
}

export interface StageContent {
  repositories: StageRepository[];
  /** More repositories matched than the board shows. */
  truncated: boolean;
}

/** Board columns stay readable and fast: this many repositories per stage, tags per repository. */
export const BOARD_REPOSITORY_LIMIT = 50;
export const BOARD_TAG_LIMIT = 200;

export interface PromotionState {
  lanes?: Loadable<PromotionLane[]>;
  /** Board contents by `stageKey(lane, stage)`. */
  stages: Record<string, Loadable<StageContent>>;
  dialog?: PromotionDialog;

  loadLanes(): Promise<void>;
  /** Replaces the lanes in settings; throws main's error (a form shows it). */
  saveLanes(lanes: PromotionLane[]): Promise<void>;
  /** Fetches the repositories and tags of every stage of a lane (optionally only repositories matching). */
  loadBoard(lane: PromotionLane, filter?: string): Promise<void>;
  /** Opens the dialog and plans the promotion. */
  propose(source: string, target: string, context?: string): Promise<void>;
  /** Opens the dialog asking for the target. */
  chooseTarget(source: string, suggestion?: string): void;
  setForce(force: boolean): void;
  setOverrideReason(reason: string): void;
  confirm(): Promise<void>;
  /** Cancel: stops a running promotion, or closes the dialog. */
  cancel(): Promise<void>;
  close(): void;
}

/**
 * Tags that stand for artifacts attached to an image, not images to promote: the OCI referrers tag schema
 * (`sha256-<hex>`) and cosign's `.sig` / `.att` / `.sbom` tags.
 */
const REFERRER_FALLBACK_TAG = /^sha256-[a-f0-9]{64}(?:\.(?:sig|att|sbom))?$/;

/** Shortest override reason main accepts (the contract's bound). */
export const MIN_OVERRIDE_REASON = 3;

/**
 * What to send for the plan's gates: nothing when all pass, the override when some fail and the user gave a
 * reason, `null` when some fail and there is no reason yet (the promotion is blocked).
 */
export function gateOverride(plan: PromotionPlan, reason: string): { reason: string } | undefined | null {
  if (plan.gates.every((gate) => gate.passed)) return undefined;
  return reason.trim().length >= MIN_OVERRIDE_REASON ? { reason: reason.trim() } : null;
}

export const stageKey = (lane: string, stage: string) => `${lane}\u0000${stage}`;

export const usePromotion = apiStore<PromotionState>((api) => (set, get) => {
  let dialogGeneration = 0;
  let boardGeneration = 0;

  const patchDialog = (generation: number, patch: Partial<PromotionDialog>) => {
    const dialog = get().dialog;
    if (dialog && generation === dialogGeneration) set({ dialog: { ...dialog, ...patch } });
  };

  const plan = async (generation: number, force: boolean) => {
    const { source, target } = get().dialog!;
    try {
      const value = await api.call('promotion.plan', { source, target, force });
      patchDialog(generation, { phase: 'plan', plan: value });
    } catch (error) {
      patchDialog(generation, { phase: 'failed', error: toErrorData(error) });
    }
  };

  const loadStage = async (
    lane: PromotionLane,
    stage: PromotionLane['stages'][number],
    filter: string,
    generation: number,
  ) => {
    const key = stageKey(lane.name, stage.name);
    const write = (next: Loadable<StageContent>) => {
      if (generation === boardGeneration) set({ stages: { ...get().stages, [key]: next } });
    };
    await track<StageContent>(get().stages[key], write, async () => {
      const namespace = normalizeNamespace(stage.namespace);
      const { repositories } = await api.call('registry.listRepositories', { registryId: stage.registryId });
      const needle = filter.trim().toLowerCase();
      const matching = repositories.filter(
        (r) =>
          r.startsWith(namespace) &&
          r.length > namespace.length &&
          (!needle || r.slice(namespace.length).toLowerCase().includes(needle)),
      );
      const shown = matching.slice(0, BOARD_REPOSITORY_LIMIT);
      // A reload keeps what is on screen until the fresh tags arrive, so the board does not flicker.
      const previous = new Map(
        (get().stages[key]?.value?.repositories ?? []).map((entry) => [entry.repository, entry]),
      );
      const content: StageContent = {
        repositories: shown.map(
          (repository) => previous.get(repository) ?? { repository, loaded: false, tags: [], details: {} },
        ),
        truncated: matching.length > shown.length,
      };
      write(ready(content));
      // Tags and digests per repository, filled in as they arrive.
      await Promise.all(
        content.repositories.map(async (entry, index) => {
          let next: StageRepository;
          try {
            const { tags } = await api.call('registry.listTags', {
              registryId: stage.registryId,
              repository: entry.repository,
            });
            const limited = tags.filter((tag) => !REFERRER_FALLBACK_TAG.test(tag)).slice(-BOARD_TAG_LIMIT);
            const details = await api.call('registry.tagDetails', {
              registryId: stage.registryId,
              repository: entry.repository,
              tags: limited,
            });
            next = {
              repository: entry.repository,
              loaded: true,
              tags: limited,
              details: Object.fromEntries(details.map((d) => [d.tag, d])),
            };
          } catch (error) {
            next = { ...entry, error: toErrorData(error) };
          }
          const current = get().stages[key];
          if (generation !== boardGeneration || current?.status !== 'ready') return;
          const repositories = [...current.value.repositories];
          repositories[index] = next;
          write(ready({ ...current.value, repositories }));
        }),
      );
      const final = get().stages[key];
      return final?.status === 'ready' ? final.value : content;
    });
  };

  return {
    stages: {},

    async loadLanes() {
      await track(
        get().lanes,
        (lanes) => set({ lanes }),
        () => api.call('promotion.lanes', {}),
      );
    },

    async saveLanes(lanes) {
      const saved = await api.call('promotion.setLanes', { lanes });
      set({ lanes: ready(saved) });
    },

    async loadBoard(lane, filter = '') {
      const generation = ++boardGeneration;
      await Promise.all(lane.stages.map((stage) => loadStage(lane, stage, filter, generation)));
    },

    async propose(source, target, context) {
      const generation = ++dialogGeneration;
      set({
        dialog: {
          source,
          target,
          ...(context ? { context } : {}),
          phase: 'planning',
          force: false,
          overrideReason: '',
        },
      });
      await plan(generation, false);
    },

    chooseTarget(source, suggestion = '') {
      dialogGeneration++;
      set({ dialog: { source, target: suggestion, phase: 'choose', force: false, overrideReason: '' } });
    },

    setForce(force) {
      const dialog = get().dialog;
      if (dialog?.phase === 'plan') set({ dialog: { ...dialog, force } });
    },

    setOverrideReason(overrideReason) {
      const dialog = get().dialog;
      if (dialog?.phase === 'plan') set({ dialog: { ...dialog, overrideReason } });
    },

    async confirm() {
      const dialog = get().dialog;
      if (!dialog || dialog.phase !== 'plan' || !dialog.plan) return;
      if (dialog.plan.overwrites && !dialog.force) return;
      if (dialog.plan.pushAccess.status === 'denied') return;
      const override = gateOverride(dialog.plan, dialog.overrideReason);
      if (override === null) return;
      const generation = dialogGeneration;
      const operationId = newOperationId();
      patchDialog(generation, { phase: 'executing', operationId });
      try {
        // The plan's pinned source, not the tag: main runs the digest the dialog showed, or refuses if the
        // tag has moved since (then the dialog offers the new plan).
        const source = dialog.plan.pinnedSource;
        const result = await runOperation(
          api,
          { id: operationId, kind: 'promotion', label: `Promote ${dialog.source} to ${dialog.target}` },
          (id) =>
            api.call('promotion.execute', {
              source,
              target: dialog.target,
              force: dialog.force,
              ...(override ? { override } : {}),
              operationId: id,
            }),
        );
        patchDialog(generation, { phase: 'done', result });
      } catch (error) {
        patchDialog(generation, { phase: 'failed', error: toErrorData(error) });
      }
    },

    async cancel() {
      const dialog = get().dialog;
      if (dialog?.phase === 'executing' && dialog.operationId) {
        await api.call('operations.cancel', { operationId: dialog.operationId }).catch(() => undefined);
        return;
      }
      get().close();
    },

    close() {
      dialogGeneration++;
      set({ dialog: undefined });
    },
  };
});
