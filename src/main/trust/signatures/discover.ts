/**
 * Finding what is attached to an image: cosign's tags (`sha256-<hex>.sig` / `.att`) and OCI 1.1
 * referrers (the API, or the `sha256-<hex>` fallback tag on registries without it, e.g. distribution 2.8).
 */
import { artifactTagFor, type ArtifactTagKind } from '../../../shared/artifact-tags';
import { BerthError } from '../../../shared/errors';
import type { RepositoryName } from '../../../shared/reference';
import type { SignatureReport } from '../../../shared/types/trust';
import { imageParts, type Manifest, type RegistryClient } from '../../registry';

/** A manifest that carries signatures or attestations, and where it was found. */
export interface AttachedManifest {
  source: string;
  foundVia: SignatureReport['foundVia'];
  /** `.sig` / `.att` for cosign tags; the referrer's artifact type otherwise. */
  artifactType: string;
  manifest: Manifest;
}

/**
 * A manifest that should carry signatures but could not be read (malformed, a digest that does not match, an
 * error answer): reported as an invalid signature with `reason`, so one hostile entry does not fail the rest.
 */
export interface BrokenAttachment {
  source: string;
  foundVia: SignatureReport['foundVia'];
  artifactType: string;
  /** The manifest's digest where known (a referrer's). */
  manifestDigest?: string;
  reason: string;
}

export interface Attached {
  manifests: AttachedManifest[];
  broken: BrokenAttachment[];
  referrersApi: boolean;
  /** Why the referrers could not be listed (a broken fallback index, an error answer); cosign's tags still count. */
  referrersError?: unknown;
  /** Cosign tags present for this digest (signature / attestation / sbom) and their manifest digests. */
  cosignTags: { tag: string; kind: 'signature' | 'attestation' | 'sbom'; digest: string }[];
}

const COSIGN_TAG_KINDS = ['signature', 'attestation', 'sbom'] as const satisfies readonly ArtifactTagKind[];
const ATTACHED_TYPES = [/signature/i, /sigstore\.bundle/i, /cosign/i, /dsse/i, /in-toto/i, /notary/i];

/** Why reading one attached manifest or blob failed, for its report; cancellation is rethrown, not reported. */
export function readProblem(error: unknown, signal?: AbortSignal): string {
  if ((error instanceof BerthError && error.code === 'cancelled') || signal?.aborted) throw error;
  return error instanceof Error ? error.message : String(error);
}

async function tagManifest(
  client: RegistryClient,
  repo: RepositoryName,
  tag: string,
  signal?: AbortSignal,
): Promise<Manifest | { problem: string } | undefined> {
  try {
    return await client.getManifest({ ...repo, tag }, signal ? { signal } : {});
  } catch (error) {
    if (error instanceof BerthError && error.code === 'not_found') return undefined;
    return { problem: readProblem(error, signal) };
  }
}

export async function findAttached(
  client: RegistryClient,
  repo: RepositoryName,
  digest: string,
  signal?: AbortSignal,
): Promise<Attached> {
  const options = signal ? { signal } : {};
  repo = { registry: repo.registry, repository: repo.repository };
  const manifests: AttachedManifest[] = [];
  const broken: BrokenAttachment[] = [];
  const cosignTags: Attached['cosignTags'] = [];
  for (const kind of COSIGN_TAG_KINDS) {
    const tag = artifactTagFor(digest, kind);
    const manifest = await tagManifest(client, repo, tag, signal);
    if (!manifest) continue;
    if ('problem' in manifest) {
      if (kind !== 'sbom')
        broken.push({ source: tag, foundVia: 'cosign-tag', artifactType: tag.slice(-4), reason: manifest.problem });
      continue;
    }
    cosignTags.push({ tag, kind, digest: manifest.digest });
    if (kind !== 'sbom') manifests.push({ source: tag, foundVia: 'cosign-tag', artifactType: tag.slice(-4), manifest });
  }
  let found: Awaited<ReturnType<RegistryClient['findReferrers']>>;
  try {
    found = await client.findReferrers({ ...repo, digest }, options);
  } catch (error) {
    readProblem(error, signal); // rethrows a cancellation
    return { manifests, broken, referrersApi: false, referrersError: error, cosignTags };
  }
  for (const referrer of found.referrers) {
    if (!ATTACHED_TYPES.some((pattern) => pattern.test(referrer.artifactType))) continue;
    if (manifests.some((known) => known.manifest.digest === referrer.digest)) continue;
    const where = {
      source: referrer.digest,
      foundVia: found.api ? ('referrers-api' as const) : ('referrers-fallback-tag' as const),
      artifactType: referrer.artifactType,
    };
    let manifest: Manifest;
    try {
      manifest = await client.getManifest({ ...repo, digest: referrer.digest }, options);
    } catch (error) {
      broken.push({ ...where, manifestDigest: referrer.digest, reason: readProblem(error, signal) });
      continue;
    }
    if (!imageParts(manifest.parsed)) continue;
    manifests.push({ ...where, manifest });
  }
  return { manifests, broken, referrersApi: found.api, cosignTags };
}
