/**
 * Promotion lanes: named pipelines of stages (a registry and a namespace each: `dev/` -> `test/` -> `prod/`,
 * or registry A -> registry B) with tag rewrite rules. Stored in Berth's settings file under `lanes`,
 * beside the registries they name, so the desktop app and `berth` share them.
 */
import { z } from 'zod';
import { BerthError } from '../../shared/errors';
import { formatReference, parseReference, type ImageReference } from '../../shared/reference';
import type { LaneStep, PromotionLane } from '../../shared/types/promotion';
import type { SettingsStore } from '../credentials/settings-store';
import { isRegExp, normalizeNamespace, rewriteTag } from '../../shared/lane-rules';
import { stageGatesSchema } from '../../shared/gates';

export { normalizeNamespace, rewriteTag };

export const LANES_SETTINGS_KEY = 'lanes';

const name = z.string().min(1).max(64);
const rewriteSchema = z.strictObject({
  from: z.string().min(1).max(256).refine(isRegExp, 'not a valid regular expression'),
  to: z.string().max(256),
  toStage: name.optional(),
});
const stageSchema = z.strictObject({
  name,
  registryId: z.string().min(1).max(128),
  namespace: z.string().max(256),
  gates: stageGatesSchema.optional(),
});
const laneSchema = z
  .strictObject({ name, stages: z.array(stageSchema).min(2).max(16), tagRewrites: z.array(rewriteSchema).max(32) })
  .superRefine((lane, ctx) => {
    const seen = new Set<string>();
    lane.stages.forEach((stage, index) => {
      if (seen.has(stage.name))
        ctx.addIssue({
          code: 'custom',
          path: ['stages', index, 'name'],
          message: `stage "${stage.name}" appears twice`,
        });
      seen.add(stage.name);
    });
    lane.tagRewrites.forEach((rule, index) => {
      if (rule.toStage !== undefined && !seen.has(rule.toStage)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tagRewrites', index, 'toStage'],
          message: `no stage named "${rule.toStage}" in this lane`,
        });
      }
    });
  });
export const lanesSchema = z
  .array(laneSchema)
  .max(64)
  .superRefine((lanes, ctx) => {
    const seen = new Set<string>();
    lanes.forEach((lane, index) => {
      if (seen.has(lane.name))
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `lane "${lane.name}" appears twice` });
      seen.add(lane.name);
    });
  });

export interface LaneStore {
  list(): PromotionLane[];
  set(lanes: PromotionLane[]): PromotionLane[];
}

export function settingsLaneStore(settings: SettingsStore): LaneStore {
  const section = settings.section<PromotionLane[]>(LANES_SETTINGS_KEY, lanesSchema, []);
  return {
    list: () => section.get(),
    set(lanes) {
      const normalized = lanes.map((lane) => ({
        ...lane,
        stages: lane.stages.map((stage) => ({ ...stage, namespace: normalizeNamespace(stage.namespace) })),
      }));
      section.set(normalized);
      return section.get();
    },
  };
}

/** The registry host of a stage's registryId (from the registry settings). */
export type RegistryHostLookup = (registryId: string) => string | undefined;

export interface StageMatch {
  lane: PromotionLane;
  index: number;
  /** The repository below the stage's namespace: `app` for `dev/app` in `dev/`. */
  rest: string;
}

export function stageMatch(
  lane: PromotionLane,
  source: ImageReference,
  hostOf: RegistryHostLookup,
): StageMatch | undefined {
  let best: StageMatch | undefined;
  lane.stages.forEach((stage, index) => {
    if (hostOf(stage.registryId) !== source.registry) return;
    const namespace = normalizeNamespace(stage.namespace);
    if (!source.repository.startsWith(namespace) || source.repository.length === namespace.length) return;
    // The most specific namespace wins: `team/dev/` over the root.
    if (!best || namespace.length > normalizeNamespace(best.lane.stages[best.index]!.namespace).length) {
      best = { lane, index, rest: source.repository.slice(namespace.length) };
    }
  });
  return best;
}

/**
 * Where "promote to the next stage" sends `source`: the stage after the one whose registry and namespace
 * hold it, in the named lane (or the only lane that holds it when none is named).
 */
export function nextStage(
  lanes: readonly PromotionLane[],
  sourceText: string,
  laneName: string | undefined,
  hostOf: RegistryHostLookup,
): LaneStep {
  const source = parseReference(sourceText);
  const candidates = laneName === undefined ? lanes : lanes.filter((lane) => lane.name === laneName);
  if (laneName !== undefined && candidates.length === 0) {
    throw new BerthError(
      'not_found',
      `There is no promotion lane named "${laneName}". Lanes: ${lanes.map((lane) => lane.name).join(', ') || 'none yet'}.`,
    );
  }
  for (const lane of candidates) {
    for (const stage of lane.stages) {
      if (hostOf(stage.registryId) === undefined) {
        throw new BerthError(
          'config_invalid',
          `Lane "${lane.name}" names registry "${stage.registryId}" (stage ${stage.name}), which is not in the registry settings.`,
        );
      }
    }
  }
  const matches = candidates
    .map((lane) => stageMatch(lane, source, hostOf))
    .filter((match): match is StageMatch => match !== undefined);
  if (matches.length === 0) {
    throw new BerthError(
      'not_found',
      `${formatReference(source)} is in no stage of ${laneName === undefined ? 'any promotion lane' : `lane "${laneName}"`}.`,
    );
  }
  if (matches.length > 1) {
    throw new BerthError(
      'invalid_input',
      `${formatReference(source)} is in several lanes (${matches.map((match) => match.lane.name).join(', ')}): name the lane.`,
    );
  }
  const { lane, index, rest } = matches[0]!;
  const from = lane.stages[index]!;
  const to = lane.stages[index + 1];
  if (!to)
    throw new BerthError(
      'invalid_input',
      `${formatReference(source)} is already in ${from.name}, the last stage of lane "${lane.name}".`,
    );
  if (source.tag === undefined) {
    throw new BerthError(
      'invalid_input',
      `Promoting along a lane needs a tagged source: ${formatReference(source)} has no tag to give the target.`,
    );
  }
  const target: ImageReference = {
    registry: hostOf(to.registryId)!,
    repository: `${normalizeNamespace(to.namespace)}${rest}`,
    tag: rewriteTag(source.tag, lane.tagRewrites, to.name),
  };
  return { lane: lane.name, fromStage: from.name, stage: to.name, target: formatReference(target) };
}
