/**
 * What each layer does to the merged tree below it (`berth layers`), and the space an image wastes: bytes a
 * layer ships for files that a later layer overwrites or deletes, which every pull still downloads and every
 * host still stores. The efficiency score follows dive (https://github.com/wagoodman/dive, filetree/efficiency.go):
 * over every path, the smallest of its versions' sizes divided by the sum of all of them, where deleting a
 * path counts as a version as large as what it deletes. Two differences, both where dive undercounts: opaque
 * directories are applied (dive ignores them), and deleting a directory counts each file it held (dive counts
 * the directory as one version of its own path, so its files' bytes never lower the score).
 */
import type { Efficiency, WastedPath } from '../../shared/types/layers';
import { TYPE, type LayerTable } from './layer-table';
import { comparePaths, layerOfRef, MergedTree, rowOfRef, type EntryRef } from './merged-tree';

export interface LayerStats {
  added: number;
  modified: number;
  removed: number;
}

/** Counts, per layer, the paths it adds, modifies (a directory re-listed unchanged does not count) and removes. */
export function layerStats(tables: readonly LayerTable[]): LayerStats[] {
  const stats: LayerStats[] = tables.map(() => ({ added: 0, modified: 0, removed: 0 }));
  const sameDirectory = (tree: MergedTree, a: EntryRef, b: EntryRef): boolean =>
    tree.isDirectory(a) &&
    tree.isDirectory(b) &&
    tree.mode(a) === tree.mode(b) &&
    tree.uid(a) === tree.uid(b) &&
    tree.gid(a) === tree.gid(b);
  MergedTree.build(tables, {
    placed(_path, ref, previous, tree) {
      const layer = stats[layerOfRef(ref)]!;
      if (previous === undefined) layer.added++;
      else if (!sameDirectory(tree, previous, ref)) layer.modified++;
    },
    removed(_path, _ref, layer, cause) {
      if (cause !== 'overwrite') stats[layer]!.removed++;
    },
  });
  return stats;
}

/** Bytes a version of a path occupies in its layer: regular files only (a hard link shares its target's data). */
function bytesOf(tables: readonly LayerTable[], ref: EntryRef): number {
  const row = rowOfRef(ref);
  const table = tables[layerOfRef(ref)]!;
  return row < table.count && table.typeCode(row) === TYPE.file ? table.size(row) : 0;
}

interface PathHistory {
  /** Sizes of every version, deletions included (dive's nodes). */
  sizes: number[];
  wasted: { layer: number; bytes: number }[];
}

export function efficiency(tables: readonly LayerTable[], limit: number): Efficiency {
  const histories = new Map<string, PathHistory>();
  const historyOf = (path: string): PathHistory => {
    let history = histories.get(path);
    if (!history) {
      history = { sizes: [], wasted: [] };
      histories.set(path, history);
    }
    return history;
  };
  // Deletions by whiteout or opaque marker, summed per deleting layer and deleted path: dive counts the
  // whiteout as a version whose size is the whole subtree it removes.
  const deletions = new Map<string, number>();
  MergedTree.build(tables, {
    placed(path, ref) {
      const table = tables[layerOfRef(ref)]!;
      const row = rowOfRef(ref);
      if (row < table.count && table.typeCode(row) !== TYPE.dir) historyOf(path).sizes.push(bytesOf(tables, ref));
    },
    removed(path, ref, layer, cause) {
      const bytes = bytesOf(tables, ref);
      if (bytes > 0) historyOf(path).wasted.push({ layer: layerOfRef(ref), bytes });
      if (cause !== 'overwrite') deletions.set(`${layer}\0${path}`, bytes);
    },
  });
  for (const [key, bytes] of deletions) historyOf(key.slice(key.indexOf('\0') + 1)).sizes.push(bytes);

  let minimum = 0;
  let cumulative = 0;
  const wasted: WastedPath[] = [];
  let wastedBytes = 0;
  for (const [path, history] of histories) {
    if (history.sizes.length > 0) {
      minimum += Math.min(...history.sizes);
      for (const size of history.sizes) cumulative += size;
    }
    if (history.wasted.length === 0) continue;
    const bytes = history.wasted.reduce((sum, version) => sum + version.bytes, 0);
    wastedBytes += bytes;
    wasted.push({
      path,
      occurrences: history.sizes.length,
      bytes,
      layers: history.wasted.sort((x, y) => x.layer - y.layer),
    });
  }
  wasted.sort((x, y) => y.bytes - x.bytes || comparePaths(x.path, y.path));
  const layerBytes = tables.map((table) => table.fileBytes());
  const totalBytes = layerBytes.reduce((sum, bytes) => sum + bytes, 0);
  return {
    wastedBytes,
    totalBytes,
    userSizeBytes: totalBytes - (layerBytes[0] ?? 0),
    score: cumulative === 0 ? 1 : minimum / cumulative,
    wasted: wasted.slice(0, limit),
    wastedPathCount: wasted.length,
  };
}
