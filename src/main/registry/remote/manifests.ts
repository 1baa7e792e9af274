/**
 * Manifest GET and HEAD (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests).
 * A GET is checked three ways before anything is shown: at most 4 MiB, the digest of the exact bytes equals
 * the requested digest, and it equals the registry's `Docker-Content-Digest`. On Docker Hub a GET counts as
 * a pull and a HEAD does not, so HEAD is used wherever only the digest is needed.
 */
import { BerthError } from '../../../shared/errors';
import { formatReference, isDigest, referenceTarget, type ImageReference } from '../../../shared/reference';
import type { Descriptor } from '../../../shared/types/registry';
import { repositoryScope } from '../auth';
import { computeDigest, digestAlgorithm, isVerifiableDigest } from '../digest';
import { headerValue } from '../errors';
import { coveredManifest, MAX_MANIFEST_BYTES, type Manifest } from '../manifest';
import { MANIFEST_ACCEPT } from '../media-types';
import type { Requester } from '../requester';
import { readBody } from '../transport';

function manifestPath(ref: ImageReference): string {
  return `/v2/${ref.repository}/manifests/${referenceTarget(ref)}`;
}

function mismatch(ref: ImageReference, expected: string, actual: string, source: string): BerthError {
  return new BerthError(
    'digest_mismatch',
    `The manifest of ${formatReference(ref)} does not match ${source} (${expected.slice(0, 19)}… expected, ${actual.slice(0, 19)}… received): it was altered on the way or by the registry, so it is not shown.`,
    { registry: ref.registry },
  );
}

/** GETs, size-checks, parses and digest-verifies a manifest. */
export async function fetchManifest(
  requester: Requester,
  ref: ImageReference,
  signal?: AbortSignal,
): Promise<Manifest> {
  const action = `get the manifest of ${formatReference(ref)}`;
  const response = await requester.send(ref.registry, {
    method: 'GET',
    path: manifestPath(ref),
    scopes: [repositoryScope(ref.repository, 'pull')],
    headers: { accept: MANIFEST_ACCEPT },
    action,
    ...(signal ? { signal } : {}),
  });
  const body = await readBody(
    response,
    MAX_MANIFEST_BYTES,
    { registry: ref.registry, action },
    () =>
      new BerthError(
        'too_large',
        `The manifest of ${formatReference(ref)} is larger than 4 MiB (the registry limit); it was not read.`,
        { registry: ref.registry },
      ),
  );
  // From here on only the bytes the digest covers exist (less than `body` for a signed schema 1 manifest).
  const { bytes, parsed } = coveredManifest(body, headerValue(response.headers, 'content-type'), ref);
  const algorithm = ref.digest ? digestAlgorithm(ref.digest) : 'sha256';
  const digest = computeDigest(bytes, algorithm);
  if (ref.digest && digest !== ref.digest) throw mismatch(ref, ref.digest, digest, 'the requested digest');
  const served = headerValue(response.headers, 'docker-content-digest')?.trim();
  if (served && isVerifiableDigest(served)) {
    const servedAlgorithm = digestAlgorithm(served);
    const comparable = servedAlgorithm === algorithm ? digest : computeDigest(bytes, servedAlgorithm);
    if (comparable !== served) throw mismatch(ref, served, comparable, 'the digest the registry announced');
  }
  return { ref: { ...ref, digest }, digest, mediaType: parsed.mediaType, size: bytes.length, bytes, parsed };
}

/**
 * HEADs a manifest: its digest, media type and size without downloading it (and without counting as a
 * Docker Hub pull). Undefined when it does not exist. Falls back to GET for registries that send no
 * `Docker-Content-Digest` on HEAD.
 */
export async function headManifest(
  requester: Requester,
  ref: ImageReference,
  signal?: AbortSignal,
): Promise<Descriptor | undefined> {
  const response = await requester.send(ref.registry, {
    method: 'HEAD',
    path: manifestPath(ref),
    scopes: [repositoryScope(ref.repository, 'pull')],
    headers: { accept: MANIFEST_ACCEPT },
    action: `look up ${formatReference(ref)}`,
    handles: [404],
    ...(signal ? { signal } : {}),
  });
  await response.body.dump().catch(() => undefined);
  if (response.status === 404) return undefined;
  const digest = headerValue(response.headers, 'docker-content-digest')?.trim();
  const mediaType = headerValue(response.headers, 'content-type')?.split(';')[0]?.trim();
  const size = Number(headerValue(response.headers, 'content-length'));
  if (
    !digest ||
    !isDigest(digest) ||
    !mediaType ||
    !Number.isSafeInteger(size) ||
    (ref.digest !== undefined && digest !== ref.digest)
  ) {
    const manifest = await fetchManifest(requester, ref, signal);
    return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
  }
  return { digest, mediaType, size };
}
