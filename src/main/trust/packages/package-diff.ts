/**
 * Packages added, removed, upgraded and downgraded between two inventories, by each ecosystem's own version
 * order. Packages are matched by ecosystem and name; a name installed in several versions (npm's nested
 * folders) is a change only when one version became one other version, otherwise its versions are added
 * and removed one by one.
 */
import type { Package, PackageDiff, PackageInventory } from '../../../shared/types/packages';
import { compareVersions } from './versions';

function group(packages: Package[]): Map<string, Package[]> {
  const groups = new Map<string, Package[]>();
  for (const item of packages) {
    const key = `${item.type}\u0000${item.name}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function distinctVersions(items: Package[]): Map<string, Package> {
  return new Map(items.map((item) => [item.version, item]));
}

export function diffPackages(a: PackageInventory, b: PackageInventory): PackageDiff {
  const before = group(a.packages);
  const after = group(b.packages);
  const diff: PackageDiff = { added: [], removed: [], changed: [] };
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const old = distinctVersions(before.get(key) ?? []);
    const now = distinctVersions(after.get(key) ?? []);
    const gone = [...old.values()].filter((item) => !now.has(item.version));
    const came = [...now.values()].filter((item) => !old.has(item.version));
    if (gone.length === 1 && came.length === 1) {
      const [from, to] = [gone[0]!, came[0]!];
      const order = compareVersions(from.type, from.version, to.version);
      // Versions that differ as text but are equal in their order (`1.0` and `1.0-0` in dpkg) are unchanged.
      if (order !== 0)
        diff.changed.push({
          name: from.name,
          type: from.type,
          from: from.version,
          to: to.version,
          direction: order < 0 ? 'upgraded' : 'downgraded',
        });
      continue;
    }
    diff.removed.push(...gone);
    diff.added.push(...came);
  }
  const byName = (x: { type: string; name: string }, y: { type: string; name: string }) =>
    x.type.localeCompare(y.type) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);
  diff.added.sort(byName);
  diff.removed.sort(byName);
  diff.changed.sort(byName);
  return diff;
}
