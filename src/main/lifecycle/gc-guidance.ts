/**
 * What to tell the user after deleting: the space comes back only when the registry's garbage collector
 * runs, how to run it for this kind of registry, and what to avoid. distribution's
 * `--delete-untagged` (`-m`) also removes every untagged manifest: the platform manifests of multi-arch
 * images (only their index is tagged) and referrer artifacts such as signatures and SBOMs
 * (distribution/distribution#3178 and #3004), so Berth never suggests it.
 */
import type { GcGuidance } from '../../shared/types/deletion';
import type { RegistryKind } from '../../shared/types/settings';

/** Exact bytes, grouped for reading (the views format their own units). */
const amount = (bytes: number) => `${bytes.toLocaleString('en-US')} bytes`;

const UNTAGGED_WARNING =
  'Do not add --delete-untagged (-m): it also deletes the untagged platform manifests of multi-arch images and referrer artifacts (signatures, SBOMs), breaking images you kept.';

export function gcGuidance(kind: RegistryKind, registry: string, expectedReclaimBytes: number): GcGuidance {
  const summary = `Deleted manifests free no space until ${registry}'s garbage collection runs; expected to reclaim ${amount(expectedReclaimBytes)}.`;
  switch (kind) {
    case 'harbor':
      return {
        summary,
        steps: [
          'Run Harbor garbage collection: Administration > Clean Up > GC Now, or POST /api/v2.0/system/gc/schedule with {"schedule":{"type":"Manual"}} as an administrator.',
          'Run it with "Allow garbage collection on untagged artifacts" off unless you mean to lose untagged platform manifests and signatures.',
        ],
        warnings: [],
        expectedReclaimBytes,
      };
    case 'dockerhub':
    case 'ghcr':
    case 'quay':
    case 'ecr':
    case 'acr':
    case 'gar':
    case 'gitlab':
      return {
        summary: `${registry} collects garbage on its own schedule; expected to reclaim ${amount(expectedReclaimBytes)}.`,
        steps: ['Nothing to run: the service reclaims unreferenced blobs itself (timing is the provider’s).'],
        warnings: [],
        expectedReclaimBytes,
      };
    default:
      return {
        summary,
        steps: [
          'On the registry host, with no pushes in flight (or the registry in read-only mode): registry garbage-collect --dry-run /etc/docker/registry/config.yml',
          'Then the same without --dry-run (Debian: docker-registry garbage-collect CONFIG).',
        ],
        warnings: [UNTAGGED_WARNING],
        expectedReclaimBytes,
      };
  }
}
