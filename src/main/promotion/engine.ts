/**
 * Promotion through the local Docker engine (pull, tag, push), for people who want the image on their
 * machine too. The engine holds one platform of an image and writes its own manifest on push, so this path
 * carries one platform, no referrers, and the digest at the target can differ from the source's; the plan
 * says so before anything runs.
 */
import { BerthError } from '../../shared/errors';
import { formatReference, type ImageReference } from '../../shared/reference';
import type { ItemProgress } from '../../shared/types/operations';
import type { DockerService, TransferSnapshot } from '../docker';
import { formatPlatform, indexEntries, parsePlatform, selectPlatform, type RegistryClient } from '../registry';
import type { ExecutionCounts } from './execute';
import { overwriteRefused } from './execute';
import {
  checkSourcePin,
  pinnedSource,
  preparePromotion,
  repositoryOf,
  resolveEndpoints,
  sourceLabel,
  type PreparedPromotion,
  type PromotionRequest,
} from './plan';
import type { PromotionProgress } from './progress';

export type EngineTransfers = Pick<DockerService, 'pull' | 'tag' | 'push'>;

/** The plan for the engine path: the one platform image the engine will pull, pushed under the target tag. */
export async function prepareEnginePromotion(
  client: RegistryClient,
  request: PromotionRequest,
  signal?: AbortSignal,
): Promise<PreparedPromotion> {
  if ((request.platforms?.length ?? 0) > 1) {
    throw new BerthError(
      'invalid_input',
      'Through the Docker engine an image moves one platform at a time: choose one platform, or promote registry to registry to keep them all.',
    );
  }
  const { source, target } = resolveEndpoints(request.source, request.target);
  await checkSourcePin(client, source, signal);
  const manifest = await client.getManifest(source, signal ? { signal } : {});
  // By digest from here on: the engine pulls the image this plan resolved, whatever the tag does meanwhile.
  let image: ImageReference = { ...repositoryOf(source), digest: manifest.digest };
  const notes = [
    "Through the Docker engine: the image is pulled to this machine, tagged and pushed; the engine writes the manifest again, so the target digest can differ from the source's.",
  ];
  if (manifest.parsed.form === 'index') {
    const wanted = request.platforms?.[0] !== undefined ? parsePlatform(request.platforms[0]) : undefined;
    const chosen = selectPlatform(indexEntries(manifest), wanted);
    image = { ...repositoryOf(source), digest: chosen.digest };
    notes.push(
      `The source is a multi-platform index: only ${chosen.platform ? formatPlatform(chosen.platform) : 'one platform'} is carried.`,
    );
  }
  if (request.withReferrers)
    notes.push(
      'Signatures, attestations and SBOMs do not carry over through the engine: it writes the manifest again, so the digest they sign can change.',
    );
  const prepared = await preparePromotion(
    client,
    {
      ...request,
      source: formatReference(image),
      target: formatReference(target),
      platforms: undefined,
      withReferrers: false,
      viaEngine: true,
    },
    signal,
  );
  // The pin is the digest the source tag resolved to (an index's own), not the platform image chosen from it.
  prepared.plan.source = sourceLabel(source);
  prepared.plan.sourceDigest = manifest.digest;
  prepared.plan.pinnedSource = pinnedSource(source, manifest.digest);
  prepared.plan.notes = [...notes, ...prepared.plan.notes];
  return prepared;
}

export interface EngineRunOptions {
  force: boolean;
  signal: AbortSignal;
  progress: PromotionProgress;
}

function pushCounts(
  snapshot: TransferSnapshot | undefined,
): Pick<ExecutionCounts, 'blobsCopied' | 'blobsMounted' | 'bytesCopied' | 'skipped'> {
  const items: ItemProgress[] = snapshot?.items ?? [];
  const existed = (item: ItemProgress) => item.status === 'Layer already exists';
  const mounted = (item: ItemProgress) => item.status.startsWith('Mounted from ');
  const copied = items.filter((item) => !existed(item) && !mounted(item));
  return {
    blobsCopied: copied.length,
    blobsMounted: items.filter(mounted).length,
    bytesCopied: copied.reduce((sum, item) => sum + item.total, 0),
    skipped: items.filter(existed).length,
  };
}

/** Pull by digest, tag, push; returns the digest the engine pushed and what it reports it moved. */
export async function executeEnginePromotion(
  engine: EngineTransfers,
  client: RegistryClient,
  prepared: PreparedPromotion,
  options: EngineRunOptions,
): Promise<ExecutionCounts & { digest: string }> {
  const { plan, graph } = prepared;
  const { signal, progress } = options;
  if (plan.overwrites && !options.force)
    throw overwriteRefused(plan.target, plan.existingTargetDigest!, plan.targetDigest);
  const pulled = formatReference({ ...repositoryOf(graph.source), digest: graph.source.digest });
  await engine.pull(pulled, { signal, onProgress: (snapshot) => progress.mirror('Pull', snapshot) });
  await engine.tag(pulled, plan.target, signal);
  let last: TransferSnapshot | undefined;
  const pushed = await engine.push(plan.target, {
    signal,
    onProgress: (snapshot) => {
      last = snapshot;
      progress.mirror('Push', snapshot);
    },
  });
  const written = await client.headManifest(prepared.target, { signal });
  if (!written || (pushed.digest !== undefined && written.digest !== pushed.digest)) {
    throw new BerthError(
      'digest_mismatch',
      `The engine reported pushing ${pushed.digest ?? 'an image'} but ${plan.target} points at ${written?.digest ?? 'nothing'}.`,
    );
  }
  return { ...pushCounts(last), manifestsWritten: 1, referrersCopied: 0, digest: written.digest };
}
