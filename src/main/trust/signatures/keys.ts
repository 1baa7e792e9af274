/**
 * Public keys a policy trusts, and verifying a raw signature with one. cosign signs the payload with the
 * key's own hash: ECDSA P-256 SHA-256 (P-384 SHA-384, P-521 SHA-512), RSA PKCS#1 v1.5 SHA-256, and
 * Ed25519 over the bytes themselves (sigstore/sigstore pkg/signature: LoadVerifier defaults).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { BerthError } from '../../../shared/errors';
import type { TrustKey } from '../../../shared/types/trust';

export interface LoadedKey {
  name: string;
  key: KeyObject;
}

const CURVE_HASH: Record<string, string> = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' };

/** Parses a PEM public key; a private key, a certificate or garbage is refused with a reason. */
export function loadPublicKey(key: TrustKey): LoadedKey {
  if (/PRIVATE KEY/.test(key.pem))
    throw new BerthError('invalid_input', `"${key.name}" is a private key; give the public key (cosign.pub).`);
  let parsed: KeyObject;
  try {
    parsed = createPublicKey({ key: key.pem, format: 'pem' });
  } catch {
    throw new BerthError('invalid_input', `"${key.name}" is not a PEM public key.`);
  }
  const type = parsed.asymmetricKeyType;
  if (type !== 'ec' && type !== 'ed25519' && type !== 'rsa')
    throw new BerthError(
      'unsupported',
      `"${key.name}" is a ${type ?? 'unknown'} key; Berth verifies ECDSA, Ed25519 and RSA.`,
    );
  if (type === 'ec' && !CURVE_HASH[parsed.asymmetricKeyDetails?.namedCurve ?? ''])
    throw new BerthError('unsupported', `"${key.name}" uses the curve ${parsed.asymmetricKeyDetails?.namedCurve}.`);
  return { name: key.name, key: parsed };
}

/** True when `signature` over `data` verifies with `key`; never throws on malformed signatures. */
export function verifyWithKey(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    switch (key.asymmetricKeyType) {
      case 'ed25519':
        return verify(null, data, key, signature);
      case 'ec':
        return verify(CURVE_HASH[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'sha256', data, key, signature);
      default:
        return verify('sha256', data, key, signature);
    }
  } catch {
    return false;
  }
}
