/**
 * Tags that are not images but things attached to one: cosign's `sha256-<hex>.sig` / `.att` / `.sbom`
 * (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md, "Tag-based discovery") and the
 * OCI 1.1 referrers tag-schema fallback `sha256-<hex>`
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema).
 * Retention never counts them, the tag table shows them under their image, sync and lineage skip them.
 */
export type ArtifactTagKind = 'signature' | 'attestation' | 'sbom' | 'referrers-fallback';

export interface ArtifactTag {
  kind: ArtifactTagKind;
  /** The digest of the image the tag is attached to, `sha256:<hex>`. */
  subjectDigest: string;
}

const SUFFIX_KINDS: Record<string, ArtifactTagKind> = { sig: 'signature', att: 'attestation', sbom: 'sbom' };
// The fallback tag is the digest with ':' replaced by '-' (and truncated to 128 chars, which sha256 never reaches).
const ARTIFACT_TAG = /^sha256-([a-f0-9]{64})(?:\.(sig|att|sbom))?$/;

export function classifyArtifactTag(tag: string): ArtifactTag | null {
  const match = ARTIFACT_TAG.exec(tag);
  if (!match) return null;
  const kind = match[2] ? SUFFIX_KINDS[match[2]] : 'referrers-fallback';
  return kind ? { kind, subjectDigest: `sha256:${match[1]}` } : null;
}

/** The tag under which cosign stores what `kind` holds for `digest` (`sha256:<hex>` -> `sha256-<hex>.sig`). */
export function artifactTagFor(digest: string, kind: ArtifactTagKind): string {
  const base = digest.replace(':', '-');
  const suffix = Object.entries(SUFFIX_KINDS).find(([, value]) => value === kind)?.[0];
  return suffix ? `${base}.${suffix}` : base;
}
