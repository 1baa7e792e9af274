/**
 * Blob HEAD and streamed GET (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs).
 * The stream is verified as it flows: more bytes than the descriptor says fail at once, and at the end the
 * digest and size must match, or the stream errors instead of ending, so a consumer never takes a
 * truncated or altered blob as good. Redirects (to blob storage) are followed by the transport, which
 * drops the registry's Authorization when the origin changes.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { BerthError } from '../../../shared/errors';
import type { RepositoryName } from '../../../shared/reference';
import { repositoryScope } from '../auth';
import { digester } from '../digest';
import { headerValue, networkError } from '../errors';
import type { Requester } from '../requester';

export interface BlobTarget {
  digest: string;
  /** When known (from a descriptor), checked against what arrives. */
  size?: number;
}

function blobPath(repo: RepositoryName, digest: string): string {
  return `/v2/${repo.repository}/blobs/${digest}`;
}

/** Size of a blob if the repository has it, undefined if not. */
export async function headBlob(
  requester: Requester,
  repo: RepositoryName,
  digest: string,
  signal?: AbortSignal,
): Promise<{ size: number } | undefined> {
  const response = await requester.send(repo.registry, {
    method: 'HEAD',
    path: blobPath(repo, digest),
    scopes: [repositoryScope(repo.repository, 'pull')],
    action: `check blob ${digest.slice(0, 19)}… in ${repo.repository}`,
    handles: [404],
    ...(signal ? { signal } : {}),
  });
  await response.body.dump().catch(() => undefined);
  if (response.status === 404) return undefined;
  const size = Number(headerValue(response.headers, 'content-length'));
  return { size: Number.isSafeInteger(size) ? size : -1 };
}

class VerifyingStream extends Transform {
  received = 0;
  private readonly hash: ReturnType<typeof digester>;

  constructor(
    private readonly target: BlobTarget,
    private readonly where: string,
    private readonly registry: string,
  ) {
    super();
    this.hash = digester(target.digest);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.target.size !== undefined && this.received > this.target.size) {
      callback(
        new BerthError(
          'digest_mismatch',
          `Blob ${this.where} is longer than its descriptor says (${this.target.size} bytes); discarded.`,
          { registry: this.registry },
        ),
      );
      return;
    }
    this.hash.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.target.size !== undefined && this.received < this.target.size) {
      callback(
        new BerthError(
          'bad_response',
          `Blob ${this.where} was cut short: ${this.received} of ${this.target.size} bytes arrived.`,
          { registry: this.registry },
        ),
      );
      return;
    }
    const actual = this.hash.result();
    if (actual !== this.target.digest) {
      callback(
        new BerthError(
          'digest_mismatch',
          `Blob ${this.where} does not match its digest (received ${actual.slice(0, 19)}…); discarded.`,
          { registry: this.registry },
        ),
      );
      return;
    }
    callback();
  }
}

/**
 * Opens a blob as a stream that errors (digest_mismatch, bad_response, timeout...) rather than ends when
 * the content is not exactly the blob. Destroying the stream cancels the download.
 */
export async function openBlob(
  requester: Requester,
  repo: RepositoryName,
  target: BlobTarget,
  signal?: AbortSignal,
): Promise<Readable> {
  const where = `${target.digest.slice(0, 19)}… of ${repo.repository}`;
  const action = `download blob ${where}`;
  const response = await requester.send(repo.registry, {
    method: 'GET',
    path: blobPath(repo, target.digest),
    scopes: [repositoryScope(repo.repository, 'pull')],
    action,
    ...(signal ? { signal } : {}),
  });
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (target.size !== undefined && Number.isSafeInteger(declared) && declared !== target.size) {
    response.body.destroy();
    throw new BerthError(
      'bad_response',
      `Blob ${where} is announced as ${declared} bytes but its descriptor says ${target.size}; not downloading it.`,
      { registry: repo.registry },
    );
  }
  const verifier = new VerifyingStream(target, where, repo.registry);
  const source = response.body;
  source.on('error', (error) => {
    const mapped = networkError(error, { registry: repo.registry, action }, signal);
    verifier.destroy(
      mapped.code === 'unreachable'
        ? new BerthError(
            'bad_response',
            `Blob ${where} was cut short: the connection ended after ${verifier.received} bytes.`,
            { registry: repo.registry },
            { cause: error },
          )
        : mapped,
    );
  });
  verifier.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(verifier);
  return verifier;
}

/** A whole (small) blob in memory, verified. */
export async function fetchBlob(
  requester: Requester,
  repo: RepositoryName,
  target: BlobTarget,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  if (target.size !== undefined && target.size > maxBytes) {
    throw new BerthError(
      'too_large',
      `Blob ${target.digest.slice(0, 19)}… is ${target.size} bytes, more than the ${maxBytes} allowed here.`,
      { registry: repo.registry },
    );
  }
  const stream = await openBlob(requester, repo, target, signal);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new BerthError(
        'too_large',
        `Blob ${target.digest.slice(0, 19)}… is larger than the ${maxBytes} bytes allowed here.`,
        { registry: repo.registry },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Bytes [start, end) of a blob with an HTTP Range request (RFC 9110 §14), following the registry's redirect
 * to blob storage with the same header. Undefined when the answer is the whole blob (a server that ignores
 * Range answers 200): the caller then streams instead. The bytes cannot be checked against the blob's digest;
 * the caller verifies what it makes of them.
 */
export async function openBlobRange(
  requester: Requester,
  repo: RepositoryName,
  digest: string,
  start: number,
  end: number,
  signal?: AbortSignal,
): Promise<Readable | undefined> {
  const where = `${digest.slice(0, 19)}… of ${repo.repository}`;
  const response = await requester.send(repo.registry, {
    method: 'GET',
    path: blobPath(repo, digest),
    scopes: [repositoryScope(repo.repository, 'pull')],
    headers: { range: `bytes=${start}-${end - 1}` },
    action: `download bytes ${start}-${end - 1} of blob ${where}`,
    ...(signal ? { signal } : {}),
  });
  const contentRange = /^bytes (\d+)-(\d+)\//.exec(headerValue(response.headers, 'content-range') ?? '');
  if (response.status !== 206) {
    response.body.destroy();
    return undefined;
  }
  if (!contentRange || Number(contentRange[1]) !== start || Number(contentRange[2]) !== end - 1) {
    response.body.destroy();
    throw new BerthError(
      'bad_response',
      `Blob ${where}: asked for bytes ${start}-${end - 1}, the registry answered ${headerValue(response.headers, 'content-range') ?? 'without a Content-Range'}.`,
      { registry: repo.registry },
    );
  }
  return response.body;
}
