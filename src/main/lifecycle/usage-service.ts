/**
 * `storage.usage`: brings the one registry index up to date through the browser's own indexer (no crawler
 * of its own: known tags cost a HEAD, new digests one GET each) and computes usage from it. Without
 * `refresh` it answers from the index alone, which is how the storage view fills in while a refresh runs.
 */
import { BerthError } from '../../shared/errors';
import type { ProgressState } from '../../shared/types/operations';
import type { StorageUsage } from '../../shared/types/storage';
import type { RegistryBrowser } from '../registry/browser';
import { readBlobReferences } from './blob-references';
import { computeUsage, inNamespace } from './storage-usage';

export interface UsageOptions {
  /** '' (or absent) for the whole registry. */
  namespace?: string;
  /** Refresh the index from the registry first (default); false reads the index only. */
  refresh?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ProgressState) => void;
}

export interface UsageService {
  usage(registryId: string, options?: UsageOptions): Promise<StorageUsage>;
}

export function createUsageService(deps: {
  browser: Pick<RegistryBrowser, 'resolveRegistry' | 'index' | 'registryIndex'>;
}): UsageService {
  const { browser } = deps;
  return {
    async usage(registryId, { namespace = '', refresh = true, signal, onProgress } = {}) {
      const scope = namespace.replace(/^\/+|\/+$/g, '');
      const target = await browser.resolveRegistry(registryId);
      // Unique bytes are unique in the whole registry, so the whole registry is indexed, not the namespace.
      if (refresh)
        await browser.index(registryId, {
          details: true,
          ...(signal ? { signal } : {}),
          // By tag, not by repository: one 2,000-tag repository is one repository.
          onProgress: ({ tags, tagsListed, status }) =>
            onProgress?.({ current: tags, total: Math.max(tags, tagsListed), status }),
        });
      const references = await readBlobReferences(await browser.registryIndex(), target.host);
      if (scope !== '' && ![...references.tags.keys()].some((name) => inNamespace(name, scope)))
        throw new BerthError(
          'not_found',
          refresh
            ? `${target.host} has no repository under ${scope}/.`
            : `The registry index has no repository under ${target.host}/${scope}/ yet.`,
        );
      return computeUsage(references, { registryId, namespace: scope });
    },
  };
}
