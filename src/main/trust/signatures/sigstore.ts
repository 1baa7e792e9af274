/**
 * Sigstore bundles (v0.1-v0.3) and keyless signatures, verified with the maintained @sigstore/verify:
 * certificate chain to a trusted root's CA, transparency-log inclusion (signed entry timestamp and/or
 * Merkle proof against a checkpoint), signed timestamps, and the signature itself, all offline.
 * The identity policy (SAN and OIDC issuer, exact or regex) is matched here, so both can be regexes.
 */
import { createHash } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  toSignedEntity,
  toTrustMaterial,
  VerificationError,
  Verifier,
  type KeyFinderFunc,
  type SignedEntity,
} from '@sigstore/verify';
import type {
  CertificateInfo,
  LogEntryInfo,
  SignatureState,
  TrustedRootFile,
  TrustIdentity,
} from '../../../shared/types/trust';
import { certificateInfo, describeIdentity, matchIdentity, oidcIssuer } from './certificate';
import type { LoadedKey } from './keys';

export interface BundleCheck {
  state: SignatureState;
  signer?: string;
  reason?: string;
  certificate?: CertificateInfo;
  logEntry?: LogEntryInfo;
  /** A DSSE bundle's payload (in-toto statement) and its type; message signatures have none. */
  dsse?: { payloadType: string; payload: Buffer };
}

export interface SigstoreTrust {
  roots: readonly TrustedRootFile[];
  identities: readonly TrustIdentity[];
  /** Keys for bundles signed with a managed key (verification material `publicKey` with a hint). */
  keys: readonly LoadedKey[];
}

/**
 * A bundle's key hint names the key by base64(SHA-256(SPKI DER)) (what Sigstore clients write; see the
 * sigstore-conformance "managed-key" cases), or by the name the policy gave it.
 */
function keyForHint(keys: readonly LoadedKey[], hint: string): LoadedKey | undefined {
  return keys.find(
    ({ name, key }) =>
      name === hint ||
      createHash('sha256')
        .update(key.export({ type: 'spki', format: 'der' }))
        .digest('base64') === hint,
  );
}

function keyFinder(keys: readonly LoadedKey[]): KeyFinderFunc {
  return (hint) => {
    const found = keyForHint(keys, hint);
    if (!found)
      throw new VerificationError({
        code: 'PUBLIC_KEY_ERROR',
        message: `no key in the policy matches the bundle's key hint ${hint.slice(0, 64)}`,
      });
    return { publicKey: found.key, validFor: () => true };
  };
}

/** The verifier's error with its causes (the chain error wraps the real one, e.g. "expired"). */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    const text = typeof message === 'string' ? message : String(current);
    parts.push(typeof code === 'string' && depth === 0 ? `${code}: ${text}` : text);
    current = cause;
  }
  return parts.join(': ').slice(0, 500);
}

function leafCertificate(bundle: Bundle): Buffer | undefined {
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'x509CertificateChain') return material.x509CertificateChain.certificates[0]?.rawBytes;
  if (material.$case === 'certificate') return material.certificate.rawBytes;
  return undefined;
}

function logEntryOf(bundle: Bundle): LogEntryInfo | undefined {
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (!entry) return undefined;
  const promise = entry.inclusionPromise !== undefined;
  const proof = entry.inclusionProof !== undefined;
  const time = Number(entry.integratedTime);
  return {
    logIndex: String(entry.logIndex),
    ...(time > 0 ? { integratedTime: new Date(time * 1000).toISOString() } : {}),
    ...(entry.logId ? { logId: Buffer.from(entry.logId.keyId).toString('hex') } : {}),
    proof: promise && proof ? 'both' : promise ? 'promise' : proof ? 'inclusion-proof' : 'none',
  };
}

function loadRoot(file: TrustedRootFile): TrustedRoot {
  return TrustedRoot.fromJSON(JSON.parse(file.json));
}

/** Checks that a trusted_root.json document can be used; throws with the reason otherwise. */
export function checkTrustedRoot(file: TrustedRootFile): void {
  const root = loadRoot(file);
  toTrustMaterial(root);
  if (root.certificateAuthorities.length === 0 && root.tlogs.length === 0)
    throw new Error('it lists no certificate authority and no transparency log');
}

/**
 * Verifies a bundle (as JSON) over `artifact` (the signed bytes of a message signature; unused for DSSE).
 * Malformed input, a broken chain, a bad signature or log entry is `invalid`; a good signature whose
 * identity no policy entry names is `unverified`.
 */
export function verifyBundle(json: unknown, artifact: Buffer | undefined, trust: SigstoreTrust): BundleCheck {
  let bundle: Bundle;
  let entity: SignedEntity;
  try {
    bundle = bundleFromJSON(json);
    entity = toSignedEntity(bundle, artifact);
  } catch (error) {
    return { state: 'invalid', reason: `Malformed Sigstore bundle: ${errorText(error)}` };
  }
  const leaf = leafCertificate(bundle);
  const material = bundle.verificationMaterial.content;
  const certificate = leaf ? certificateInfo(leaf) : undefined;
  const logEntry = logEntryOf(bundle);
  const content = bundle.content;
  const dsse =
    content.$case === 'dsseEnvelope'
      ? { payloadType: content.dsseEnvelope.payloadType, payload: Buffer.from(content.dsseEnvelope.payload) }
      : undefined;
  const shown = {
    ...(certificate ? { certificate } : {}),
    ...(logEntry ? { logEntry } : {}),
    ...(dsse ? { dsse } : {}),
  };
  if (trust.roots.length === 0)
    return {
      ...shown,
      state: 'unverified',
      reason: 'The policy has no trusted root (trusted_root.json) to check it with.',
    };

  const failures: string[] = [];
  for (const file of trust.roots) {
    let verifier: Verifier;
    try {
      const root = loadRoot(file);
      verifier = new Verifier(toTrustMaterial(root, keyFinder(trust.keys)), {
        // A root without CT logs (a private Fulcio, the tests' CA) cannot vouch for SCTs.
        ctlogThreshold: root.ctlogs.length > 0 && leaf ? 1 : 0,
        tlogThreshold: root.tlogs.length > 0 ? 1 : 0,
      });
    } catch (error) {
      failures.push(`trusted root "${file.name}" is unusable: ${errorText(error)}`);
      continue;
    }
    try {
      verifier.verify(entity);
    } catch (error) {
      failures.push(`${file.name}: ${errorText(error)}`);
      continue;
    }
    if (!leaf) {
      const hint = material.$case === 'publicKey' ? material.publicKey.hint : '';
      return { ...shown, state: 'verified', signer: keyForHint(trust.keys, hint)?.name ?? 'a policy key' };
    }
    const san = X509Certificate.parse(Buffer.from(leaf)).subjectAltName;
    const issuer = oidcIssuer(leaf);
    const signer = `${san ?? certificate?.subject ?? 'unknown'}${issuer ? ` (${issuer})` : ''}`;
    if (trust.identities.length === 0)
      return {
        ...shown,
        state: 'unverified',
        signer,
        reason: `Signed by ${signer}, but the policy names no identity.`,
      };
    const identity = matchIdentity(trust.identities, san, issuer);
    if (!identity)
      return {
        ...shown,
        state: 'unverified',
        signer,
        reason: `Signed by ${signer}, which matches none of: ${trust.identities.map(describeIdentity).join('; ')}.`,
      };
    return { ...shown, state: 'verified', signer };
  }
  return { ...shown, state: 'invalid', reason: failures.join('; ') };
}
