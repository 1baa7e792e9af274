/**
 * What the image view shows: `registry.inspect` (manifest, config, layers, sizes) per reference and
 * platform, and `registry.referrers` per manifest digest. Kept per key so going back is instant; a digest
 * never changes, so only tag references are worth a refresh: a tag Berth changed (`registry.changed`) is
 * inspected again when it was loaded.
 */
import type { ImageDetails, Referrer } from '../../shared/types/registry';
import { parseReference } from '../../shared/reference';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';
import { onRegistryChanges } from './registries';

export interface ImagesState {
  inspections: Record<string, Loadable<ImageDetails>>;
  /** By `repository@digest` reference. */
  referrers: Record<string, Loadable<Referrer[]>>;
  inspect(reference: string, platform?: string, options?: { force?: boolean }): Promise<void>;
  loadReferrers(digestReference: string, options?: { force?: boolean }): Promise<void>;
}

export function inspectionKey(reference: string, platform?: string): string {
  return platform ? `${reference}\u0000${platform}` : reference;
}

/** `host/repository:tag` of a tag reference as main names it in `registry.changed` ('' for a digest or a bad one). */
function normalized(reference: string): string {
  try {
    const ref = parseReference(reference);
    return ref.tag && !ref.digest ? `${ref.registry}/${ref.repository}:${ref.tag}` : '';
  } catch {
    return '';
  }
}

export const useImages = apiStore<ImagesState>((api) => (set, get) => {
  onRegistryChanges(api, (changes) => {
    const changed = new Set(
      changes.flatMap((change) => change.tags.map((tag) => `${change.host}/${change.repository}:${tag}`)),
    );
    for (const [key, inspection] of Object.entries(get().inspections)) {
      const [reference = '', platform] = key.split('\u0000');
      if (inspection.status !== 'loading' && changed.has(normalized(reference)))
        void get().inspect(reference, platform, { force: true });
    }
  });
  return {
    inspections: {},
    referrers: {},
    async inspect(reference, platform, options) {
      const key = inspectionKey(reference, platform);
      const current = get().inspections[key];
      if (!options?.force && (current?.status === 'ready' || current?.status === 'loading')) return;
      await track(
        current,
        (next) => set((s) => ({ inspections: { ...s.inspections, [key]: next } })),
        () => api.call('registry.inspect', platform ? { reference, platform } : { reference }),
      );
    },
    async loadReferrers(digestReference, options) {
      const current = get().referrers[digestReference];
      if (!options?.force && (current?.status === 'ready' || current?.status === 'loading')) return;
      await track(
        current,
        (next) => set((s) => ({ referrers: { ...s.referrers, [digestReference]: next } })),
        () => api.call('registry.referrers', { reference: digestReference }),
      );
    },
  };
});
