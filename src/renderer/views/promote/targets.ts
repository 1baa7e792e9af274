/**
 * Where a promotion goes when an image is dropped on a lane stage, a repository or a registry. The
 * promotion engine plans and checks the copy; this only names the target reference, with the lane rules of
 * src/shared/lane-rules.ts that `promotion.next` applies too, so a drop and "Promote to next stage" agree.
 */
import { normalizeNamespace, rewriteTag } from '../../../shared/lane-rules';
import type { PromotionLane } from '../../../shared/types/promotion';

export { normalizeNamespace, rewriteTag };
import type { DraggedImage } from './drag';

export type LaneStage = PromotionLane['stages'][number];

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
  return index === -1
    ? image.repository
    : image.repository.slice(normalizeNamespace(lane.stages[index]!.namespace).length);
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
