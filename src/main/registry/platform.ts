/**
 * Platforms (`os/arch[/variant]`) and choosing one image from an index, with the defaults containerd's
 * platform matcher uses (arm64 is v8 unless said otherwise, arm is v7). Attestation manifests that BuildKit
 * adds to an index (platform unknown/unknown) are never chosen as an image.
 */
import { BerthError } from '../../shared/errors';
import { formatPlatform } from '../../shared/reference';
import type { Descriptor, Platform } from '../../shared/types/registry';

const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };
const NODE_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.trim().toLowerCase().split('/');
  if (!os || !architecture || rest.length > 0) {
    throw new BerthError(
      'invalid_input',
      `"${text.slice(0, 64)}" is not a platform: write os/arch or os/arch/variant, e.g. linux/arm64`,
    );
  }
  return { os, architecture, ...(variant ? { variant } : {}) };
}

// One formatter for main, the renderer and the CLI; re-exported so the registry's callers keep their import.
export { formatPlatform };

/** The platform Docker would pick on this machine (Linux images, this CPU). */
export function defaultPlatform(arch: string = process.arch): Platform {
  return { os: 'linux', architecture: NODE_ARCH[arch] ?? arch };
}

function variantOf(platform: Platform): string | undefined {
  return platform.variant ?? DEFAULT_VARIANT[platform.architecture];
}

export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  if (wanted.variant === undefined) return true;
  return variantOf(candidate) === variantOf(wanted);
}

/** An index entry that is an image for a platform (not a BuildKit attestation or an artifact). */
export function isPlatformImage(descriptor: Descriptor): boolean {
  if (descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return false;
  return (
    descriptor.platform === undefined ||
    (descriptor.platform.os !== 'unknown' && descriptor.platform.architecture !== 'unknown')
  );
}

/**
 * Picks the entry of an index for `wanted`, or for this machine when not given (falling back to the first
 * image, so a single-platform index of another architecture still shows). Throws not_found when `wanted`
 * is absent, naming what the index has.
 */
export function selectPlatform(manifests: Descriptor[], wanted?: Platform): Descriptor {
  const images = manifests.filter(isPlatformImage);
  if (wanted) {
    const match = images.find((descriptor) => descriptor.platform && platformMatches(descriptor.platform, wanted));
    if (match) return match;
    const available = images.flatMap((descriptor) =>
      descriptor.platform ? [formatPlatform(descriptor.platform)] : [],
    );
    throw new BerthError(
      'not_found',
      `No ${formatPlatform(wanted)} image in this index; it has ${available.length > 0 ? available.join(', ') : 'no platform images'}.`,
    );
  }
  const native = defaultPlatform();
  const chosen =
    images.find((descriptor) => descriptor.platform && platformMatches(descriptor.platform, native)) ?? images[0];
  if (!chosen)
    throw new BerthError('not_found', 'This index holds no platform image (only attestations or artifacts).');
  return chosen;
}
