import { describe, expect, it } from 'vitest';
import { decideRetention, type RepositoryFacts } from '../../../src/main/lifecycle/retention-policy';
import { retentionPlanHash } from '../../../src/main/lifecycle/retention-plan';

const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const now = new Date('2026-06-01T00:00:00Z');
const day = (n: number) => new Date(now.getTime() - n * 86_400_000).toISOString();

function facts(tags: RepositoryFacts['tags'], extra: Partial<RepositoryFacts> = {}): RepositoryFacts {
  return { registry: 'r.example', repository: 'app', tags, laneHolds: new Map(), indexes: new Map(), ...extra };
}

const tagsOf = (entries: { tag: string }[]) => entries.map((entry) => entry.tag).sort();

describe('retention decision', () => {
  it('keep-last by semver counts versions, not tags, and never the artifact tags', () => {
    const decision = decideRetention(
      facts([
        { tag: 'v1.10.0', digest: digest(1) },
        { tag: 'v1.9.0', digest: digest(2) },
        { tag: '1.2.0', digest: digest(3) },
        { tag: 'stable', digest: digest(1) },
        { tag: `${digest(3).replace(':', '-')}.sig`, digest: digest(9) },
        { tag: 'nightly', digest: digest(4) },
      ]),
      { keepLast: 2, orderBy: 'semver' },
      now,
    );
    expect(tagsOf(decision.keep)).toEqual(['sha256-' + '0'.repeat(63) + '3.sig', 'stable', 'v1.10.0', 'v1.9.0'].sort());
    // keep-last counts digests: every tag of a kept version is kept by that rule.
    expect(decision.keep.find((entry) => entry.tag === 'stable')?.rule).toBe('keep-last 2 by semver');
    expect(tagsOf(decision.delete)).toEqual(['1.2.0', 'nightly']);
    expect(decision.orphanedReferrers).toEqual([
      { reference: `r.example/app:${digest(3).replace(':', '-')}.sig`, kind: 'signature' },
    ]);
  });

  it('newer-than, regex and lane holds keep; a platform of a kept index is only untagged', () => {
    const decision = decideRetention(
      facts(
        [
          { tag: 'recent', digest: digest(1), created: day(3) },
          { tag: 'old', digest: digest(2), created: day(300) },
          { tag: 'release-7', digest: digest(3), created: day(300) },
          { tag: 'candidate', digest: digest(3), created: day(300) },
          { tag: 'in-prod', digest: digest(4), created: day(300) },
          { tag: 'multi', digest: digest(5), created: day(1) },
          { tag: 'multi-arm64', digest: digest(6), created: day(300) },
        ],
        {
          laneHolds: new Map([[digest(4), 'held by the last (production) stage prod of lane main']]),
          indexes: new Map([[digest(5), [digest(6), digest(7)]]]),
        },
      ),
      { newerThanDays: 7, keepRegex: ['^release-\\d+$'] },
      now,
    );
    expect(Object.fromEntries(decision.keep.map((entry) => [entry.tag, entry.rule]))).toEqual({
      recent: 'newer-than 7 days',
      'release-7': 'keep-regex ^release-\\d+$',
      candidate: 'shares its digest with kept tag release-7',
      'in-prod': 'held by the last (production) stage prod of lane main',
      multi: 'newer-than 7 days',
    });
    expect(decision.delete.map(({ tag, action }) => ({ tag, action }))).toEqual([
      { tag: 'old', action: 'delete' },
      { tag: 'multi-arm64', action: 'untag' },
    ]);
  });

  it('a policy without any keep rule is refused rather than removing everything', () => {
    expect(() => decideRetention(facts([{ tag: 'a', digest: digest(1) }]), {}, now)).toThrow(/at least one keep rule/);
    expect(() => decideRetention(facts([]), { keepRegex: ['('] }, now)).toThrow(/not a valid regular expression/);
  });

  it('the plan hash does not depend on key order and changes with any content', () => {
    const plan = {
      version: 1 as const,
      registry: 'r',
      scope: 'r/app',
      repositories: ['app'],
      policy: { keepLast: 1 },
      createdAt: now.toISOString(),
      keep: [],
      delete: [{ tag: 'a', digest: digest(1), action: 'delete' as const, rule: 'x', repository: 'app' }],
      bytesFreed: 10,
      orphanedReferrers: [],
      notes: [],
    };
    const reordered = Object.fromEntries(Object.entries(plan).reverse()) as typeof plan;
    expect(retentionPlanHash(reordered)).toBe(retentionPlanHash(plan));
    expect(retentionPlanHash({ ...plan, bytesFreed: 11 })).not.toBe(retentionPlanHash(plan));
  });
});

describe('pulled-within', () => {
  const tags = [
    { tag: 'old-but-pulled', digest: digest(1), created: day(90), pulled: day(2) },
    { tag: 'old-pulled-long-ago', digest: digest(2), created: day(80), pulled: day(30) },
    { tag: 'never-pulled', digest: digest(3), created: day(70) },
  ];

  it('keeps what the registry says was pulled within the days given', () => {
    const decision = decideRetention(facts(tags, { pullTimes: true }), { pulledWithinDays: 7 }, now);
    expect(decision.keep).toEqual([
      { tag: 'old-but-pulled', digest: digest(1), repository: 'app', rule: 'pulled-within 7 days' },
    ]);
    expect(tagsOf(decision.delete)).toEqual(['never-pulled', 'old-pulled-long-ago']);
  });

  it('keeps nothing by pull time where the registry reports none, even if facts carry dates', () => {
    const decision = decideRetention(facts(tags), { pulledWithinDays: 7, keepLast: 1 }, now);
    expect(decision.keep.map((entry) => entry.rule)).toEqual(['keep-last 1 by created']);
  });
});
