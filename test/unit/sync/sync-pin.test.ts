/**
 * Running exactly a shown plan: the hash covers the rule and every decision; the tags planned again are the
 * ones written (plus the images their artifact tags hang on); a write whose source or target moved, a delete
 * whose target changed and a source tag gone since are refused with the reason, others run as planned.
 */
import { describe, expect, it } from 'vitest';
import type { SyncRule } from '../../../src/shared/types/sync';
import { checkPlanHash, pinPlan, planHash, tagsToRecheck, type PinnedTag } from '../../../src/main/sync/sync-pin';
import type { PlannedTag, PreparedSync } from '../../../src/main/sync/sync-plan';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const rule: SyncRule = {
  name: 'r',
  source: 'a:1/ns/app',
  target: 'b:1/ns/app',
  referrers: true,
  mode: 'mirror',
  delete: true,
};
const hosts = { sourceRegistry: 'a:1', targetRegistry: 'b:1' };

function pinned(tag: string, action: PinnedTag['action'], extra: Partial<PinnedTag> = {}): PinnedTag {
  return {
    repository: 'ns/app',
    sourceRepository: 'ns/app',
    tag,
    action,
    digest: d('1'),
    sourceDigest: d('1'),
    ...extra,
  };
}

function fresh(tags: PinnedTag[]): PreparedSync {
  const planned: PlannedTag[] = tags.map((tag) => ({
    ...tag,
    blobsToCopy: 0,
    blobsToMount: 0,
    bytesToCopy: 0,
    ...hosts,
  }));
  return { plan: {} as PreparedSync['plan'], tags: planned };
}

describe('sync plan pinning', () => {
  it('hashes the rule and every decision: a changed rule or decision is refused', () => {
    const tags = [pinned('1', 'new')];
    const plan = { planHash: planHash(rule, tags), tags };
    expect(() => checkPlanHash(rule, plan)).not.toThrow();
    // The same rule with its keys in another order is the same rule.
    const reordered = Object.fromEntries(Object.entries(rule).reverse()) as unknown as SyncRule;
    expect(planHash(reordered, tags)).toBe(plan.planHash);
    expect(() => checkPlanHash({ ...rule, mode: 'copy', delete: false }, plan)).toThrow(/does not match its hash/);
    expect(() => checkPlanHash(rule, { ...plan, tags: [pinned('1', 'new', { targetDigest: d('2') })] })).toThrow(
      /does not match its hash/,
    );
  });

  it('plans again only what it writes, and the image an artifact tag hangs on', () => {
    const sig = `sha256-${'1'.repeat(64)}.sig`;
    const plan = {
      planHash: '',
      tags: [
        pinned('1', 'same'),
        pinned('2', 'new'),
        pinned(sig, 'new', { artifactOf: 'ns/app:1' }),
        pinned('3', 'differs'),
      ],
    };
    expect(tagsToRecheck(plan).sort()).toEqual(['1', '2', sig].sort());
    expect(tagsToRecheck({ planHash: '', tags: [pinned('1', 'same')] })).toEqual([]);
  });

  it('refuses each write or delete that moved, naming why, and reports the rest as planned', () => {
    const plan = {
      planHash: '',
      tags: [
        pinned('ok', 'overwrite', { digest: d('1'), targetDigest: d('9') }),
        pinned('moved', 'new'),
        pinned('changed', 'new'),
        pinned('gone', 'new'),
        pinned('del', 'delete', { sourceDigest: undefined, digest: d('5'), targetDigest: d('5') }),
        pinned('same', 'same'),
      ],
    };
    const now = fresh([
      pinned('ok', 'overwrite', { digest: d('1'), targetDigest: d('9') }),
      pinned('moved', 'new', { sourceDigest: d('3'), digest: d('3') }),
      pinned('changed', 'overwrite', { targetDigest: d('4') }),
      pinned('del', 'delete', { sourceDigest: undefined, digest: d('6'), targetDigest: d('6') }),
      pinned('extra', 'new'),
    ]);
    const { tags, refused } = pinPlan(now, plan, hosts);
    expect(tags.map((tag) => [tag.tag, tag.action])).toEqual(plan.tags.map((tag) => [tag.tag, tag.action]));
    expect(tags[0]).toBe(now.tags[0]);
    expect([...refused.keys()]).toEqual(['ns/app:moved', 'ns/app:changed', 'ns/app:gone', 'ns/app:del']);
    expect(refused.get('ns/app:moved')).toContain('the source moved since the plan');
    expect(refused.get('ns/app:changed')).toContain('the target changed since the plan (absent -> sha256:4444');
    expect(refused.get('ns/app:gone')).toContain('is gone since the plan');
    expect(refused.get('ns/app:del')).toContain('changed since the plan (it was to be deleted at sha256:5555');
    expect(tags.some((tag) => tag.tag === 'extra')).toBe(false);
  });
});
