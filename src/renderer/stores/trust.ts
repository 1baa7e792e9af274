/**
 * Trust: the signatures of an image (`trust.verify`) for the Trust tab, what the Referrers tab adds
 * (`trust.referrers`: no referrers API, cosign tags), the signature state per digest for the tag table
 * (`trust.tagStates`, asked for the rows on screen in small batches and kept by digest), the SBOMs attached
 * to an image (`packages.attached`, verified under the same policies), and the trust policies edited in Settings.
 */
import type { AttachedSbom } from '../../shared/types/packages';
import type { TagTrust, TrustPolicy, ImageTrust, ReferrersOverview } from '../../shared/types/trust';
import { apiStore } from './api-store';
import { toErrorData, track, type Loadable } from './loadable';

export type TrustPolicyDraft = Omit<TrustPolicy, 'id'> & { id?: string };

export interface TrustState {
  /** By reference (`host/repository@digest`). */
  images: Record<string, Loadable<ImageTrust>>;
  overviews: Record<string, Loadable<ReferrersOverview>>;
  /** Attached SBOMs by reference; their verification depends on the policies, like `images`. */
  sboms: Record<string, Loadable<{ sboms: AttachedSbom[]; problems: string[] }>>;
  /** By `registryId/repository` then digest. */
  tagStates: Record<string, Record<string, TagTrust>>;
  policies?: Loadable<TrustPolicy[]>;
  verify(reference: string, options?: { force?: boolean }): Promise<void>;
  loadOverview(reference: string): Promise<void>;
  loadSboms(reference: string, options?: { force?: boolean }): Promise<void>;
  /** Asks for the state of `digest` (batched with the other rows on screen); a known one is not asked again. */
  wantTagState(registryId: string, repository: string, digest: string): void;
  loadPolicies(): Promise<void>;
  /** Saves `changed` policies and removes those with the `removed` ids, one call each (a whole list would not fit one frame). */
  savePolicies(changed: TrustPolicyDraft[], removed: string[]): Promise<boolean>;
}

const BATCH_DELAY_MS = 30;
const MAX_BATCH = 50;

export const useTrust = apiStore<TrustState>((api) => (set, get) => {
  const pending = new Map<string, { registryId: string; repository: string; digests: Set<string> }>();
  const asked = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    const batches = [...pending.values()];
    pending.clear();
    for (const { registryId, repository, digests } of batches) {
      const key = `${registryId}/${repository}`;
      const all = [...digests];
      for (let i = 0; i < all.length; i += MAX_BATCH) {
        const chunk = all.slice(i, i + MAX_BATCH);
        api.call('trust.tagStates', { registryId, repository, digests: chunk }).then(
          (states) =>
            set((s) => ({
              tagStates: {
                ...s.tagStates,
                [key]: { ...s.tagStates[key], ...Object.fromEntries(states.map((state) => [state.digest, state])) },
              },
            })),
          (error: unknown) => {
            const reason = toErrorData(error).message;
            set((s) => ({
              tagStates: {
                ...s.tagStates,
                [key]: {
                  ...s.tagStates[key],
                  ...Object.fromEntries(chunk.map((digest) => [digest, { digest, state: 'invalid' as const, reason }])),
                },
              },
            }));
          },
        );
      }
    }
  };

  return {
    images: {},
    overviews: {},
    sboms: {},
    tagStates: {},
    async verify(reference, options) {
      const current = get().images[reference];
      if (!options?.force && (current?.status === 'ready' || current?.status === 'loading')) return;
      await track(
        current,
        (next) => set((s) => ({ images: { ...s.images, [reference]: next } })),
        () => api.call('trust.verify', { reference }),
      );
    },
    async loadOverview(reference) {
      const current = get().overviews[reference];
      if (current?.status === 'ready' || current?.status === 'loading') return;
      await track(
        current,
        (next) => set((s) => ({ overviews: { ...s.overviews, [reference]: next } })),
        () => api.call('trust.referrers', { reference }),
      );
    },
    async loadSboms(reference, options) {
      const current = get().sboms[reference];
      if (!options?.force && (current?.status === 'ready' || current?.status === 'loading')) return;
      await track(
        current,
        (next) => set((s) => ({ sboms: { ...s.sboms, [reference]: next } })),
        () => api.call('packages.attached', { reference }),
      );
    },
    wantTagState(registryId, repository, digest) {
      const askedKey = `${registryId}/${repository}@${digest}`;
      if (asked.has(askedKey)) return;
      asked.add(askedKey);
      const key = `${registryId}/${repository}`;
      const batch = pending.get(key) ?? { registryId, repository, digests: new Set<string>() };
      batch.digests.add(digest);
      pending.set(key, batch);
      timer ??= setTimeout(flush, BATCH_DELAY_MS);
    },
    async loadPolicies() {
      await track(
        get().policies,
        (next) => set({ policies: next }),
        () => api.call('trust.policies', {}),
      );
    },
    async savePolicies(changed, removed) {
      const saved = await track(
        get().policies,
        (next) => set({ policies: next }),
        async () => {
          let list = get().policies?.value ?? [];
          for (const id of removed) list = await api.call('trust.removePolicy', { id });
          for (const policy of changed) list = await api.call('trust.savePolicy', { policy });
          return list;
        },
      );
      if (!saved) return false;
      // States were computed under the old policies.
      asked.clear();
      set({ tagStates: {}, images: {}, sboms: {} });
      return true;
    },
  };
});
