/**
 * The sync plan: per tag, what a rule would do (new / same / differs / overwrite / delete) and the bytes it
 * would move, computed before anything is written.
 *
 * Cost is the point (skopeo checks tag by tag with GETs: containers/skopeo#1498, #1801): the tag lists of
 * source and target, then one HEAD per selected tag on each side. A tag whose digests are equal is `same`
 * with no manifest or blob GET, so a no-op sync costs no Docker Hub pulls. Only tags that will be written
 * are read (promotion's planner: source graph, then HEADs of its blobs at the target). A rule with a
 * platform subset must read each index to know the digest of the subset it would write.
 *
 * Signatures and other referrers: on registries without the OCI 1.1 referrers API they live under tags
 * (cosign's `sha256-<hex>.sig/.att/.sbom`, the referrers fallback `sha256-<hex>`), so they are synced as
 * tags of their own, byte for byte, along with the image they are attached to: a re-run compares them by
 * HEAD like any tag. A repository without such tags has its referrers carried by promotion's referrers path.
 */
import { classifyArtifactTag } from '../../shared/artifact-tags';
import { BerthError, isBerthError } from '../../shared/errors';
import type { RepositoryName } from '../../shared/reference';
import type { SyncAction, SyncPlan, SyncRule, SyncTagPlan } from '../../shared/types/sync';
import { indexEntries, isIndexMediaType, parsePlatform, platformMatches, type RegistryClient } from '../registry';
import { preparePromotion, type PreparedPromotion } from '../promotion/plan';
import { mapBounded } from '../util/async';
import { planHash } from './sync-pin';
import { planningClient, type PlanningClient } from './sync-requests';
import {
  isGlob,
  needsDates,
  newestTags,
  parseLocation,
  repositoryMatcher,
  sourcePrefix,
  tagMatcher,
  targetRepository,
  type Location,
} from './sync-rules';

export interface SyncPlanDeps {
  client: RegistryClient;
  /** When an image was created (from the registry index, else read once), for `latest` on tags that are not versions. */
  created(host: string, repository: string, digest: string, signal: AbortSignal): Promise<string | undefined>;
}

export interface PlannedTag extends SyncTagPlan {
  /** Registry hosts of both sides. */
  sourceRegistry: string;
  targetRegistry: string;
  /** What the write runs (promotion's plan), for `new` and `overwrite`. */
  prepared?: PreparedPromotion;
}

export interface PreparedSync {
  plan: SyncPlan;
  tags: PlannedTag[];
}

/** Repositories planned at once; each one's HEADs run under the registry client's per-host bound. */
const REPOSITORY_CONCURRENCY = 4;
const HEAD_CONCURRENCY = 16;
const PREPARE_CONCURRENCY = 6;

interface SourceRepositories {
  repositories: { repository: string; tags?: string[] }[];
  prefix: string;
  single: boolean;
}

function notFound(error: unknown): boolean {
  return isBerthError(error) && error.code === 'not_found';
}

async function sourceRepositories(
  client: RegistryClient,
  source: Location,
  signal: AbortSignal,
): Promise<SourceRepositories> {
  const { host, path } = source;
  const underNamespace = async (namespace: string): Promise<SourceRepositories> => {
    const all = await client.listRepositories(host, { signal });
    return {
      repositories: all.filter((name) => name.startsWith(namespace)).map((repository) => ({ repository })),
      prefix: namespace,
      single: false,
    };
  };
  if (isGlob(path)) {
    const matches = repositoryMatcher(path);
    const all = await client.listRepositories(host, { signal });
    return {
      repositories: all.filter(matches).map((repository) => ({ repository })),
      prefix: sourcePrefix(path, 'glob'),
      single: false,
    };
  }
  if (path === '' || path.endsWith('/')) return underNamespace(path);
  try {
    const tags = await client.listTags({ registry: host, repository: path }, { signal });
    return { repositories: [{ repository: path, tags }], prefix: sourcePrefix(path, 'repository'), single: true };
  } catch (error) {
    // Not a repository: a namespace, as `host/prod` means `host/prod/`.
    if (!notFound(error)) throw error;
    return underNamespace(`${path}/`);
  }
}

async function headAll(
  client: RegistryClient,
  repo: RepositoryName,
  tags: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, { digest: string; mediaType: string }>> {
  const found = new Map<string, { digest: string; mediaType: string }>();
  await mapBounded(tags, HEAD_CONCURRENCY, signal, async (tag, _i, headSignal) => {
    const head = await client.headManifest({ ...repo, tag }, { signal: headSignal });
    if (head) found.set(tag, { digest: head.digest, mediaType: head.mediaType });
  });
  return found;
}

function actionFor(rule: SyncRule, wanted: string, existing: string | undefined): SyncAction {
  if (existing === undefined) return 'new';
  if (existing === wanted) return 'same';
  return rule.mode === 'mirror' ? 'overwrite' : 'differs';
}

interface RepositoryPlan {
  tags: PlannedTag[];
  notes: string[];
}

async function planRepository(
  deps: SyncPlanDeps,
  rule: SyncRule,
  source: RepositoryName,
  target: RepositoryName,
  listedTags: string[] | undefined,
  onlyTags: ReadonlySet<string> | undefined,
  planning: PlanningClient,
  signal: AbortSignal,
): Promise<RepositoryPlan> {
  const { client } = deps;
  const notes: string[] = [];
  const matches = tagMatcher(rule.tags);
  const [sourceTags, targetTags] = await Promise.all([
    listedTags ?? client.listTags(source, { signal }),
    client.listTags(target, { signal }).catch((error: unknown) => {
      if (notFound(error)) return [] as string[];
      throw error;
    }),
  ]);
  const wanted = (tag: string) => classifyArtifactTag(tag) === null && matches(tag) && (!onlyTags || onlyTags.has(tag));
  // In name order: registries list in storage order (a tmpfs-backed one, newest first).
  const candidates = sourceTags.filter(wanted).sort();
  const sourceHeads = await headAll(client, source, candidates, signal);
  let selected = candidates.filter((tag) => sourceHeads.has(tag));
  if (rule.latest !== undefined && selected.length > rule.latest) {
    const created = new Map<string, string>();
    if (needsDates(selected)) {
      await mapBounded(selected, HEAD_CONCURRENCY, signal, async (tag, _i, dateSignal) => {
        const date = await deps.created(source.registry, source.repository, sourceHeads.get(tag)!.digest, dateSignal);
        if (date !== undefined) created.set(tag, date);
      });
    }
    selected = newestTags(selected, rule.latest, created);
  }

  // Artifact tags go along with the images they are attached to: the selected digests, and the platform
  // images of selected indexes (read only when some artifact tag names a digest no tag has).
  const sourceArtifacts = rule.referrers ? sourceTags.filter((tag) => classifyArtifactTag(tag) !== null) : [];
  const subjects = new Map<string, string>();
  for (const tag of selected) {
    const head = sourceHeads.get(tag)!;
    // A platform subset is a new index: what signs or describes the source's index does not apply to it.
    if (rule.platforms === undefined || !isIndexMediaType(head.mediaType)) subjects.set(head.digest, tag);
  }
  if (sourceArtifacts.some((tag) => !subjects.has(classifyArtifactTag(tag)!.subjectDigest))) {
    const platforms = (rule.platforms ?? []).map(parsePlatform);
    const indexes = selected.filter((tag) => isIndexMediaType(sourceHeads.get(tag)!.mediaType));
    await mapBounded(indexes, HEAD_CONCURRENCY, signal, async (tag, _i, readSignal) => {
      const index = await client.getManifest(
        { ...source, digest: sourceHeads.get(tag)!.digest },
        { signal: readSignal },
      );
      for (const entry of indexEntries(index)) {
        // Only the platforms the rule carries: a signature of an image left behind would sign nothing there.
        const carried =
          platforms.length === 0 || (entry.platform && platforms.some((p) => platformMatches(entry.platform!, p)));
        if (carried && !subjects.has(entry.digest)) subjects.set(entry.digest, tag);
      }
    });
  }
  const artifacts = sourceArtifacts.filter((tag) => subjects.has(classifyArtifactTag(tag)!.subjectDigest));
  const artifactHeads = await headAll(client, source, artifacts, signal);

  const present = new Set(targetTags);
  const writing = [...selected, ...artifacts.filter((tag) => artifactHeads.has(tag))];
  // A tag the target does not list is absent: promotion's planner need not HEAD it again.
  for (const tag of writing.filter((name) => !present.has(name)))
    planning.know(target.registry, target.repository, tag, undefined);
  const targetHeads = await headAll(
    client,
    target,
    writing.filter((tag) => present.has(tag)),
    signal,
  );

  // Referrers under tags are synced as tags. A repository without such tags can have referrers only through
  // the referrers API: asked once here (not per image), and promotion reads them per image only when it answers.
  const firstWrite = selected.find((tag) => {
    const existing = targetHeads.get(tag)?.digest;
    return (
      rule.platforms !== undefined ||
      existing === undefined ||
      (rule.mode === 'mirror' && existing !== sourceHeads.get(tag)!.digest)
    );
  });
  const referrersByApi =
    rule.referrers &&
    sourceArtifacts.length === 0 &&
    firstWrite !== undefined &&
    (await client.findReferrers({ ...source, digest: sourceHeads.get(firstWrite)!.digest }, { signal })).api;
  const planned: PlannedTag[] = [];
  await mapBounded(writing, PREPARE_CONCURRENCY, signal, async (tag, position, prepareSignal) => {
    const artifact = classifyArtifactTag(tag);
    const head = (artifact ? artifactHeads : sourceHeads).get(tag)!;
    const existing = targetHeads.get(tag)?.digest;
    const subset = rule.platforms !== undefined && artifact === null;
    let prepared: PreparedPromotion | undefined;
    let digest = head.digest;
    // A platform subset writes a new index whose digest only the source's bytes tell; a tag copy mode leaves
    // alone needs no reading.
    if (subset || existing === undefined || (existing !== head.digest && rule.mode === 'mirror')) {
      try {
        prepared = await preparePromotion(
          client,
          {
            source: `${source.registry}/${source.repository}@${head.digest}`,
            target: `${target.registry}/${target.repository}:${tag}`,
            ...(subset ? { platforms: rule.platforms } : {}),
            withReferrers: artifact === null && referrersByApi,
            force: false,
            viaEngine: false,
          },
          prepareSignal,
        );
      } catch (error) {
        // A single-platform image of another platform is outside the rule, not a failure.
        if (subset && notFound(error)) {
          notes.push(`${source.repository}:${tag}: ${(error as BerthError).message} Not synced.`);
          return;
        }
        throw error;
      }
      digest = prepared.plan.targetDigest;
    }
    const action = actionFor(rule, digest, existing);
    planned[position] = {
      repository: target.repository,
      sourceRepository: source.repository,
      tag,
      action,
      digest,
      sourceDigest: head.digest,
      ...(existing !== undefined ? { targetDigest: existing } : {}),
      ...(artifact ? { artifactOf: `${source.repository}:${subjects.get(artifact.subjectDigest)}` } : {}),
      blobsToCopy: 0,
      blobsToMount: 0,
      bytesToCopy: 0,
      sourceRegistry: source.registry,
      targetRegistry: target.registry,
      ...(prepared && (action === 'new' || action === 'overwrite') ? { prepared } : {}),
    };
  });
  const tags = planned.filter((tag) => tag !== undefined);

  if (rule.mode === 'mirror' && rule.delete) {
    const atSource = new Set(sourceTags);
    const gone = targetTags.filter((tag) => wanted(tag) && !atSource.has(tag));
    const goneHeads = await headAll(client, target, gone, signal);
    for (const tag of gone) {
      const head = goneHeads.get(tag);
      if (!head) continue;
      tags.push({
        repository: target.repository,
        sourceRepository: source.repository,
        tag,
        action: 'delete',
        digest: head.digest,
        targetDigest: head.digest,
        blobsToCopy: 0,
        blobsToMount: 0,
        bytesToCopy: 0,
        sourceRegistry: source.registry,
        targetRegistry: target.registry,
      });
    }
  }
  return { tags, notes };
}

/**
 * Counts each blob once per target registry, as execution moves it: the first tag that needs it copies
 * (or mounts from the source, within one registry); any later tag in another repository mounts it from there.
 */
function countTransfers(tags: PlannedTag[]): void {
  const first = new Map<string, string>();
  for (const tag of tags) {
    for (const blob of tag.prepared?.plan.blobs ?? []) {
      if (blob.action !== 'copy' && blob.action !== 'mount') continue;
      const key = `${tag.targetRegistry}\n${blob.digest}`;
      const landed = first.get(key);
      if (landed === undefined) {
        first.set(key, tag.repository);
        if (blob.action === 'copy') {
          tag.blobsToCopy++;
          tag.bytesToCopy += blob.size;
        } else tag.blobsToMount++;
      } else if (landed !== tag.repository) tag.blobsToMount++;
    }
  }
}

export async function prepareSync(
  deps: SyncPlanDeps,
  rule: SyncRule,
  options: { onlyTags?: readonly string[]; signal: AbortSignal },
): Promise<PreparedSync> {
  const { signal } = options;
  const source = parseLocation(rule.source, 'source');
  const target = parseLocation(rule.target, 'target');
  // Fails early, before any request, on a bad filter.
  tagMatcher(rule.tags);
  const found = await sourceRepositories(deps.client, source, signal);
  if (found.repositories.length === 0) {
    throw new BerthError('not_found', `No repository on ${source.host} matches ${rule.source}.`, {
      registry: source.host,
    });
  }
  const onlyTags = options.onlyTags ? new Set(options.onlyTags) : undefined;
  const pairs = found.repositories.map(({ repository, tags }) => ({
    source: { registry: source.host, repository },
    target: { registry: target.host, repository: targetRepository(repository, found.prefix, target, found.single) },
    tags,
  }));
  for (const pair of pairs) {
    if (pair.source.registry === pair.target.registry && pair.source.repository === pair.target.repository) {
      throw new BerthError(
        'invalid_input',
        `The rule maps ${pair.source.registry}/${pair.source.repository} onto itself: give a target elsewhere.`,
      );
    }
  }
  // Every question of this plan is asked once across tags and repositories (shared layers above all).
  const planning = planningClient(deps.client);
  const planDeps = { ...deps, client: planning.client };
  const perRepository = await mapBounded(pairs, REPOSITORY_CONCURRENCY, signal, (pair, _i, repoSignal) =>
    planRepository(planDeps, rule, pair.source, pair.target, pair.tags, onlyTags, planning, repoSignal),
  );
  const tags = perRepository.flatMap((entry) => entry.tags);
  countTransfers(tags);
  const notes = perRepository.flatMap((entry) => entry.notes);
  if (rule.mode === 'copy' && tags.some((tag) => tag.action === 'differs'))
    notes.push('Copy mode leaves target tags that hold another digest alone (`differs`); mirror mode overwrites them.');
  const plan: SyncPlan = {
    rule,
    sourceRegistry: source.host,
    targetRegistry: target.host,
    tags: tags.map(publicTag),
    planHash: planHash(rule, tags),
    blobsToCopy: tags.reduce((sum, tag) => sum + tag.blobsToCopy, 0),
    blobsToMount: tags.reduce((sum, tag) => sum + tag.blobsToMount, 0),
    bytesToCopy: tags.reduce((sum, tag) => sum + tag.bytesToCopy, 0),
    notes,
  };
  return { plan, tags };
}

/** A planned tag as the contract shows it (without the registries and the prepared promotion). */
export function publicTag(tag: PlannedTag): SyncTagPlan {
  const { prepared: _prepared, sourceRegistry: _source, targetRegistry: _target, ...shown } = tag;
  return shown;
}
