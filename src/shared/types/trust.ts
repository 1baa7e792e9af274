/**
 * Trust: signatures and attestations of an image, and the policies that say whom to trust. Packages
 * (packages.ts) and vulnerabilities (vulns.ts) have their own files.
 */

export type SignatureKind = 'cosign' | 'sigstore-bundle' | 'notation';

/** verified: checked against the policy and good. unverified: signed, but nothing in the policy vouches for it.
 * invalid: broken or lying (tampered payload, another digest, wrong key, bad certificate, malformed). */
export type SignatureState = 'verified' | 'unverified' | 'invalid';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Subject alternative names (email, URI...) as the certificate lists them. */
  san?: string;
  /** The OIDC issuer recorded by Fulcio (OIDs 1.3.6.1.4.1.57264.1.1 / .8). */
  oidcIssuer?: string;
  notBefore: string;
  notAfter: string;
  serialNumber: string;
}

export interface LogEntryInfo {
  logIndex: string;
  integratedTime?: string;
  logId?: string;
  /** Which proof the verifier checked: the signed entry timestamp, the Merkle inclusion proof, or both. */
  proof: 'promise' | 'inclusion-proof' | 'both' | 'none';
  /** Said plainly when the entry was not checked (no trusted root with the log's key). */
  note?: string;
}

export interface SignatureReport {
  kind: SignatureKind;
  verified: boolean;
  state: SignatureState;
  /** Who signed: the key's name from the policy, the certificate's SAN, or the Notation leaf subject. */
  signer?: string;
  /** Why it is not verified (absent when verified). */
  reason?: string;
  /** Where it was found: a tag (`sha256-<hex>.sig`) or a referrer's manifest digest. */
  source: string;
  /** How it was found. */
  foundVia: 'cosign-tag' | 'referrers-api' | 'referrers-fallback-tag';
  /** Digest of the manifest that carries it (absent for a `.sig` tag whose manifest could not be read). */
  manifestDigest?: string;
  certificate?: CertificateInfo;
  /** The signed payload as text (simple-signing JSON, in-toto statement, JWS payload), bounded. */
  payload?: string;
  /** The `docker-reference` a cosign payload names. */
  dockerReference?: string;
  logEntry?: LogEntryInfo;
}

export interface ImageTrust {
  /** The image's manifest digest the signatures were checked against. */
  digest: string;
  /** At least one signature verified by the policy. */
  verified: boolean;
  /** The policy is met: verified, or no signature is required. */
  satisfied: boolean;
  signatures: SignatureReport[];
  /** Which policy was applied: the settings' entry (registry + namespace), or the command's flags. */
  policy: { source: 'settings' | 'request' | 'none'; name?: string; required: boolean };
  /** False when the registry has no referrers API (distribution 2.8 answers 404): the fallback tag was read. */
  referrersApi: boolean;
  /** Set when the referrers could not be listed (a broken fallback index...): only cosign's tags were read. */
  referrersProblem?: string;
}

export interface Attestation {
  predicateType: string;
  verified: boolean;
  reason?: string;
  /** The in-toto statement (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md). */
  statement: unknown;
  /** Tag or referrer digest it came from. */
  source: string;
}

/** Fixed certificate identity for keyless signatures; each field exact, or a regex when `...Regex` is set. */
export interface TrustIdentity {
  subject?: string;
  subjectRegex?: string;
  issuer?: string;
  issuerRegex?: string;
}

export interface TrustKey {
  name: string;
  /** SPKI public key in PEM (ECDSA P-256/P-384, Ed25519, RSA), as `cosign.pub` holds it. */
  pem: string;
}

export interface TrustedRootFile {
  name: string;
  /** A Sigstore `trusted_root.json` document, as text. */
  json: string;
}

export interface TrustPolicy {
  id: string;
  name: string;
  /** Registry host, e.g. `ghcr.io` or `127.0.0.1:5000`. */
  registry: string;
  /** Repository prefix this policy covers (`''` covers the whole registry; `team/` covers team/*). */
  namespace: string;
  /** The image must carry a verified signature to satisfy the policy. */
  required: boolean;
  keys: TrustKey[];
  identities: TrustIdentity[];
  trustedRoots: TrustedRootFile[];
  /** CA certificates (PEM) Notation signatures must chain to. */
  notationCAs: TrustKey[];
  /** Check the cosign payload's `docker-reference` against the image's repository. */
  checkReference: boolean;
  /** Other repositories (e.g. where a promoted image was signed) a `docker-reference` may name; prefixes. */
  acceptedReferences: string[];
}

/** A signature state per tag digest, for the tag table. */
export interface TagTrust {
  digest: string;
  state: SignatureState | 'unsigned';
  signer?: string;
  reason?: string;
}

export interface ReferrersOverview {
  digest: string;
  referrersApi: boolean;
  /** Artifacts found through cosign's tag scheme (`sha256-<hex>.sig/.att/.sbom`). */
  cosignTags: { tag: string; kind: 'signature' | 'attestation' | 'sbom'; digest: string }[];
}
