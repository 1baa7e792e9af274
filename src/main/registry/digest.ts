/**
 * Content digests (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests): always
 * computed over the exact bytes received, never over a re-serialised object.
 */
import { createHash, type Hash } from 'node:crypto';
import { BerthError } from '../../shared/errors';

const SUPPORTED = new Set(['sha256', 'sha512']);

export function digestAlgorithm(digest: string): string {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (!SUPPORTED.has(algorithm)) {
    throw new BerthError(
      'unsupported',
      `Digest algorithm "${algorithm.slice(0, 32)}" is not supported (sha256 and sha512 are).`,
    );
  }
  return algorithm;
}

export function computeDigest(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A running hash for `expected`'s algorithm; `result()` gives `alg:hex`. */
export function digester(expected: string): { hash: Hash; result(): string } {
  const algorithm = digestAlgorithm(expected);
  const hash = createHash(algorithm);
  return { hash, result: () => `${algorithm}:${hash.digest('hex')}` };
}

/** Whether a digest string is one Berth can verify (a Docker-Content-Digest of another algorithm is ignored). */
export function isVerifiableDigest(digest: string): boolean {
  return SUPPORTED.has(digest.slice(0, digest.indexOf(':')));
}
