/**
 * Notation signatures in the JWS envelope (application/jose+json), checked against a trust store of X.509
 * CA certificates: https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md
 * and signature-specification.md. The envelope is a flattened JWS whose unprotected header carries the
 * certificate chain (`x5c`, leaf first); the signing scheme `notary.x509` checks the chain at verification
 * time (there is no timestamp countersignature in that scheme). The JWS layer is small and fixed by the
 * spec (PS256/384/512, ES256/384/512 only), so it is read here with node:crypto doing the cryptography.
 */
import { constants, verify, X509Certificate } from 'node:crypto';
import type { CertificateInfo, SignatureState, TrustKey } from '../../../shared/types/trust';
import { certificateInfo } from './certificate';

export const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
export const JWS_MEDIA_TYPE = 'application/jose+json';
const PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

const ALGORITHMS: Record<string, { hash: string; kind: 'pss' | 'ecdsa'; saltLength?: number }> = {
  PS256: { hash: 'sha256', kind: 'pss', saltLength: 32 },
  PS384: { hash: 'sha384', kind: 'pss', saltLength: 48 },
  PS512: { hash: 'sha512', kind: 'pss', saltLength: 64 },
  ES256: { hash: 'sha256', kind: 'ecdsa' },
  ES384: { hash: 'sha384', kind: 'ecdsa' },
  ES512: { hash: 'sha512', kind: 'ecdsa' },
};

export interface NotationCheck {
  state: SignatureState;
  signer?: string;
  reason?: string;
  certificate?: CertificateInfo;
  payload?: string;
}

interface JwsEnvelope {
  payload?: unknown;
  protected?: unknown;
  header?: { x5c?: unknown };
  signature?: unknown;
}

function loadCertificate(text: string | Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(text);
  } catch {
    return undefined;
  }
}

function commonName(cert: X509Certificate): string {
  // An empty subject comes back undefined from Node.
  const subject = (cert.subject as string | undefined) ?? '';
  return /(?:^|\n)CN=([^\n]*)/.exec(subject)?.[1] ?? subject.replace(/\n/g, ', ');
}

/** Whether `chain` (leaf first) leads to one of `anchors`: the last certificate is one, or is issued by one. */
function chainsTo(chain: X509Certificate[], anchors: X509Certificate[]): boolean {
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) return false;
  }
  const top = chain[chain.length - 1]!;
  return anchors.some(
    (anchor) =>
      anchor.fingerprint256 === top.fingerprint256 || (top.checkIssued(anchor) && top.verify(anchor.publicKey)),
  );
}

/** Verifies a Notation JWS envelope for the image `digest` against the trust store `cas`, at time `now`. */
export function verifyNotation(
  envelopeBytes: Buffer,
  digest: string,
  cas: readonly TrustKey[],
  now: Date,
): NotationCheck {
  let envelope: JwsEnvelope;
  let header: Record<string, unknown>;
  let payloadText: string;
  try {
    envelope = JSON.parse(envelopeBytes.toString('utf8')) as JwsEnvelope;
    if (
      typeof envelope.protected !== 'string' ||
      typeof envelope.payload !== 'string' ||
      typeof envelope.signature !== 'string'
    )
      throw new Error('missing protected, payload or signature');
    header = JSON.parse(Buffer.from(envelope.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
    payloadText = Buffer.from(envelope.payload, 'base64url').toString('utf8');
  } catch (error) {
    return { state: 'invalid', reason: `Malformed Notation JWS envelope: ${(error as Error).message}.` };
  }
  const x5c = Array.isArray(envelope.header?.x5c) ? (envelope.header.x5c as unknown[]) : [];
  const chain = x5c.map((entry) =>
    typeof entry === 'string' ? loadCertificate(Buffer.from(entry, 'base64')) : undefined,
  );
  const leaf = chain[0];
  const certificate = leaf ? certificateInfo(leaf.raw) : undefined;
  const shown = { payload: payloadText.slice(0, 64 * 1024), ...(certificate ? { certificate } : {}) };
  if (!leaf || chain.some((cert) => cert === undefined))
    return { ...shown, state: 'invalid', reason: 'The envelope carries no readable certificate chain (x5c).' };
  const signer = commonName(leaf);
  const algorithm = ALGORITHMS[String(header['alg'])];
  if (!algorithm)
    return { ...shown, signer, state: 'invalid', reason: `Unsupported JWS algorithm ${String(header['alg'])}.` };
  if (header['cty'] !== PAYLOAD_TYPE)
    return { ...shown, signer, state: 'invalid', reason: `Unexpected payload content type ${String(header['cty'])}.` };
  const signingInput = Buffer.from(`${envelope.protected as string}.${envelope.payload as string}`, 'ascii');
  const signature = Buffer.from(envelope.signature as string, 'base64url');
  let good = false;
  try {
    good =
      algorithm.kind === 'pss'
        ? verify(
            algorithm.hash,
            signingInput,
            { key: leaf.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength! },
            signature,
          )
        : verify(algorithm.hash, signingInput, { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    good = false;
  }
  if (!good)
    return {
      ...shown,
      signer,
      state: 'invalid',
      reason: 'The JWS signature does not verify with its leaf certificate: the envelope was changed.',
    };
  let target: unknown;
  try {
    target = (JSON.parse(payloadText) as { targetArtifact?: { digest?: unknown } }).targetArtifact?.digest;
  } catch {
    return { ...shown, signer, state: 'invalid', reason: 'The signed payload is not JSON.' };
  }
  if (target !== digest)
    return {
      ...shown,
      signer,
      state: 'invalid',
      reason: `The signature is for ${String(target)}, not this image (${digest}).`,
    };
  const expiry = header['io.cncf.notary.expiry'];
  if (typeof expiry === 'string' && Date.parse(expiry) < now.getTime())
    return { ...shown, signer, state: 'invalid', reason: `The signature expired on ${expiry}.` };
  if (cas.length === 0)
    return {
      ...shown,
      signer,
      state: 'unverified',
      reason: 'The policy has no Notation CA certificate to check it with.',
    };
  const anchors = cas
    .map((ca) => loadCertificate(ca.pem))
    .filter((cert): cert is X509Certificate => cert !== undefined);
  const certs = chain as X509Certificate[];
  if (!chainsTo(certs, anchors))
    return {
      ...shown,
      signer,
      state: 'invalid',
      reason: 'The certificate chain does not lead to a CA in the trust store.',
    };
  const outdated = certs.find((cert) => now < new Date(cert.validFrom) || now > new Date(cert.validTo));
  if (outdated)
    return {
      ...shown,
      signer,
      state: 'invalid',
      reason: `The certificate "${commonName(outdated)}" is valid only from ${new Date(outdated.validFrom).toISOString()} to ${new Date(outdated.validTo).toISOString()}.`,
    };
  return { ...shown, signer, state: 'verified' };
}
