/**
 * cosign signatures and attestations as cosign stores them: one layer per signature in the manifest
 * under `sha256-<hex>.sig` (or a referrer), the layer being the signed payload and its annotations the
 * signature and, for keyless ones, the certificate, chain and Rekor entry
 * (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md). Key-based signatures are
 * checked with the policy's keys; keyless ones become a v0.1 Sigstore bundle for @sigstore/verify.
 */
import { createHash } from 'node:crypto';
import { dsse } from '@sigstore/core';
import { parseReference } from '../../../shared/reference';
import type { SignatureState } from '../../../shared/types/trust';
import { verifyWithKey, type LoadedKey } from './keys';
import { verifyBundle, type BundleCheck, type SigstoreTrust } from './sigstore';

export const Annotation = {
  Signature: 'dev.cosignproject.cosign/signature',
  Certificate: 'dev.sigstore.cosign/certificate',
  Chain: 'dev.sigstore.cosign/chain',
  RekorBundle: 'dev.sigstore.cosign/bundle',
} as const;

export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';
const BUNDLE_V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/** One signature layer: the payload bytes (verified against the layer digest) and the layer's annotations. */
export interface SignatureLayer {
  payload: Buffer;
  annotations: Record<string, string>;
}

export interface CosignTrust extends SigstoreTrust {
  /** Check `docker-reference` against the image's repository (and these other repository prefixes). */
  checkReference: boolean;
  acceptedReferences: readonly string[];
}

export interface CosignCheck extends BundleCheck {
  state: SignatureState;
  dockerReference?: string;
}

export interface ImageIdentity {
  digest: string;
  /** `registry/repository` of the image. */
  repository: string;
}

function invalid(reason: string, extra: Partial<CosignCheck> = {}): CosignCheck {
  return { ...extra, state: 'invalid', reason };
}

function splitPem(text: string | undefined): Buffer[] {
  const blocks = text?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) =>
    Buffer.from(block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64'),
  );
}

interface RekorBundle {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function readRekorBundle(text: string): RekorBundle | undefined {
  try {
    const value = JSON.parse(text) as RekorBundle;
    const payload = value.Payload;
    if (
      typeof value.SignedEntryTimestamp === 'string' &&
      typeof payload?.body === 'string' &&
      typeof payload.integratedTime === 'number' &&
      typeof payload.logIndex === 'number' &&
      typeof payload.logID === 'string'
    )
      return value;
  } catch {
    // reported by the caller
  }
  return undefined;
}

/** The Rekor entry of cosign's `bundle` annotation as a bundle's tlog entries (none without one); throws when malformed. */
function tlogEntriesOf(layer: SignatureLayer): unknown[] {
  const rekorText = layer.annotations[Annotation.RekorBundle];
  if (!rekorText) return [];
  const rekor = readRekorBundle(rekorText);
  if (!rekor) throw new Error(`its ${Annotation.RekorBundle} annotation is not a Rekor bundle`);
  const body = JSON.parse(Buffer.from(rekor.Payload.body, 'base64').toString('utf8')) as {
    kind?: string;
    apiVersion?: string;
  };
  return [
    {
      logIndex: String(rekor.Payload.logIndex),
      logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
      kindVersion: { kind: body.kind ?? '', version: body.apiVersion ?? '' },
      integratedTime: String(rekor.Payload.integratedTime),
      inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
      canonicalizedBody: rekor.Payload.body,
    },
  ];
}

/** A v0.1 bundle around a cosign signature layer (the payload, or the DSSE envelope it holds) and its log entry. */
function cosignBundle(layer: SignatureLayer, content: 'message' | 'dsse', key: Record<string, unknown>): unknown {
  const verificationMaterial = {
    ...key,
    tlogEntries: tlogEntriesOf(layer),
    timestampVerificationData: { rfc3161Timestamps: [] },
  };
  if (content === 'dsse') {
    const envelope = JSON.parse(layer.payload.toString('utf8')) as unknown;
    return { mediaType: BUNDLE_V01, verificationMaterial, dsseEnvelope: envelope };
  }
  return {
    mediaType: BUNDLE_V01,
    verificationMaterial,
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(layer.payload).digest('base64') },
      signature: layer.annotations[Annotation.Signature] ?? '',
    },
  };
}

/**
 * A keyless cosign signature as a v0.1 bundle: the certificate chain, the Rekor entry with its signed entry
 * timestamp (cosign's `bundle` annotation), and the signature over the payload (or the DSSE envelope).
 */
export function keylessBundle(layer: SignatureLayer, content: 'message' | 'dsse'): unknown {
  const certificates = [
    ...splitPem(layer.annotations[Annotation.Certificate]),
    ...splitPem(layer.annotations[Annotation.Chain]),
  ];
  return cosignBundle(layer, content, {
    x509CertificateChain: { certificates: certificates.map((der) => ({ rawBytes: der.toString('base64') })) },
  });
}

const LOG_NOT_CHECKED =
  "Log entry not checked: the policy has no trusted root (trusted_root.json) holding the transparency log's key.";

/**
 * The Rekor entry cosign attaches to a key-based signature (`bundle` annotation, uploaded unless signed with
 * --tlog-upload=false): its signed entry timestamp is checked offline against the trusted roots' log keys,
 * as `cosign verify --key` does. Without a trusted root it is shown, plainly marked as not checked.
 */
function keyedLogEntry(
  layer: SignatureLayer,
  key: LoadedKey,
  trust: CosignTrust,
): Omit<CosignCheck, 'dockerReference'> {
  if (!layer.annotations[Annotation.RekorBundle]) return { state: 'verified', signer: key.name };
  let bundle: unknown;
  try {
    bundle = cosignBundle(layer, 'message', { publicKey: { hint: key.name } });
  } catch (error) {
    return invalid(`Malformed Rekor entry: ${(error as Error).message}.`, { signer: key.name });
  }
  const check = verifyBundle(bundle, layer.payload, { ...trust, keys: [key] });
  if (trust.roots.length === 0)
    return {
      state: 'verified',
      signer: key.name,
      logEntry: {
        logIndex: check.logEntry?.logIndex ?? 'unknown',
        ...check.logEntry,
        proof: 'none',
        note: LOG_NOT_CHECKED,
      },
    };
  if (check.state === 'verified') return { ...check, signer: key.name };
  return invalid(`The signature verifies with "${key.name}", but its Rekor entry does not: ${check.reason ?? ''}`, {
    signer: key.name,
    ...(check.logEntry ? { logEntry: check.logEntry } : {}),
  });
}

function repositoryOf(reference: string): string | undefined {
  try {
    const parsed = parseReference(reference);
    return `${parsed.registry}/${parsed.repository}`;
  } catch {
    return undefined;
  }
}

/** Why `dockerReference` may not sign this image, or undefined when the policy accepts it. */
function referenceProblem(dockerReference: string | undefined, image: ImageIdentity, trust: CosignTrust) {
  if (!trust.checkReference) return undefined;
  const named = dockerReference ? repositoryOf(dockerReference) : undefined;
  if (!named) return `The payload names no valid docker-reference (${JSON.stringify(dockerReference ?? null)}).`;
  if (named === image.repository) return undefined;
  if (
    trust.acceptedReferences.some(
      (prefix) => named === prefix || named.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`),
    )
  )
    return undefined;
  return `The payload was signed for ${named}, not ${image.repository}, and the policy accepts no other repository.`;
}

interface SimpleSigning {
  critical?: {
    identity?: { 'docker-reference'?: unknown };
    image?: { 'docker-manifest-digest'?: unknown };
    type?: unknown;
  };
}

/** Verifies one cosign simple-signing signature layer against the image and the policy. */
export function verifyCosignSignature(layer: SignatureLayer, image: ImageIdentity, trust: CosignTrust): CosignCheck {
  const payloadText = layer.payload.toString('utf8');
  let document: SimpleSigning;
  try {
    document = JSON.parse(payloadText) as SimpleSigning;
  } catch {
    return invalid('The signed payload is not JSON.');
  }
  const named = document?.critical?.image?.['docker-manifest-digest'];
  const dockerRef = document?.critical?.identity?.['docker-reference'];
  const dockerReference = typeof dockerRef === 'string' ? dockerRef : undefined;
  const shown = { ...(dockerReference !== undefined ? { dockerReference } : {}) };
  if (document?.critical?.type !== 'cosign container image signature' || typeof named !== 'string')
    return invalid(
      'The payload is not a cosign simple-signing document (critical.type / docker-manifest-digest).',
      shown,
    );
  if (named !== image.digest)
    return invalid(
      `The payload names ${named}, not this image (${image.digest}): a signature moved from another image.`,
      shown,
    );
  const signatureText = layer.annotations[Annotation.Signature];
  if (!signatureText) return invalid(`The layer has no ${Annotation.Signature} annotation.`, shown);
  const signature = Buffer.from(signatureText, 'base64');
  const referenceIssue = referenceProblem(dockerReference, image, trust);

  if (layer.annotations[Annotation.Certificate]) {
    let bundle: unknown;
    try {
      bundle = keylessBundle(layer, 'message');
    } catch (error) {
      return invalid(`Malformed keyless signature: ${(error as Error).message}.`, shown);
    }
    const check = verifyBundle(bundle, layer.payload, trust);
    if (check.state === 'verified' && referenceIssue)
      return { ...check, ...shown, state: 'invalid', reason: referenceIssue };
    return { ...check, ...shown };
  }
  const key = trust.keys.find((candidate) => verifyWithKey(candidate.key, layer.payload, signature));
  if (key)
    return referenceIssue
      ? invalid(referenceIssue, { ...shown, signer: key.name })
      : { ...shown, ...keyedLogEntry(layer, key, trust) };
  if (trust.keys.length > 0)
    return invalid(
      `The signature does not verify with any trusted key (${trust.keys.map((k) => k.name).join(', ')}): another key signed it, or the payload was changed.`,
      shown,
    );
  return { ...shown, state: 'unverified', reason: 'Signed with a key, but the policy has no key to check it with.' };
}

export interface DsseCheck {
  state: SignatureState;
  signer?: string;
  reason?: string;
  /** The statement, when the envelope parsed. */
  statement?: unknown;
  predicateType?: string;
  certificate?: BundleCheck['certificate'];
  logEntry?: BundleCheck['logEntry'];
}

interface Envelope {
  payloadType?: unknown;
  payload?: unknown;
  signatures?: { keyid?: unknown; sig?: unknown }[];
}

/** The in-toto statement's subjects include the image (by its sha256). */
function aboutImage(statement: unknown, digest: string): boolean {
  const subjects = (statement as { subject?: { digest?: Record<string, unknown> }[] })?.subject;
  const hex = digest.replace(/^sha256:/, '');
  return Array.isArray(subjects) && subjects.some((subject) => subject?.digest?.['sha256'] === hex);
}

/** Verifies a DSSE envelope (in-toto attestation) with the policy's keys, or keylessly when a certificate is attached. */
export function verifyDsse(layer: SignatureLayer, image: ImageIdentity, trust: CosignTrust): DsseCheck {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(layer.payload.toString('utf8')) as Envelope;
  } catch {
    return { state: 'invalid', reason: 'The DSSE envelope is not JSON.' };
  }
  if (
    typeof envelope?.payloadType !== 'string' ||
    typeof envelope.payload !== 'string' ||
    !Array.isArray(envelope.signatures)
  )
    return { state: 'invalid', reason: 'The DSSE envelope lacks payloadType, payload or signatures.' };
  const payload = Buffer.from(envelope.payload, 'base64');
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return { state: 'invalid', reason: 'The DSSE payload is not JSON.' };
  }
  const predicateType = (statement as { predicateType?: unknown })?.predicateType;
  const shown = { statement, ...(typeof predicateType === 'string' ? { predicateType } : {}) };
  if (!aboutImage(statement, image.digest))
    return {
      ...shown,
      state: 'invalid',
      reason: `The statement's subjects do not include this image (${image.digest}).`,
    };

  let result: DsseCheck;
  if (layer.annotations[Annotation.Certificate]) {
    let bundle: unknown;
    try {
      bundle = keylessBundle(layer, 'dsse');
    } catch (error) {
      return { ...shown, state: 'invalid', reason: `Malformed keyless attestation: ${(error as Error).message}.` };
    }
    const check = verifyBundle(bundle, undefined, trust);
    result = { ...shown, ...check };
  } else {
    const pae = dsse.preAuthEncoding(envelope.payloadType, payload);
    const signatures = envelope.signatures.map((entry) =>
      typeof entry?.sig === 'string' ? Buffer.from(entry.sig, 'base64') : Buffer.alloc(0),
    );
    const key = trust.keys.find((candidate) => signatures.some((sig) => verifyWithKey(candidate.key, pae, sig)));
    result = key
      ? { ...shown, state: 'verified', signer: key.name }
      : trust.keys.length > 0
        ? {
            ...shown,
            state: 'invalid',
            reason: `No signature on the envelope verifies with a trusted key (${trust.keys.map((k) => k.name).join(', ')}).`,
          }
        : { ...shown, state: 'unverified', reason: 'Signed with a key, but the policy has no key to check it with.' };
  }
  return result;
}
