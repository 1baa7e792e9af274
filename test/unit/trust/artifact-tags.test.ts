import { describe, expect, it } from 'vitest';
import { artifactTagFor, classifyArtifactTag } from '../../../src/shared/artifact-tags';

const hex = 'a'.repeat(40) + '0123456789abcdef01234567';

describe('classifyArtifactTag', () => {
  it("names cosign's tags and the referrers fallback tag, with the digest they attach to", () => {
    expect(classifyArtifactTag(`sha256-${hex}.sig`)).toEqual({ kind: 'signature', subjectDigest: `sha256:${hex}` });
    expect(classifyArtifactTag(`sha256-${hex}.att`)).toEqual({ kind: 'attestation', subjectDigest: `sha256:${hex}` });
    expect(classifyArtifactTag(`sha256-${hex}.sbom`)).toEqual({ kind: 'sbom', subjectDigest: `sha256:${hex}` });
    expect(classifyArtifactTag(`sha256-${hex}`)).toEqual({
      kind: 'referrers-fallback',
      subjectDigest: `sha256:${hex}`,
    });
  });

  it('leaves image tags alone, including look-alikes', () => {
    for (const tag of [
      'latest',
      '1.0',
      `sha256-${hex}.sig.bak`,
      `sha256-${hex.slice(1)}.sig`,
      `sha256-${hex.toUpperCase()}.sig`,
      `sha512-${hex}`,
      `sha256-${hex}.txt`,
    ])
      expect(classifyArtifactTag(tag), tag).toBeNull();
  });

  it('artifactTagFor is its inverse', () => {
    for (const kind of ['signature', 'attestation', 'sbom', 'referrers-fallback'] as const)
      expect(classifyArtifactTag(artifactTagFor(`sha256:${hex}`, kind))).toEqual({
        kind,
        subjectDigest: `sha256:${hex}`,
      });
  });
});
