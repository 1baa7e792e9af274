/**
 * Retention policies, stored in Berth's settings file under `retention` (beside the registries and lanes,
 * so the app and `berth` share them): one policy per repository (`host/repo`) or namespace (`host/ns/`).
 * Every policy whose scope covers a repository applies to it, combined by union (a tag is kept when any
 * rule of any of them keeps it).
 */
import { storedRetentionPoliciesSchema } from '../../shared/deletion-schemas';
import type { RetentionPolicy, StoredRetentionPolicy } from '../../shared/types/deletion';
import type { SettingsStore } from '../credentials/settings-store';

export const RETENTION_SETTINGS_KEY = 'retention';

export interface RetentionStore {
  list(): StoredRetentionPolicy[];
  set(policies: StoredRetentionPolicy[]): StoredRetentionPolicy[];
  /** The union of every stored policy covering `host/repository`; undefined when none does. */
  forRepository(registry: string, repository: string): RetentionPolicy | undefined;
}

export function combinePolicies(policies: readonly RetentionPolicy[]): RetentionPolicy | undefined {
  if (policies.length === 0) return undefined;
  const max = (values: (number | undefined)[]) => {
    const defined = values.filter((value): value is number => value !== undefined);
    return defined.length > 0 ? Math.max(...defined) : undefined;
  };
  const keepLast = max(policies.map((policy) => policy.keepLast));
  const newerThanDays = max(policies.map((policy) => policy.newerThanDays));
  const pulledWithinDays = max(policies.map((policy) => policy.pulledWithinDays));
  const keep = policies.flatMap((policy) => policy.keep ?? []);
  const keepRegex = policies.flatMap((policy) => policy.keepRegex ?? []);
  const orderBy = policies.find((policy) => policy.keepLast === keepLast)?.orderBy;
  return {
    ...(keepLast !== undefined ? { keepLast } : {}),
    ...(orderBy ? { orderBy } : {}),
    ...(keep.length > 0 ? { keep: [...new Set(keep)] } : {}),
    ...(keepRegex.length > 0 ? { keepRegex: [...new Set(keepRegex)] } : {}),
    ...(newerThanDays !== undefined ? { newerThanDays } : {}),
    ...(pulledWithinDays !== undefined ? { pulledWithinDays } : {}),
  };
}

export function settingsRetentionStore(settings: SettingsStore): RetentionStore {
  const section = settings.section<StoredRetentionPolicy[]>(RETENTION_SETTINGS_KEY, storedRetentionPoliciesSchema, []);
  return {
    list: () => section.get(),
    set(policies) {
      section.set(policies);
      return section.get();
    },
    forRepository(registry, repository) {
      const name = `${registry}/${repository}`;
      return combinePolicies(
        section
          .get()
          .filter(({ scope }) => scope === name || (scope.endsWith('/') && name.startsWith(scope)))
          .map(({ policy }) => policy),
      );
    },
  };
}
