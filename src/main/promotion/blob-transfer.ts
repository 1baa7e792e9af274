/**
 * Moving one blob into the target repository: a cross-repository mount within a registry, else a streamed
 * copy from the source (the source's verified stream piped straight into the upload, so a blob is never
 * whole in memory). Every blob is looked up at the target afterwards: it must be there with its size.
 */
import { Transform, type Readable } from 'node:stream';
import { BerthError, isBerthError } from '../../shared/errors';
import type { RepositoryName } from '../../shared/reference';
import type { RegistryClient } from '../registry';

export type TransferOutcome = 'exists' | 'mounted' | 'copied';

export interface BlobTransfer {
  digest: string;
  size: number;
  source: RepositoryName;
  target: RepositoryName;
  /** Try a cross-repository mount first (same registry). */
  mount: boolean;
  signal: AbortSignal;
  /** Bytes read from the source so far (for progress). */
  onBytes?: (bytes: number) => void;
}

/**
 * One streamed PUT is the cheapest upload (no buffering, one round trip). A registry that caps request
 * bodies answers 413; then the blob goes again in PATCH chunks (the client's chunk size).
 */
const MONOLITHIC = Number.MAX_SAFE_INTEGER;
/**
 * Bytes buffered between the download and the upload of one blob. Node's 16 KiB default makes the two
 * sockets take turns (the download pauses whenever the upload waits); a few MiB lets both run at full speed
 * while a blob still never sits whole in memory.
 */
const STREAM_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * A readable that opens the source blob when the upload first reads it: the upload request owns the
 * stream's lifetime, and a retried upload asks for a fresh one.
 */
function sourceStream(client: RegistryClient, transfer: BlobTransfer): Readable {
  let read = 0;
  let upstream: Readable | undefined;
  const counter = new Transform({
    highWaterMark: STREAM_BUFFER_BYTES,
    transform(chunk: Buffer, _encoding, callback) {
      read += chunk.length;
      transfer.onBytes?.(read);
      callback(null, chunk);
    },
  });
  counter.on('close', () => upstream?.destroy());
  client.openBlob(transfer.source, { digest: transfer.digest, size: transfer.size }, { signal: transfer.signal }).then(
    (stream) => {
      if (counter.destroyed) {
        stream.destroy();
        return;
      }
      upstream = stream;
      stream.on('error', (error) => counter.destroy(error));
      stream.pipe(counter);
    },
    (error: unknown) => counter.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return counter;
}

function isBodyTooLarge(error: unknown): boolean {
  return isBerthError(error) && error.details?.status === 413;
}

export async function transferBlob(client: RegistryClient, transfer: BlobTransfer): Promise<TransferOutcome> {
  const { target, digest, size, signal } = transfer;
  const blob = { digest, size };
  const source = () => sourceStream(client, transfer);
  const mountFrom = transfer.mount ? { mountFrom: transfer.source } : {};
  let outcome;
  try {
    outcome = await client.uploadBlob(target, blob, source, { signal, chunkSize: MONOLITHIC, ...mountFrom });
  } catch (error) {
    if (!isBodyTooLarge(error) || signal.aborted) throw error;
    transfer.onBytes?.(0);
    outcome = await client.uploadBlob(target, blob, source, { signal });
  }
  const stored = await client.headBlob(target, digest, { signal });
  if (!stored || (stored.size >= 0 && stored.size !== size)) {
    throw new BerthError(
      'digest_mismatch',
      `After ${outcome === 'mounted' ? 'mounting' : 'uploading'} blob ${digest.slice(0, 19)}… the target ${target.registry}/${target.repository} ${stored ? `reports ${stored.size} bytes, not ${size}` : 'does not have it'}; the promotion stopped before any tag was written.`,
      { registry: target.registry },
    );
  }
  return outcome === 'uploaded' ? 'copied' : outcome;
}
