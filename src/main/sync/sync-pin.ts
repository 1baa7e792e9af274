/**
 * Running exactly the plan the user saw. A plan records per tag what it decided on (the source digest, the
 * target digest or its absence, the action) and a hash over the rule and those decisions. `sync.run` given
 * the plan checks the hash, plans again only the tags the plan writes, and refuses (names, writes nothing
 * for) a tag whose source moved or whose target changed since: the sync counterpart of promotion's
 * `pinnedSource` and of retention's applied plan.
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../../shared/errors';
import type { SyncAction, SyncRule, SyncTagPlan } from '../../shared/types/sync';
import type { PlannedTag, PreparedSync } from './sync-plan';

export interface PinnedTag {
  repository: string;
  sourceRepository: string;
  tag: string;
  action: SyncAction;
  digest: string;
  sourceDigest?: string | undefined;
  targetDigest?: string | undefined;
  artifactOf?: string | undefined;
}

export interface PinnedPlan {
  planHash: string;
  tags: PinnedTag[];
}

const writes = (action: SyncAction) => action === 'new' || action === 'overwrite' || action === 'delete';
const key = (tag: { repository: string; tag: string }) => `${tag.repository}:${tag.tag}`;
const short = (digest: string | undefined) => (digest === undefined ? 'absent' : `${digest.slice(0, 19)}…`);

/** Over the rule (keys in order) and each tag's decision, so any change to either changes the hash. */
export function planHash(rule: SyncRule, tags: readonly PinnedTag[]): string {
  const ruleKeys = Object.keys(rule).sort();
  const decisions = tags.map((tag) => [
    tag.sourceRepository,
    tag.repository,
    tag.tag,
    tag.action,
    tag.digest,
    tag.sourceDigest ?? null,
    tag.targetDigest ?? null,
    tag.artifactOf ?? null,
  ]);
  return `sha256:${createHash('sha256')
    .update(JSON.stringify([JSON.parse(JSON.stringify(rule, ruleKeys)), decisions]))
    .digest('hex')}`;
}

/** Refuses a plan that is not the one `sync.plan` returned for this rule (edited, or the rule changed since). */
export function checkPlanHash(rule: SyncRule, plan: PinnedPlan): void {
  if (planHash(rule, plan.tags) !== plan.planHash)
    throw new BerthError(
      'conflict',
      `The plan does not match its hash: it was changed, or rule "${rule.name}" changed since it was made. Nothing was written; plan again.`,
    );
}

/**
 * The tag names to plan again: those the plan writes or deletes, and the images their artifact tags are
 * attached to (an artifact tag is planned with its image). Empty when the plan writes nothing.
 */
export function tagsToRecheck(plan: PinnedPlan): string[] {
  const names = new Set<string>();
  for (const tag of plan.tags.filter((candidate) => writes(candidate.action))) {
    names.add(tag.tag);
    if (tag.artifactOf !== undefined) names.add(tag.artifactOf.slice(tag.artifactOf.lastIndexOf(':') + 1));
  }
  return [...names];
}

function moved(pinned: PinnedTag, fresh: PlannedTag | undefined): string | undefined {
  const id = key(pinned);
  const tail = 'nothing was written for this tag; plan again to sync it.';
  if (pinned.action === 'delete') {
    if (fresh?.action === 'delete' && fresh.targetDigest === pinned.targetDigest) return undefined;
    return `${id} changed since the plan (it was to be deleted at ${short(pinned.targetDigest)}); ${tail}`;
  }
  if (fresh === undefined || fresh.action === 'delete')
    return `${id}: the source tag ${pinned.sourceRepository}:${pinned.tag} is gone since the plan; ${tail}`;
  if (fresh.sourceDigest !== pinned.sourceDigest || fresh.digest !== pinned.digest)
    return `${id}: the source moved since the plan (${short(pinned.sourceDigest)} -> ${short(fresh.sourceDigest)}); ${tail}`;
  if (fresh.targetDigest !== pinned.targetDigest)
    return `${id}: the target changed since the plan (${short(pinned.targetDigest)} -> ${short(fresh.targetDigest)}); ${tail}`;
  return undefined;
}

/**
 * The pinned plan over a fresh one: writes whose source and target are as planned run with the fresh
 * promotion plan (same digests, so the same bytes); the others are refused with the reason; tags the plan
 * did not write are reported as planned; tags the plan did not know are left for the next plan.
 */
export function pinPlan(
  fresh: PreparedSync | undefined,
  pinned: PinnedPlan,
  registries: { sourceRegistry: string; targetRegistry: string },
): { tags: PlannedTag[]; refused: Map<string, string> } {
  const byKey = new Map((fresh?.tags ?? []).map((tag) => [key(tag), tag]));
  const refused = new Map<string, string>();
  const tags = pinned.tags.map((tag): PlannedTag => {
    const found = byKey.get(key(tag));
    if (writes(tag.action)) {
      const reason = moved(tag, found);
      if (reason === undefined) return found!;
      refused.set(key(tag), reason);
    }
    const shown: SyncTagPlan = {
      repository: tag.repository,
      sourceRepository: tag.sourceRepository,
      tag: tag.tag,
      action: tag.action,
      digest: tag.digest,
      ...(tag.sourceDigest !== undefined ? { sourceDigest: tag.sourceDigest } : {}),
      ...(tag.targetDigest !== undefined ? { targetDigest: tag.targetDigest } : {}),
      ...(tag.artifactOf !== undefined ? { artifactOf: tag.artifactOf } : {}),
      blobsToCopy: 0,
      blobsToMount: 0,
      bytesToCopy: 0,
    };
    return { ...shown, ...registries };
  });
  return { tags, refused };
}
