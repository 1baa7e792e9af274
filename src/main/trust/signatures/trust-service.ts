/**
 * The trust service: finds the signatures and attestations attached to an image (discover.ts), verifies
 * each against a trust policy (the request's, or the settings' for that registry and namespace), and
 * says who signed, or exactly why not. Used by `trust.*` requests, `berth verify`, the tag table's
 * signature column, and by packages (attached SBOMs) and promotion gates (attestations).
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../../../shared/errors';
import { parseReference, type ImageReference } from '../../../shared/reference';
import type {
  Attestation,
  ImageTrust,
  ReferrersOverview,
  SignatureReport,
  TagTrust,
  TrustPolicy,
} from '../../../shared/types/trust';
import type { Descriptor } from '../../../shared/types/registry';
import { imageParts, type Manifest, type RegistryClient } from '../../registry';
import { mapBounded } from '../../util/async';
import { LruMap } from '../../util/lru';
import {
  DSSE_ENVELOPE,
  SIMPLE_SIGNING,
  verifyCosignSignature,
  verifyDsse,
  type CosignTrust,
  type SignatureLayer,
} from './cosign';
import { findAttached, readProblem, type AttachedManifest } from './discover';
import { loadPublicKey } from './keys';
import { JWS_MEDIA_TYPE, NOTATION_ARTIFACT_TYPE, verifyNotation } from './notation';
import type { TrustPolicyStore } from './policy';
import { emptyTrustPolicy, type TrustOverride } from '../../../shared/trust-policy';
import { verifyBundle } from './sigstore';

/** Signature payloads and bundles are small; anything bigger is not one. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;
const MAX_SHOWN_PAYLOAD = 64 * 1024;
const MAX_LAYERS_PER_MANIFEST = 32;

export interface TrustServiceOptions {
  registry: RegistryClient;
  policies: TrustPolicyStore;
  now?: () => Date;
}

export interface VerifyOptions {
  /** Replaces the settings' policy for this call. */
  policy?: TrustPolicy;
  /** Replaces parts of the settings' policy for this call (the CLI's --key / --identity); a signature is then required. */
  override?: TrustOverride;
  signal?: AbortSignal;
}

interface Subject {
  ref: ImageReference & { digest: string };
  manifest: Manifest;
  repository: string;
}

function noPolicy(registry: string, repository: string): TrustPolicy {
  return { id: 'none', ...emptyTrustPolicy(registry, repository, `no trust policy for ${registry}/${repository}`) };
}

function toCosignTrust(policy: TrustPolicy): CosignTrust {
  return {
    keys: policy.keys.map(loadPublicKey),
    roots: policy.trustedRoots,
    identities: policy.identities,
    checkReference: policy.checkReference,
    acceptedReferences: policy.acceptedReferences,
  };
}

function isBundleType(type: string): boolean {
  return type.startsWith('application/vnd.dev.sigstore.bundle');
}

function isAttestationType(artifactType: string): boolean {
  return artifactType === '.att' || /dsse|in-toto/i.test(artifactType);
}

/** Which kind of signature a layer (or, for a manifest that could not be read, its artifact type) holds, if any. */
function signatureKind(mediaType: string, artifactType: string): SignatureReport['kind'] | undefined {
  if (mediaType === SIMPLE_SIGNING || artifactType === '.sig') return 'cosign';
  if (isBundleType(mediaType) || isBundleType(artifactType)) return 'sigstore-bundle';
  if (mediaType === JWS_MEDIA_TYPE || artifactType === NOTATION_ARTIFACT_TYPE) return 'notation';
  return undefined;
}

export class TrustService {
  private readonly states = new LruMap<TagTrust>({ budget: 20_000, costOf: () => 1 });
  private readonly now: () => Date;

  constructor(private readonly options: TrustServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private async subject(reference: string, signal?: AbortSignal): Promise<Subject> {
    const ref = parseReference(reference);
    const manifest = await this.options.registry.getManifest(ref, signal ? { signal } : {});
    return {
      ref: { ...ref, digest: manifest.digest },
      manifest,
      repository: `${ref.registry}/${ref.repository}`,
    };
  }

  private policyFor(
    subject: Subject,
    options: VerifyOptions,
  ): { policy: TrustPolicy; source: ImageTrust['policy']['source'] } {
    if (options.policy) return { policy: options.policy, source: 'request' };
    const stored = this.options.policies.forRepository(subject.ref.registry, subject.ref.repository);
    const base = stored ?? noPolicy(subject.ref.registry, subject.ref.repository);
    if (options.override) {
      const given = Object.fromEntries(Object.entries(options.override).filter(([, value]) => value !== undefined));
      return { policy: { ...base, ...given, required: true, name: 'the command line' }, source: 'request' };
    }
    return { policy: base, source: stored ? 'settings' : 'none' };
  }

  private async layers(subject: Subject, attached: AttachedManifest, signal?: AbortSignal) {
    const parts = imageParts(attached.manifest.parsed);
    const descriptors = (parts?.layers ?? []).slice(0, MAX_LAYERS_PER_MANIFEST);
    return mapBounded(
      descriptors,
      4,
      signal,
      async (descriptor, _index, inner): Promise<{ descriptor: Descriptor; payload?: Buffer; problem?: string }> => {
        if (descriptor.size > MAX_PAYLOAD_BYTES)
          return { descriptor, problem: `The signature layer is larger than ${MAX_PAYLOAD_BYTES} bytes.` };
        try {
          const payload = await this.options.registry.fetchBlob(
            subject.ref,
            { digest: descriptor.digest, size: descriptor.size },
            MAX_PAYLOAD_BYTES,
            { signal: inner },
          );
          return { descriptor, payload };
        } catch (error) {
          return {
            descriptor,
            problem: `The signature layer ${descriptor.digest} could not be read: ${readProblem(error, inner)}`,
          };
        }
      },
    );
  }

  /** Every signature on the image, each verified against the policy. */
  async verify(reference: string, options: VerifyOptions = {}): Promise<ImageTrust> {
    const subject = await this.subject(reference, options.signal);
    const { policy, source } = this.policyFor(subject, options);
    const trust = toCosignTrust(policy);
    const attached = await findAttached(this.options.registry, subject.ref, subject.manifest.digest, options.signal);
    const image = { digest: subject.manifest.digest, repository: subject.repository };
    const signatures: SignatureReport[] = [];
    for (const { artifactType, reason, ...where } of attached.broken) {
      const kind = signatureKind(artifactType, artifactType);
      if (kind) signatures.push({ ...where, kind, state: 'invalid', verified: false, reason });
    }
    for (const entry of attached.manifests) {
      if (isAttestationType(entry.artifactType)) continue;
      const where = { source: entry.source, foundVia: entry.foundVia, manifestDigest: entry.manifest.digest };
      for (const { descriptor, payload, problem } of await this.layers(subject, entry, options.signal)) {
        const report = (
          partial: Omit<SignatureReport, 'verified' | 'source' | 'foundVia' | 'manifestDigest'>,
        ): void => {
          signatures.push({ ...where, ...partial, verified: partial.state === 'verified' });
        };
        const kind = signatureKind(descriptor.mediaType, entry.artifactType);
        if (!kind) continue;
        if (!payload) {
          report({ kind, state: 'invalid', reason: problem ?? 'The signature layer could not be read.' });
          continue;
        }
        const shownPayload = payload.toString('utf8').slice(0, MAX_SHOWN_PAYLOAD);
        if (descriptor.mediaType === SIMPLE_SIGNING) {
          const layer: SignatureLayer = { payload, annotations: descriptor.annotations ?? {} };
          const { dsse: _dsse, ...check } = verifyCosignSignature(layer, image, trust);
          report({ kind: 'cosign', payload: shownPayload, ...check });
        } else if (isBundleType(descriptor.mediaType) || isBundleType(entry.artifactType)) {
          report({ kind: 'sigstore-bundle', ...this.checkBundle(payload, subject, trust) });
        } else if (descriptor.mediaType === JWS_MEDIA_TYPE || entry.artifactType === NOTATION_ARTIFACT_TYPE) {
          const check =
            descriptor.mediaType === JWS_MEDIA_TYPE
              ? verifyNotation(payload, image.digest, policy.notationCAs, this.now())
              : {
                  state: 'unverified' as const,
                  reason: `Notation envelopes of type ${descriptor.mediaType} (COSE) are not read by Berth yet.`,
                };
          report({ kind: 'notation', ...check });
        }
      }
    }
    const verified = signatures.some((signature) => signature.verified);
    return {
      digest: subject.manifest.digest,
      verified,
      satisfied: verified || !policy.required,
      signatures,
      policy: { source, required: policy.required, ...(source === 'none' ? {} : { name: policy.name }) },
      referrersApi: attached.referrersApi,
      ...(attached.referrersError !== undefined
        ? { referrersProblem: `The referrers could not be listed: ${readProblem(attached.referrersError)}` }
        : {}),
    };
  }

  /** A Sigstore bundle attached as a referrer: a message signature over the image manifest, or a DSSE statement about it. */
  private checkBundle(
    payload: Buffer,
    subject: Subject,
    trust: CosignTrust,
  ): Omit<SignatureReport, 'kind' | 'verified' | 'source' | 'foundVia' | 'manifestDigest'> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return { state: 'invalid', reason: 'Malformed Sigstore bundle: it is not JSON.' };
    }
    const { dsse, ...check } = verifyBundle(json, subject.manifest.bytes, trust);
    if (!dsse) return check;
    const text = dsse.payload.toString('utf8');
    const shown = { ...check, payload: text.slice(0, MAX_SHOWN_PAYLOAD) };
    if (check.state === 'invalid') return shown;
    let statement: { subject?: { digest?: Record<string, unknown> }[] };
    try {
      statement = JSON.parse(text) as typeof statement;
    } catch {
      return { ...shown, state: 'invalid', reason: 'The bundle’s DSSE payload is not JSON.' };
    }
    const hex = subject.manifest.digest.replace(/^sha256:/, '');
    if (!statement.subject?.some((entry) => entry?.digest?.['sha256'] === hex))
      return {
        ...shown,
        state: 'invalid',
        reason: `The bundle’s statement is about other subjects, not ${subject.manifest.digest}.`,
      };
    return shown;
  }

  /** In-toto attestations (DSSE) from `.att` tags and referrers, each verified against the policy. */
  async attestations(reference: string, options: VerifyOptions = {}): Promise<Attestation[]> {
    const subject = await this.subject(reference, options.signal);
    const { policy } = this.policyFor(subject, options);
    const trust = toCosignTrust(policy);
    const attached = await findAttached(this.options.registry, subject.ref, subject.manifest.digest, options.signal);
    // Attestations feed gates, vulnerability reports and SBOMs: a list missing the referrers' ones must not pass as whole.
    if (attached.referrersError !== undefined) throw attached.referrersError;
    const image = { digest: subject.manifest.digest, repository: subject.repository };
    const found: Attestation[] = attached.broken
      .filter((entry) => isAttestationType(entry.artifactType))
      .map(({ source, reason }) => ({ predicateType: 'unknown', verified: false, reason, statement: null, source }));
    for (const entry of attached.manifests) {
      for (const { descriptor, payload } of await this.layers(subject, entry, options.signal)) {
        if (!payload) continue;
        if (descriptor.mediaType === DSSE_ENVELOPE) {
          const check = verifyDsse({ payload, annotations: descriptor.annotations ?? {} }, image, trust);
          found.push({
            predicateType: check.predicateType ?? 'unknown',
            verified: check.state === 'verified',
            ...(check.reason ? { reason: check.reason } : {}),
            statement: check.statement ?? null,
            source: entry.source,
          });
        } else if (isBundleType(descriptor.mediaType) || isBundleType(entry.artifactType)) {
          const check = this.checkBundle(payload, subject, trust);
          if (check.payload === undefined) continue;
          let statement: unknown = null;
          try {
            statement = JSON.parse(check.payload);
          } catch {
            // reported through check.reason
          }
          found.push({
            predicateType: String((statement as { predicateType?: unknown } | null)?.predicateType ?? 'unknown'),
            verified: check.state === 'verified',
            ...(check.reason ? { reason: check.reason } : {}),
            statement,
            source: entry.source,
          });
        }
      }
    }
    return found;
  }

  /** What the Referrers tab adds: whether the registry has the referrers API, and cosign's tags. */
  async referrersOverview(reference: string, signal?: AbortSignal): Promise<ReferrersOverview> {
    const subject = await this.subject(reference, signal);
    const attached = await findAttached(this.options.registry, subject.ref, subject.manifest.digest, signal);
    // The Referrers tab lists them itself: there the listing error is the answer.
    if (attached.referrersError !== undefined) throw attached.referrersError;
    return { digest: subject.manifest.digest, referrersApi: attached.referrersApi, cosignTags: attached.cosignTags };
  }

  /**
   * The signature state of each digest in a repository, for the tag table: computed on demand for the
   * visible rows and cached by digest (and the policy it was computed under).
   */
  async tagStates(
    registry: string,
    repository: string,
    digests: readonly string[],
    signal?: AbortSignal,
  ): Promise<TagTrust[]> {
    const policy = this.options.policies.forRepository(registry, repository);
    const policyKey = policy ? createHash('sha256').update(JSON.stringify(policy)).digest('hex') : 'none';
    return mapBounded([...new Set(digests)], 4, signal, async (digest) => {
      const key = `${registry}/${repository}@${digest}|${policyKey}`;
      const cached = this.states.get(key);
      if (cached) return cached;
      let state: TagTrust;
      try {
        const result = await this.verify(`${registry}/${repository}@${digest}`, signal ? { signal } : {});
        state = summarize(digest, result);
      } catch (error) {
        if (error instanceof BerthError && error.code === 'cancelled') throw error;
        state = { digest, state: 'invalid', reason: error instanceof Error ? error.message : String(error) };
      }
      this.states.set(key, state);
      return state;
    });
  }
}

function summarize(digest: string, trust: ImageTrust): TagTrust {
  const verified = trust.signatures.find((signature) => signature.verified);
  if (verified) return { digest, state: 'verified', ...(verified.signer ? { signer: verified.signer } : {}) };
  const invalid = trust.signatures.find((signature) => signature.state === 'invalid');
  if (invalid) return { digest, state: 'invalid', ...(invalid.reason ? { reason: invalid.reason } : {}) };
  const unverified = trust.signatures[0];
  // Not "unsigned" when the referrers, where a signature may be, could not be read.
  if (!unverified && trust.referrersProblem) return { digest, state: 'invalid', reason: trust.referrersProblem };
  if (unverified)
    return {
      digest,
      state: 'unverified',
      ...(unverified.signer ? { signer: unverified.signer } : {}),
      ...(unverified.reason ? { reason: unverified.reason } : {}),
    };
  return { digest, state: 'unsigned' };
}

export function createTrustService(options: TrustServiceOptions): TrustService {
  return new TrustService(options);
}
