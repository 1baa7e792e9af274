/**
 * Writes, as promotion uses them (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push):
 * cross-repository blob mounts, monolithic and chunked uploads, manifest PUT by tag or digest, and tag or
 * manifest DELETE with a registry's refusal turned into a message that says what is possible instead.
 */
import { Readable } from 'node:stream';
import { BerthError } from '../../../shared/errors';
import { formatReference, referenceTarget, type ImageReference, type RepositoryName } from '../../../shared/reference';
import { repositoryScope } from '../auth';
import { computeDigest, digestAlgorithm } from '../digest';
import { headerValue, parseOciErrors } from '../errors';
import { isSchema1MediaType } from '../media-types';
import type { Requester } from '../requester';
import { readBody, type TransportResponse } from '../transport';
import { headBlob } from './blobs';

/** Bytes in memory, or a factory giving a fresh stream of them. */
export type BlobSource = Buffer | (() => Readable);

export interface UploadOptions {
  signal?: AbortSignal;
  /** Blobs above this size go up in PATCH chunks of this size; smaller ones in one PUT. */
  chunkSize: number;
  /** Try a cross-repository mount from here first (same registry only). */
  mountFrom?: RepositoryName;
}

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

function uploadScopes(target: RepositoryName, from?: RepositoryName): string[] {
  // The push scope first: some registries read only the first scope of a token request.
  const scopes = [repositoryScope(target.repository, 'pull,push')];
  if (from && from.repository !== target.repository) scopes.push(repositoryScope(from.repository, 'pull'));
  return scopes;
}

function uploadLocation(response: TransportResponse, registry: string): URL {
  const location = headerValue(response.headers, 'location');
  if (!location)
    throw new BerthError(
      'bad_response',
      `${registry} started an upload without saying where to send it (no Location header).`,
      { registry },
    );
  try {
    return new URL(location, response.url);
  } catch {
    throw new BerthError('bad_response', `${registry} gave an invalid upload location.`, { registry });
  }
}

async function drain(response: TransportResponse): Promise<void> {
  await response.body.dump().catch(() => undefined);
}

/** Starts an upload session (optionally as a mount). Returns true when the mount completed it. */
async function startUpload(
  requester: Requester,
  target: RepositoryName,
  digest: string,
  from: RepositoryName | undefined,
  signal?: AbortSignal,
): Promise<{ mounted: true } | { mounted: false; location: URL }> {
  const query = from ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}` : '';
  const response = await requester.send(target.registry, {
    method: 'POST',
    path: `/v2/${target.repository}/blobs/uploads/${query}`,
    scopes: uploadScopes(target, from),
    headers: { 'content-length': '0' },
    action: from
      ? `mount blob ${digest.slice(0, 19)}… from ${from.repository} into ${target.repository}`
      : `start an upload to ${target.repository}`,
    ...(signal ? { signal } : {}),
  });
  await drain(response);
  if (response.status === 201) return { mounted: true };
  return { mounted: false, location: uploadLocation(response, target.registry) };
}

/**
 * Mounts a blob from another repository of the same registry without copying its bytes. True when the
 * registry mounted it; false when it declined (then the session it opened instead is cancelled).
 */
export async function mountBlob(
  requester: Requester,
  target: RepositoryName,
  digest: string,
  from: RepositoryName,
  signal?: AbortSignal,
): Promise<boolean> {
  if (target.registry !== from.registry) return false;
  const started = await startUpload(requester, target, digest, from, signal);
  if (started.mounted) return true;
  await requester
    .send(target.registry, {
      method: 'DELETE',
      path: started.location,
      scopes: uploadScopes(target),
      action: 'cancel an upload',
      handles: [404, 405],
      ...(signal ? { signal } : {}),
    })
    .then(drain)
    .catch(() => undefined);
  return false;
}

function withDigest(location: URL, digest: string): URL {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url;
}

async function finish(
  requester: Requester,
  target: RepositoryName,
  location: URL,
  digest: string,
  body: BlobSource | undefined,
  size: number,
  signal?: AbortSignal,
): Promise<void> {
  const response = await requester.send(target.registry, {
    method: 'PUT',
    path: withDigest(location, digest),
    scopes: uploadScopes(target),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    action: `upload blob ${digest.slice(0, 19)}… to ${target.repository}`,
    ...(body !== undefined ? { body } : { body: Buffer.alloc(0) }),
    ...(signal ? { signal } : {}),
  });
  await drain(response);
  const stored = headerValue(response.headers, 'docker-content-digest');
  if (stored && stored !== digest) {
    throw new BerthError(
      'digest_mismatch',
      `${target.registry} stored the blob under ${stored.slice(0, 19)}… instead of ${digest.slice(0, 19)}….`,
      { registry: target.registry },
    );
  }
}

/** Reads a stream in pieces of exactly `size` bytes (the last may be shorter). */
async function* chunksOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let rest = chunk;
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending, size);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/**
 * Puts a blob into a repository: nothing if it is already there, a mount when `mountFrom` allows, else an
 * upload (one PUT up to `chunkSize`, PATCH chunks above it). The registry checks the digest on completion.
 */
export async function uploadBlob(
  requester: Requester,
  target: RepositoryName,
  blob: { digest: string; size: number },
  source: BlobSource,
  options: UploadOptions,
): Promise<UploadOutcome> {
  const { signal, chunkSize } = options;
  digestAlgorithm(blob.digest);
  if (await headBlob(requester, target, blob.digest, signal)) return 'exists';
  const from = options.mountFrom && options.mountFrom.registry === target.registry ? options.mountFrom : undefined;
  const started = await startUpload(requester, target, blob.digest, from, signal);
  if (started.mounted) return 'mounted';
  if (blob.size <= chunkSize) {
    await finish(requester, target, started.location, blob.digest, source, blob.size, signal);
    return 'uploaded';
  }
  let location = started.location;
  let offset = 0;
  const stream = Buffer.isBuffer(source) ? Readable.from([source]) : source();
  try {
    for await (const chunk of chunksOf(stream, chunkSize)) {
      const response = await requester.send(target.registry, {
        method: 'PATCH',
        path: location,
        scopes: uploadScopes(target),
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(chunk.length),
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        },
        body: chunk,
        action: `upload blob ${blob.digest.slice(0, 19)}… to ${target.repository}`,
        ...(signal ? { signal } : {}),
      });
      await drain(response);
      location = uploadLocation(response, target.registry);
      offset += chunk.length;
    }
  } finally {
    stream.destroy();
  }
  if (offset !== blob.size) {
    throw new BerthError(
      'bad_response',
      `The blob source gave ${offset} bytes, not the ${blob.size} its descriptor says; the upload was not completed.`,
    );
  }
  await finish(requester, target, location, blob.digest, undefined, 0, signal);
  return 'uploaded';
}

/**
 * PUTs manifest bytes unchanged under a tag or digest; returns the digest. Schema 1 is refused: it is
 * deprecated and registries reject new ones.
 */
export async function putManifest(
  requester: Requester,
  ref: ImageReference,
  bytes: Buffer,
  mediaType: string,
  signal?: AbortSignal,
): Promise<string> {
  if (isSchema1MediaType(mediaType)) {
    throw new BerthError(
      'unsupported',
      'Schema 1 manifests are deprecated and cannot be pushed; convert the image to schema 2 or OCI first.',
    );
  }
  const digest = computeDigest(bytes, ref.digest ? digestAlgorithm(ref.digest) : 'sha256');
  if (ref.digest && ref.digest !== digest) {
    throw new BerthError(
      'digest_mismatch',
      `The manifest bytes have digest ${digest}, not ${ref.digest}; not pushing.`,
    );
  }
  const response = await requester.send(ref.registry, {
    method: 'PUT',
    path: `/v2/${ref.repository}/manifests/${referenceTarget(ref)}`,
    scopes: uploadScopes(ref),
    headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
    body: bytes,
    action: `push the manifest ${formatReference(ref)}`,
    ...(signal ? { signal } : {}),
  });
  await drain(response);
  const stored = headerValue(response.headers, 'docker-content-digest');
  if (stored && stored !== digest) {
    throw new BerthError(
      'digest_mismatch',
      `${ref.registry} stored the manifest as ${stored.slice(0, 19)}… instead of ${digest.slice(0, 19)}…: it changed the bytes.`,
      { registry: ref.registry },
    );
  }
  return digest;
}

async function sendDelete(
  requester: Requester,
  ref: ImageReference,
  unsupported: string,
  signal?: AbortSignal,
): Promise<void> {
  const action = `delete ${formatReference(ref)}`;
  const response = await requester.send(ref.registry, {
    method: 'DELETE',
    path: `/v2/${ref.repository}/manifests/${referenceTarget(ref)}`,
    scopes: [repositoryScope(ref.repository, 'delete')],
    action,
    handles: [400, 405],
    ...(signal ? { signal } : {}),
  });
  if (response.status === 400 || response.status === 405) {
    const body = await readBody(
      response,
      64 * 1024,
      { registry: ref.registry, action },
      () => new BerthError('too_large', 'error body too large'),
    ).catch(() => undefined);
    const codes = parseOciErrors(body).map((entry) => entry.code);
    if (
      response.status === 405 ||
      codes.includes('UNSUPPORTED') ||
      codes.includes('DIGEST_INVALID') ||
      codes.includes('TAG_INVALID')
    ) {
      throw new BerthError('unsupported', unsupported, { registry: ref.registry, status: response.status });
    }
    throw new BerthError('bad_response', `${ref.registry} refused to ${action} (HTTP 400).`, {
      registry: ref.registry,
      status: 400,
    });
  }
  await drain(response);
}

/** Deletes a manifest by digest (every tag pointing at it goes with it). */
export async function deleteManifest(
  requester: Requester,
  ref: ImageReference & { digest: string },
  signal?: AbortSignal,
): Promise<void> {
  await sendDelete(
    requester,
    { registry: ref.registry, repository: ref.repository, digest: ref.digest },
    `${ref.registry} does not allow deleting manifests (on a distribution registry, storage.delete.enabled must be true).`,
    signal,
  );
}

/** Deletes one tag, where the registry supports that (OCI 1.1); the manifest stays. */
export async function deleteTag(
  requester: Requester,
  ref: ImageReference & { tag: string },
  signal?: AbortSignal,
): Promise<void> {
  await sendDelete(
    requester,
    { registry: ref.registry, repository: ref.repository, tag: ref.tag },
    `${ref.registry} cannot delete a tag on its own. Delete the manifest by digest instead: that removes every tag pointing to it.`,
    signal,
  );
}
