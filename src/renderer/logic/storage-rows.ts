/**
 * The storage view's rows at one namespace: the namespaces and repositories directly below it, biggest
 * first, each with the figures `storage.usage` computed (a namespace's figures count every repository
 * under it, at any depth).
 */
import type { StorageUsage, UsageFigures } from '../../shared/types/storage';

export interface StorageRow extends UsageFigures {
  kind: 'namespace' | 'repository';
  /** The last path segment. */
  name: string;
  /** Full path: the namespace to drill into, or the repository's name. */
  path: string;
  repositories: number;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function storageRows(usage: StorageUsage, namespace: string): StorageRow[] {
  const label = (path: string) => path.slice(path.lastIndexOf('/') + 1);
  const rows: StorageRow[] = [
    ...usage.namespaces
      .filter((entry) => parentOf(entry.name) === namespace)
      .map((entry) => ({ ...entry, kind: 'namespace' as const, name: label(entry.name), path: entry.name })),
    ...usage.repositories
      .filter((entry) => parentOf(entry.name) === namespace)
      .map(({ pendingTags: _pending, ...entry }) => ({
        ...entry,
        kind: 'repository' as const,
        name: label(entry.name),
        path: entry.name,
        repositories: 1,
      })),
  ];
  return rows.sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}

/** The figures of the namespace being looked at (the whole scope at its root). */
export function scopeFigures(usage: StorageUsage, namespace: string): UsageFigures | undefined {
  if (namespace === usage.namespace) return usage;
  return usage.namespaces.find((entry) => entry.name === namespace);
}
