/**
 * Runs a plan against the registries, writing in the only safe order: blobs, then child manifests (by
 * digest), then the top manifest (by digest), then referrers, and the tag last, so no reader ever sees a
 * tag whose parts are missing. A failure or a cancel before the last step leaves the target tag as it was;
 * what was uploaded stays and a second run finds it (the plan HEADs it) instead of sending it again.
 */
import { BerthError, isBerthError } from '../../shared/errors';
import { formatReference, type ImageReference, type RepositoryName } from '../../shared/reference';
import type { Descriptor } from '../../shared/types/registry';
import { MediaType, type RegistryClient } from '../registry';
import { mapBounded } from '../util/async';
import { transferBlob, type BlobTransfer, type TransferOutcome } from './blob-transfer';
import type { ManifestNode } from './graph';
import { repositoryOf, type PreparedPromotion } from './plan';
import type { PromotionProgress } from './progress';

export interface ExecutionCounts {
  blobsMounted: number;
  blobsCopied: number;
  bytesCopied: number;
  skipped: number;
  manifestsWritten: number;
  referrersCopied: number;
}

export interface ExecuteOptions {
  force: boolean;
  signal: AbortSignal;
  progress: PromotionProgress;
  /** Blobs moved at once. Each copy holds a request slot at the source and one at the target. */
  blobConcurrency: number;
  /** Moves one blob; sync passes one that moves each blob once per target registry across its tags. */
  transfer?: (transfer: BlobTransfer) => Promise<TransferOutcome>;
}

export function overwriteRefused(target: string, existing: string, wanted: string): BerthError {
  return new BerthError(
    'conflict',
    `${target} already points at ${existing}, not at ${wanted}. Berth does not overwrite a tag with another image unless asked explicitly (force; --force on the command line).`,
    { existingDigest: existing, targetDigest: wanted },
  );
}

export async function executePromotion(
  client: RegistryClient,
  prepared: PreparedPromotion,
  options: ExecuteOptions,
): Promise<ExecutionCounts> {
  const { plan, graph, target } = prepared;
  const { signal, progress } = options;
  const requestOptions = { signal };
  const counts: ExecutionCounts = {
    blobsMounted: 0,
    blobsCopied: 0,
    bytesCopied: 0,
    skipped: 0,
    manifestsWritten: 0,
    referrersCopied: 0,
  };

  if (plan.overwrites && !options.force)
    throw overwriteRefused(plan.target, plan.existingTargetDigest!, plan.targetDigest);

  let current: string | undefined;
  try {
    await writeParts(client, prepared, options, counts);
    // 5. The tag. Looked up once more: someone may have pushed it since the plan.
    progress.phase('Tagging');
    current = (await client.headManifest(target, requestOptions))?.digest;
  } catch (error) {
    throw interrupted(error, plan.target, counts);
  }
  if (current !== undefined && current !== plan.targetDigest && current !== plan.existingTargetDigest) {
    throw new BerthError(
      'conflict',
      `${plan.target} changed while promoting (it now points at ${current}); nothing was tagged. Look at it, then run the promotion again.`,
      {
        existingDigest: current,
      },
    );
  }
  if (current !== plan.targetDigest) {
    await client.putManifest(target, graph.root.bytes, graph.root.mediaType, requestOptions);
    counts.manifestsWritten++;
  }

  progress.phase('Verifying');
  const written = await client.headManifest(target, requestOptions);
  if (written?.digest !== plan.targetDigest) {
    throw new BerthError(
      'digest_mismatch',
      `${plan.target} points at ${written?.digest ?? 'nothing'} after the promotion, not at ${plan.targetDigest}: the registry changed the manifest.`,
      {
        registry: target.registry,
      },
    );
  }
  return counts;
}

/**
 * Makes the copied referrers findable at the target. A registry with the OCI 1.1 referrers API indexes them
 * itself on PUT; one without it is read through the `sha256-<hex>` fallback tag, which the pusher keeps
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests-with-subject).
 * Listing the subject's referrers at the target tells which case applies: anything missing from the list
 * is added to the fallback tag's index, whose other entries are kept.
 */
async function publishReferrers(
  client: RegistryClient,
  repo: RepositoryName,
  nodes: ManifestNode[],
  signal: AbortSignal,
): Promise<void> {
  const bySubject = new Map<string, ManifestNode[]>();
  for (const node of nodes) {
    if (node.role !== 'referrer' || node.subject === undefined) continue;
    bySubject.set(node.subject, [...(bySubject.get(node.subject) ?? []), node]);
  }
  for (const [subject, referrers] of bySubject) {
    const listed = new Set(
      (await client.listReferrers({ ...repo, digest: subject }, { signal })).map((referrer) => referrer.digest),
    );
    const missing = referrers.filter((node) => !listed.has(node.digest)).map((node) => node.descriptor!);
    if (missing.length === 0) continue;
    const tag: ImageReference = { ...repo, tag: subject.replace(':', '-') };
    const existing = await client.getManifest(tag, { signal }).catch((error: unknown) => {
      if (error instanceof BerthError && error.code === 'not_found') return undefined;
      throw error;
    });
    if (existing && existing.parsed.form !== 'index') {
      throw new BerthError(
        'conflict',
        `${formatReference(tag)} is the referrers fallback tag of ${subject.slice(0, 19)}… but holds something other than an index; Berth leaves it alone. Remove it, then promote again.`,
      );
    }
    await client.putManifest(tag, referrersIndex(existing?.bytes, missing), MediaType.OciIndex, { signal });
  }
}

function referrersIndex(existing: Buffer | undefined, added: Descriptor[]): Buffer {
  const json = existing
    ? (JSON.parse(existing.toString('utf8')) as { manifests: Descriptor[] })
    : { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] as Descriptor[] };
  json.manifests = [...json.manifests, ...added];
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** Steps 1 to 4: everything the tag will need, none of it visible under the tag yet. */
async function writeParts(
  client: RegistryClient,
  prepared: PreparedPromotion,
  options: ExecuteOptions,
  counts: ExecutionCounts,
): Promise<void> {
  const { plan, graph, target } = prepared;
  const { signal, progress } = options;
  const requestOptions = { signal };
  const sourceRepo = repositoryOf(graph.source);
  const targetRepo = repositoryOf(target);

  // 1. Blobs. The largest first, so the long transfers overlap with the many small ones.
  progress.register(
    plan.blobs.map((blob) => {
      if (blob.action === 'present') counts.skipped++;
      const done = blob.action === 'present' || blob.action === 'external';
      return {
        id: blob.digest,
        status: blob.action === 'present' ? 'Already there' : blob.action === 'external' ? 'External' : 'Waiting',
        current: done ? blob.size : 0,
        total: blob.size,
      };
    }),
  );
  const moving = plan.blobs
    .filter((blob) => blob.action === 'mount' || blob.action === 'copy')
    .sort((a, b) => b.size - a.size);
  if (moving.length > 0) progress.phase(plan.strategy === 'mount' ? 'Mounting blobs' : 'Copying blobs');
  await mapBounded(moving, options.blobConcurrency, signal, async (blob, _i, blobSignal) => {
    progress.item(blob.digest, blob.action === 'mount' ? 'Mounting' : 'Copying', 0, blob.size);
    const transfer = options.transfer ?? ((blobTransfer: BlobTransfer) => transferBlob(client, blobTransfer));
    const outcome = await transfer({
      digest: blob.digest,
      size: blob.size,
      source: sourceRepo,
      target: targetRepo,
      mount: blob.action === 'mount',
      signal: blobSignal,
      onBytes: (bytes) => progress.bytes(blob.digest, bytes),
    });
    if (outcome === 'mounted') counts.blobsMounted++;
    else if (outcome === 'exists') counts.skipped++;
    else {
      counts.blobsCopied++;
      counts.bytesCopied += blob.size;
    }
    progress.item(
      blob.digest,
      outcome === 'mounted' ? 'Mounted' : outcome === 'exists' ? 'Already there' : 'Copied',
      blob.size,
      blob.size,
    );
  });

  // 2. Child manifests by digest, children before parents; 3. the top manifest by digest.
  progress.phase('Writing manifests');
  const putByDigest = async (node: ManifestNode) => {
    if (prepared.presentManifests.has(node.digest)) return;
    await client.putManifest({ ...targetRepo, digest: node.digest }, node.bytes, node.mediaType, requestOptions);
    counts.manifestsWritten++;
  };
  for (const node of graph.children) await putByDigest(node);
  if (plan.strategy !== 'same-repository') await putByDigest(graph.root);

  // 4. Referrers, before the tag: a policy that checks signatures on pull must find them with the tag.
  if (graph.referrers.length > 0) {
    progress.phase('Copying referrers');
    for (const node of graph.referrers) {
      await putByDigest(node);
      if (node.tag !== undefined && !prepared.keptTags.has(node.tag))
        await client.putManifest({ ...targetRepo, tag: node.tag }, node.bytes, node.mediaType, requestOptions);
      if (node.role === 'referrer') counts.referrersCopied++;
    }
    await publishReferrers(client, targetRepo, graph.referrers, signal);
  }
}

/** A failure before the tag: said together with what it means (nothing visible changed) and what to do. */
function interrupted(error: unknown, target: string, counts: ExecutionCounts): unknown {
  if (!isBerthError(error) || error.code === 'conflict') return error;
  const kept = counts.blobsCopied + counts.blobsMounted;
  const resume =
    kept > 0
      ? ` Running the promotion again finishes it without sending the ${kept} blob${kept === 1 ? '' : 's'} already there again.`
      : ' Running the promotion again starts it over.';
  return new BerthError(error.code, `${error.message} ${target} was not changed.${resume}`, error.details, {
    cause: error,
  });
}
