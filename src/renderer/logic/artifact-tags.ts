/**
 * The tag table shows signature, attestation, SBOM and referrers-fallback tags as what they are: not as
 * rows of their own ("Image, created 0001-01-01") but as marks on the image they are attached to.
 */
import { classifyArtifactTag, type ArtifactTagKind } from '../../shared/artifact-tags';

export interface AttachedTag {
  tag: string;
  kind: ArtifactTagKind;
}

export interface SplitTags {
  /** Tags of images, in the order given. */
  images: string[];
  /** Artifact tags by the digest of the image they are attached to. */
  attached: Map<string, AttachedTag[]>;
}

export function splitArtifactTags(tags: readonly string[]): SplitTags {
  const images: string[] = [];
  const attached = new Map<string, AttachedTag[]>();
  for (const tag of tags) {
    const artifact = classifyArtifactTag(tag);
    if (!artifact) {
      images.push(tag);
      continue;
    }
    const list = attached.get(artifact.subjectDigest) ?? [];
    list.push({ tag, kind: artifact.kind });
    attached.set(artifact.subjectDigest, list);
  }
  return { images, attached };
}

const KIND_LABELS: Record<ArtifactTagKind, string> = {
  signature: 'signature',
  attestation: 'attestation',
  sbom: 'SBOM',
  'referrers-fallback': 'referrers',
};

export function attachedLabel(kind: ArtifactTagKind): string {
  return KIND_LABELS[kind];
}
