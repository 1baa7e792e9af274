/**
 * Manifest and artifact media types: OCI image spec (https://github.com/opencontainers/image-spec/blob/main/media-types.md)
 * and Docker's registry v2 dialect (https://distribution.github.io/distribution/spec/manifest-v2-2/).
 */
import type { ManifestKind, ReferrerType } from '../../shared/types/registry';

export const MediaType = {
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  DockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/**
 * What Berth accepts for a manifest, in order of preference. Schema 1 comes last so that registries which
 * still hold it can show it (read-only); a registry holding schema 2 serves that.
 */
export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerList,
  MediaType.DockerManifest,
  `${MediaType.DockerSchema1Signed};q=0.5`,
  `${MediaType.DockerSchema1};q=0.5`,
].join(', ');

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OciIndex || mediaType === MediaType.DockerList;
}

export function isImageManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaType.OciManifest || mediaType === MediaType.DockerManifest;
}

export function isSchema1MediaType(mediaType: string): boolean {
  return mediaType === MediaType.DockerSchema1 || mediaType === MediaType.DockerSchema1Signed;
}

/** Kind of manifest; an OCI manifest whose config is not an image config is an artifact. */
export function manifestKind(mediaType: string, configMediaType?: string, artifactType?: string): ManifestKind {
  switch (mediaType) {
    case MediaType.OciIndex:
      return 'oci-index';
    case MediaType.DockerList:
      return 'docker-list';
    case MediaType.DockerManifest:
      return 'docker-v2';
    case MediaType.DockerSchema1:
    case MediaType.DockerSchema1Signed:
      return 'docker-schema1';
    case MediaType.OciManifest:
      return artifactType !== undefined || (configMediaType !== undefined && configMediaType !== MediaType.OciConfig)
        ? 'artifact'
        : 'oci-manifest';
    default:
      return 'artifact';
  }
}

const SIGNATURE_TYPES = [
  'application/vnd.dev.cosign.artifact.sig.v1+json',
  'application/vnd.dev.cosign.simplesigning.v1+json',
  'application/vnd.cncf.notary.signature',
  'application/vnd.dev.sigstore.bundle',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/pgp-signature',
];
const SBOM_PATTERNS = [/spdx/i, /cyclonedx/i, /syft/i, /sbom/i];
const ATTESTATION_PATTERNS = [/in-toto/i, /dsse/i, /attestation/i, /provenance/i, /slsa/i, /vuln/i, /sarif/i];

/** Names what a referrer is from its artifact type (cosign, Notation, Syft, in-toto, Docker BuildKit...). */
export function referrerType(artifactType: string): ReferrerType {
  if (SIGNATURE_TYPES.some((type) => artifactType.startsWith(type)) || /signature/i.test(artifactType))
    return 'signature';
  if (SBOM_PATTERNS.some((pattern) => pattern.test(artifactType))) return 'sbom';
  if (ATTESTATION_PATTERNS.some((pattern) => pattern.test(artifactType))) return 'attestation';
  return 'other';
}
