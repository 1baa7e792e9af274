/**
 * The blast radius of deleting a manifest by digest, shown before the user confirms: every tag that goes
 * with it, the signatures / attestations / SBOMs left without their subject (cosign's `sha256-<hex>.sig`
 * style tags and OCI referrers), the multi-arch indexes that list it as a platform (they would break), and
 * the promotion lane stages that hold it (above all a lane's last, production, stage).
 */
import { classifyArtifactTag } from '../../shared/artifact-tags';
import { isBerthError } from '../../shared/errors';
import { formatPlatform } from '../../shared/reference';
import type { BlastRadius, OrphanedReferrer } from '../../shared/types/deletion';
import type { PromotionLane } from '../../shared/types/promotion';
import { normalizeNamespace } from '../../shared/lane-rules';
import type { RegistryBrowser } from '../registry/browser';
import { indexEntries } from '../registry/manifest';
import { isIndexMediaType } from '../registry/media-types';
import { readRepository, tagsByDigest, type RepositoryState } from './delete-state';

export interface LaneLookup {
  lanes(): readonly PromotionLane[];
  /** A lane stage's registryId -> its host (undefined when not in the settings). */
  registryHost(registryId: string): string | undefined;
}

/** Every index of the repository, with the platform entries it lists (each index manifest read once, by digest). */
export async function repositoryIndexes(
  browser: RegistryBrowser,
  state: RepositoryState,
  signal?: AbortSignal,
): Promise<{ digest: string; tags: string[]; entries: { digest: string; platform?: string }[] }[]> {
  const indexes = [];
  for (const [indexDigest, tags] of tagsByDigest(state)) {
    if (!isIndexMediaType(state.tags.get(tags[0]!)?.mediaType ?? '')) continue;
    const manifest = await browser.client.getManifest(
      { registry: state.registry, repository: state.repository, digest: indexDigest },
      signal ? { signal } : {},
    );
    indexes.push({
      digest: indexDigest,
      tags: [...tags].sort(),
      entries: indexEntries(manifest).map((entry) => ({
        digest: entry.digest,
        ...(entry.platform ? { platform: formatPlatform(entry.platform) } : {}),
      })),
    });
  }
  return indexes;
}

/** Signatures and other attachments of `digest`: its artifact tags and the registry's referrers of it. */
async function referrersOf(
  browser: RegistryBrowser,
  state: RepositoryState,
  digest: string,
  signal?: AbortSignal,
): Promise<OrphanedReferrer[]> {
  const base = `${state.registry}/${state.repository}`;
  const found: OrphanedReferrer[] = [];
  const artifactDigests = new Set<string>();
  for (const [tag, detail] of state.tags) {
    const artifact = classifyArtifactTag(tag);
    if (artifact?.subjectDigest !== digest) continue;
    found.push({ reference: `${base}:${tag}`, kind: artifact.kind });
    artifactDigests.add(detail.digest);
  }
  try {
    const referrers = await browser.client.listReferrers(
      { registry: state.registry, repository: state.repository, digest },
      signal ? { signal } : {},
    );
    for (const referrer of referrers)
      if (!artifactDigests.has(referrer.digest))
        found.push({ reference: `${base}@${referrer.digest}`, kind: referrer.type });
  } catch (error) {
    // A registry without the referrers API and without the fallback tag simply has none to show.
    if (!isBerthError(error) || error.code !== 'not_found') throw error;
  }
  return found;
}

export interface StageState {
  lane: string;
  stage: string;
  /** The lane's final (production) stage. */
  last: boolean;
  /** The stage is this repository itself. */
  own: boolean;
  state: RepositoryState;
}

/** The repositories of this one's name in every stage of every lane whose namespace holds it, read now. */
export async function laneStageStates(
  browser: RegistryBrowser,
  lookup: LaneLookup,
  state: RepositoryState,
  signal?: AbortSignal,
): Promise<StageState[]> {
  const stages: StageState[] = [];
  for (const lane of lookup.lanes()) {
    const own = lane.stages.find((stage) => {
      const namespace = normalizeNamespace(stage.namespace);
      return (
        lookup.registryHost(stage.registryId) === state.registry &&
        state.repository.startsWith(namespace) &&
        state.repository.length > namespace.length
      );
    });
    if (!own) continue;
    const rest = state.repository.slice(normalizeNamespace(own.namespace).length);
    for (const [position, stage] of lane.stages.entries()) {
      const host = lookup.registryHost(stage.registryId);
      if (!host) continue;
      const repository = `${normalizeNamespace(stage.namespace)}${rest}`;
      const isOwn = host === state.registry && repository === state.repository;
      let stageState = state;
      if (!isOwn) {
        try {
          stageState = await readRepository(browser, host, repository, signal);
        } catch (error) {
          if (isBerthError(error) && error.code === 'not_found') continue;
          throw error;
        }
      }
      stages.push({
        lane: lane.name,
        stage: stage.name,
        last: position === lane.stages.length - 1,
        own: isOwn,
        state: stageState,
      });
    }
  }
  return stages;
}

export async function blastRadius(
  browser: RegistryBrowser,
  lookup: LaneLookup,
  state: RepositoryState,
  digest: string,
  signal?: AbortSignal,
): Promise<BlastRadius> {
  return {
    registry: state.registry,
    repository: state.repository,
    digest,
    tags: [...(tagsByDigest(state).get(digest) ?? [])].sort(),
    orphanedReferrers: await referrersOf(browser, state, digest, signal),
    removedReferrers: [],
    indexes: (await repositoryIndexes(browser, state, signal)).flatMap(({ digest: index, tags, entries }) => {
      const entry = entries.find((candidate) => candidate.digest === digest);
      return entry ? [{ digest: index, tags, ...(entry.platform ? { platform: entry.platform } : {}) }] : [];
    }),
    lanes: (await laneStageStates(browser, lookup, state, signal)).flatMap(({ lane, stage, last, state: held }) => {
      const tags = tagsByDigest(held).get(digest);
      return tags ? [{ lane, stage, last, tags: [...tags].sort() }] : [];
    }),
  };
}
