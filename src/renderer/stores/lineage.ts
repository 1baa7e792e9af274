/**
 * Lineage (`lineage.*`): an image's bases and dependents, and the stale images of a scope. Every load
 * answers at once from the registry index as it is (`refresh: false`), then refreshes the scope's index as
 * a visible, cancellable operation (status bar) and reads again, so the UI never waits on a crawl.
 */
import type { BerthApi } from '../../shared/contract';
import { parseReference } from '../../shared/reference';
import type { DependentsResult, ImageLineage, StaleImage, StaleResult } from '../../shared/types/lineage';
import { apiStore } from './api-store';
import { failed, loading, ready, type Loadable } from './loadable';
import { runOperation } from './operations';

export interface ImageLineageView {
  lineage: ImageLineage;
  dependents: DependentsResult;
}

export interface LineageState {
  /** By `imageKey(reference, scope, platform)`. */
  images: Record<string, Loadable<ImageLineageView>>;
  /** By scope. */
  stale: Record<string, Loadable<StaleResult>>;
  /** The refresh running per scope (its operation id). */
  refreshing: Record<string, string | undefined>;
  loadImage(reference: string, scope: string, platform?: string): Promise<void>;
  /** `refresh: false` reads the index only (the tag table's badges); true also refreshes the scope first. */
  loadStale(scope: string, options?: { refresh?: boolean }): Promise<void>;
}

export const imageKey = (reference: string, scope: string, platform?: string) =>
  `${reference}\u0000${scope}\u0000${platform ?? ''}`;

/** `host\0repository\0tag` of a `host/repository:tag` reference, to match tag table rows. */
export function tagKey(host: string, repository: string, tag: string): string {
  return `${host}\u0000${repository}\u0000${tag}`;
}

const byTagCache = new WeakMap<StaleResult, Map<string, StaleImage>>();

/** The stale rows by `tagKey`, computed once per result (every tag table row asks). */
export function staleByTag(result: StaleResult | undefined): Map<string, StaleImage> {
  if (!result) return new Map();
  const cached = byTagCache.get(result);
  if (cached) return cached;
  const rows = new Map<string, StaleImage>();
  byTagCache.set(result, rows);
  for (const row of result.stale) {
    try {
      const ref = parseReference(row.reference);
      if (ref.tag) rows.set(tagKey(ref.registry, ref.repository, ref.tag), row);
    } catch {
      // A reference main formatted always parses; skip rather than break the table if not.
    }
  }
  return rows;
}

/**
 * The scopes an image's lineage can be looked for in, narrowest first: each namespace it is under
 * (`host/org/team`, `host/org`), then the whole registry. The first is the default.
 */
export function scopesFor(host: string, repository: string): string[] {
  const parts = repository.split('/').slice(0, -1);
  return [...parts.map((_, position) => `${host}/${parts.slice(0, parts.length - position).join('/')}`), host];
}

export const defaultScope = (host: string, repository: string): string => scopesFor(host, repository)[0]!;

async function readImage(api: BerthApi, reference: string, scope: string, platform?: string) {
  const [lineage, dependents] = await Promise.all([
    api.call('lineage.base', { reference, scopes: [scope], refresh: false, ...(platform ? { platform } : {}) }),
    api.call('lineage.dependents', { reference, scopes: [scope], refresh: false }),
  ]);
  return { lineage, dependents };
}

export const useLineage = apiStore<LineageState>((api) => (set, get) => {
  const writeImage = (key: string, next: Loadable<ImageLineageView>) =>
    set((s) => ({ images: { ...s.images, [key]: next } }));
  const writeStale = (scope: string, next: Loadable<StaleResult>) =>
    set((s) => ({ stale: { ...s.stale, [scope]: next } }));

  /** One refresh per scope at a time; a second caller waits for the running one. */
  const refreshing = new Map<string, Promise<unknown>>();
  const refreshScope = (scope: string): Promise<unknown> => {
    let running = refreshing.get(scope);
    if (!running) {
      running = runOperation(api, { kind: 'lineage', label: `Reading layer chains of ${scope}` }, (operationId) => {
        set((s) => ({ refreshing: { ...s.refreshing, [scope]: operationId } }));
        return api.call('lineage.refresh', { scopes: [scope], operationId });
      }).finally(() => {
        refreshing.delete(scope);
        set((s) => ({ refreshing: { ...s.refreshing, [scope]: undefined } }));
      });
      refreshing.set(scope, running);
    }
    return running;
  };

  return {
    images: {},
    stale: {},
    refreshing: {},
    async loadImage(reference, scope, platform) {
      const key = imageKey(reference, scope, platform);
      writeImage(key, loading(get().images[key]));
      try {
        writeImage(key, loading(ready(await readImage(api, reference, scope, platform))));
      } catch {
        // The index may not know the scope yet; the refresh below answers.
      }
      try {
        await refreshScope(scope);
        writeImage(key, ready(await readImage(api, reference, scope, platform)));
      } catch (error) {
        writeImage(key, failed(error, get().images[key]));
      }
    },
    async loadStale(scope, { refresh = true } = {}) {
      writeStale(scope, loading(get().stale[scope]));
      const read = () => api.call('lineage.stale', { scopes: [scope], refresh: false });
      try {
        if (refresh) {
          // What the index knows now, then the answer after the refresh.
          await read().then(
            (value) => writeStale(scope, loading(ready(value))),
            () => undefined,
          );
          await refreshScope(scope);
        }
        writeStale(scope, ready(await read()));
      } catch (error) {
        writeStale(scope, failed(error, get().stale[scope]));
      }
    },
  };
});
