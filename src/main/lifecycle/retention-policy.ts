/**
 * The retention decision for one repository, pure: which tags a policy keeps (and by which rule), which it
 * removes, and how. A tag is kept when any rule keeps it (rules combine by union):
 *   keep-last N  the N newest versions (distinct digests) by created date, or by semantic version;
 *   keep GLOB / keep-regex RE  on the tag name;   newer-than D  created within D days;
 *   lane         the digest is held by another stage of a promotion lane;
 *   shared digest  the tag's digest is kept through another tag (deleting it would take that tag along).
 * Signature, attestation, SBOM and referrers-fallback tags are not versions: never counted, never removed
 * by retention; those whose subject goes are listed as orphaned. A removed digest that a kept index lists
 * as a platform is only untagged, so the kept multi-arch image stays whole.
 */
import picomatch from 'picomatch';
import semver from 'semver';
import { classifyArtifactTag } from '../../shared/artifact-tags';
import { BerthError } from '../../shared/errors';
import type { OrphanedReferrer, RetentionDelete, RetentionKeep, RetentionPolicy } from '../../shared/types/deletion';

export interface TagFacts {
  tag: string;
  digest: string;
  created?: string;
  /** When the registry last served it (Harbor, Hub); absent: never pulled, or not reported. */
  pulled?: string;
}

export interface RepositoryFacts {
  registry: string;
  repository: string;
  tags: TagFacts[];
  /** Digest -> a rule text, for digests another lane stage holds. */
  laneHolds: Map<string, string>;
  /** Indexes of the repository: index digest -> the platform digests it lists. */
  indexes: Map<string, string[]>;
  /** The registry's API reports pull times; without them the pulled-within rule keeps nothing. */
  pullTimes?: boolean;
}

export interface RetentionDecision {
  keep: RetentionKeep[];
  delete: RetentionDelete[];
  orphanedReferrers: OrphanedReferrer[];
}

const DAY_MS = 86_400_000;

/** Whether a policy keeps anything by its own rules; `pullTimes: false` leaves pulled-within out. */
export function hasKeepRule(policy: RetentionPolicy, pullTimes = true): boolean {
  return (
    policy.keepLast !== undefined ||
    (policy.keep?.length ?? 0) > 0 ||
    (policy.keepRegex?.length ?? 0) > 0 ||
    policy.newerThanDays !== undefined ||
    (pullTimes && policy.pulledWithinDays !== undefined)
  );
}

export function checkPolicy(policy: RetentionPolicy): void {
  if (!hasKeepRule(policy)) {
    throw new BerthError(
      'invalid_input',
      'A retention policy needs at least one keep rule (keep-last, keep GLOB, keep-regex, newer-than, pulled-within); without one it would remove every tag.',
    );
  }
  for (const source of policy.keepRegex ?? []) {
    try {
      new RegExp(source);
    } catch {
      throw new BerthError('invalid_input', `"${source.slice(0, 80)}" is not a valid regular expression.`);
    }
  }
}

function describePolicy(policy: RetentionPolicy): string {
  return [
    ...(policy.keepLast !== undefined ? [`keep-last ${policy.keepLast} by ${policy.orderBy ?? 'created'}`] : []),
    ...(policy.keep ?? []).map((glob) => `keep ${glob}`),
    ...(policy.keepRegex ?? []).map((source) => `keep-regex ${source}`),
    ...(policy.newerThanDays !== undefined ? [`newer-than ${policy.newerThanDays} days`] : []),
    ...(policy.pulledWithinDays !== undefined ? [`pulled-within ${policy.pulledWithinDays} days`] : []),
  ].join(', ');
}

/** Digests in keep-last order: newest created first (unknown dates last), or highest semantic version first. */
function versionOrder(tags: readonly TagFacts[], orderBy: 'created' | 'semver'): string[] {
  const ranked =
    orderBy === 'semver'
      ? tags
          .map((facts) => ({ facts, version: semver.clean(facts.tag, { loose: true }) }))
          .filter((entry): entry is { facts: TagFacts; version: string } => entry.version !== null)
          .sort((a, b) => semver.rcompare(a.version, b.version) || a.facts.tag.localeCompare(b.facts.tag))
          .map((entry) => entry.facts)
      : [...tags].sort(
          (a, b) =>
            (Date.parse(b.created ?? '') || -Infinity) - (Date.parse(a.created ?? '') || -Infinity) ||
            a.tag.localeCompare(b.tag),
        );
  return [...new Set(ranked.map((facts) => facts.digest))];
}

export function decideRetention(
  facts: RepositoryFacts,
  policy: RetentionPolicy,
  now: Date,
  options: { withReferrers?: boolean } = {},
): RetentionDecision {
  checkPolicy(policy);
  const artifacts = facts.tags.filter((entry) => classifyArtifactTag(entry.tag));
  const versions = facts.tags.filter((entry) => !classifyArtifactTag(entry.tag));
  const globs = (policy.keep ?? []).map((glob) => ({ glob, match: picomatch(glob, { dot: true }) }));
  const regexes = (policy.keepRegex ?? []).map((source) => ({ source, re: new RegExp(source) }));
  const newest = new Set(
    policy.keepLast !== undefined ? versionOrder(versions, policy.orderBy ?? 'created').slice(0, policy.keepLast) : [],
  );
  const ruleFor = (entry: TagFacts): string | undefined => {
    const lane = facts.laneHolds.get(entry.digest);
    if (lane) return lane;
    const glob = globs.find(({ match }) => match(entry.tag));
    if (glob) return `keep ${glob.glob}`;
    const regex = regexes.find(({ re }) => re.test(entry.tag));
    if (regex) return `keep-regex ${regex.source}`;
    if (policy.newerThanDays !== undefined) {
      const created = Date.parse(entry.created ?? '');
      if (Number.isFinite(created) && now.getTime() - created < policy.newerThanDays * DAY_MS)
        return `newer-than ${policy.newerThanDays} days`;
    }
    if (policy.pulledWithinDays !== undefined && facts.pullTimes) {
      const pulled = Date.parse(entry.pulled ?? '');
      if (Number.isFinite(pulled) && now.getTime() - pulled < policy.pulledWithinDays * DAY_MS)
        return `pulled-within ${policy.pulledWithinDays} days`;
    }
    if (newest.has(entry.digest)) return `keep-last ${policy.keepLast} by ${policy.orderBy ?? 'created'}`;
    return undefined;
  };
  const keep: RetentionKeep[] = [];
  const keptDigests = new Map<string, string>();
  const rest: TagFacts[] = [];
  for (const entry of versions) {
    const rule = ruleFor(entry);
    if (rule === undefined) rest.push(entry);
    else {
      keep.push({ tag: entry.tag, rule, repository: facts.repository, digest: entry.digest });
      if (!keptDigests.has(entry.digest)) keptDigests.set(entry.digest, entry.tag);
    }
  }
  const removed: TagFacts[] = [];
  for (const entry of rest) {
    const sharer = keptDigests.get(entry.digest);
    if (sharer)
      keep.push({
        tag: entry.tag,
        rule: `shares its digest with kept tag ${sharer}`,
        repository: facts.repository,
        digest: entry.digest,
      });
    else removed.push(entry);
  }
  // Platforms of kept indexes stay as manifests (the index needs them); their own tags are only untagged.
  const keptPlatforms = new Map<string, string>();
  for (const [index, platforms] of facts.indexes)
    if (keptDigests.has(index)) for (const platform of platforms) keptPlatforms.set(platform, keptDigests.get(index)!);
  const unmatched = `no keep rule matched (${describePolicy(policy)})`;
  const toDelete: RetentionDelete[] = removed.map((entry) => {
    const index = keptPlatforms.get(entry.digest);
    return index
      ? {
          tag: entry.tag,
          digest: entry.digest,
          action: 'untag',
          rule: `${unmatched}; its digest is a platform of kept ${index}, so only the tag goes`,
          repository: facts.repository,
        }
      : { tag: entry.tag, digest: entry.digest, action: 'delete', rule: unmatched, repository: facts.repository };
  });
  const deletedDigests = new Set(toDelete.filter((entry) => entry.action === 'delete').map((entry) => entry.digest));
  const orphanedReferrers: OrphanedReferrer[] = [];
  for (const entry of artifacts) {
    const artifact = classifyArtifactTag(entry.tag)!;
    const base = { tag: entry.tag, repository: facts.repository, digest: entry.digest };
    if (deletedDigests.has(artifact.subjectDigest) && options.withReferrers) {
      toDelete.push({
        ...base,
        action: 'delete',
        rule: `${artifact.kind} of a removed image: follows its subject (--with-referrers)`,
      });
    } else if (deletedDigests.has(artifact.subjectDigest)) {
      orphanedReferrers.push({ reference: `${facts.registry}/${facts.repository}:${entry.tag}`, kind: artifact.kind });
      keep.push({ ...base, rule: `${artifact.kind} of a removed image: not a version, left for you to remove` });
    } else keep.push({ ...base, rule: `${artifact.kind}: not a version, follows its subject` });
  }
  return { keep, delete: toDelete, orphanedReferrers };
}
