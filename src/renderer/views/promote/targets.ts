/**
 * Where a promotion goes when an image is dropped on a lane stage, a repository or a registry. The
 * promotion engine plans and checks the copy; this only names the target reference. Lane rules (namespace
 * form, first matching tag rewrite, `toStage`) are the ones `promotion.next` applies in main, so dropping
 * on the next stage and "Promote to next stage" name the same target.
 */
import type { PromotionLane, TagRewrite } from '../../../shared/types/promotion';
import type { DraggedImage } from './drag';

export type LaneStage = PromotionLane['stages'][number];

/** `dev`, `dev/` and `/dev/` all mean the `dev/` namespace; empty means the registry's root. */
export function normalizeNamespace(namespace: string): string {
  const trimmed = namespace.trim().replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** The first rule (for this stage) whose pattern matches rewrites the tag; invalid patterns never match. */
export function rewriteTag(tag: string, rules: readonly TagRewrite[], stage: string): string {
  for (const rule of rules) {
    if (rule.toStage !== undefined && rule.toStage !== stage) continue;
    let pattern: RegExp;
    try {
      pattern = new RegExp(rule.from);
    } catch {
      continue;
    }
    if (pattern.test(tag)) return tag.replace(pattern, rule.to);
  }
  return tag;
}

/** Index of the lane stage holding the image (most specific namespace wins), or -1. */
export function stageIndexOf(lane: PromotionLane, image: Pick<DraggedImage, 'registryId' | 'repository'>): number {
  let best = -1;
  lane.stages.forEach((stage, index) => {
    if (stage.registryId !== image.registryId) return;
    const namespace = normalizeNamespace(stage.namespace);
    if (!image.repository.startsWith(namespace) || image.repository.length === namespace.length) return;
    if (best === -1 || namespace.length > normalizeNamespace(lane.stages[best]!.namespace).length) best = index;
  });
  return best;
}

/**
 * The repository below its environment namespace (`app` for `dev/app`): the part that stays the same
 * from stage to stage. An image from outside the lane keeps its whole path.
 */
export function laneRest(lane: PromotionLane, image: Pick<DraggedImage, 'registryId' | 'repository'>): string {
  const index = stageIndexOf(lane, image);
  return index === -1 ? image.repository : image.repository.slice(normalizeNamespace(lane.stages[index]!.namespace).length);
}

export interface StageTarget {
  reference: string;
  repository: string;
  tag: string;
}

/** The reference an image dropped on `stage` of `lane` is promoted to. */
export function stageTarget(lane: PromotionLane, stage: LaneStage, image: DraggedImage, host: string): StageTarget {
  const repository = `${normalizeNamespace(stage.namespace)}${laneRest(lane, image)}`;
  const tag = rewriteTag(image.tag, lane.tagRewrites, stage.name);
  return { reference: `${host}/${repository}:${tag}`, repository, tag };
}

/** Dropped on a repository (sidebar): same tag, that repository. */
export function repositoryTarget(image: Pick<DraggedImage, 'tag'>, host: string, repository: string): string {
  return `${host}/${repository}:${image.tag}`;
}

/** Dropped on another registry (sidebar): same repository path and tag, that registry. */
export function registryTarget(image: Pick<DraggedImage, 'tag' | 'repository'>, host: string): string {
  return `${host}/${image.repository}:${image.tag}`;
}
