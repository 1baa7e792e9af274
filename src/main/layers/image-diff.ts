/**
 * The difference between two images, from any two sources: how their layers line up, what their configs
 * and histories change, and what their merged filesystems add, remove and modify, with per-directory size
 * deltas. Entries compare by type, content hash, size, mode, owner and link target; mtimes are left out
 * (every rebuild changes them, so they would hide the changes that matter).
 */
import type {
  ConfigDifference,
  DiffFile,
  EntryType,
  FileAttribute,
  ImageDiff,
  LayerAlignment,
  ModifiedFile,
} from '../../shared/types/layers';
import { formatPlatform } from '../../shared/reference';
import type { ImageConfigSummary } from '../../shared/types/registry';
import { ENTRY_TYPES, TYPE, type LayerTable } from './layer-table';
import { comparePaths, layerOfRef, type EntryRef, type MergedTree } from './merged-tree';
import type { SourceImage } from './sources/image-source';
import { parentPath } from './tar-path';

export interface DiffSide {
  reference: string;
  image: SourceImage;
  tables: readonly LayerTable[];
  tree: MergedTree;
}

/**
 * `candidates`, when given, are the only paths that can differ: both trees extend one common tree, and these
 * are the paths their own layers touched (everything else is the common tree's, so equal).
 */
export function diffImages(a: DiffSide, b: DiffSide, candidates?: Iterable<string>): ImageDiff {
  const files = diffFiles(a.tree, b.tree, candidates);
  return {
    a: a.reference,
    b: b.reference,
    sizeA: a.image.layers.reduce((sum, layer) => sum + layer.size, 0),
    sizeB: b.image.layers.reduce((sum, layer) => sum + layer.size, 0),
    layers: alignLayers(a.image, b.image),
    config: diffConfigs(a.image.config, b.image.config),
    history: diffHistory(a.image.config, b.image.config),
    files: { added: files.added, removed: files.removed, modified: files.modified },
    directoryDeltas: files.directoryDeltas,
    warnings: [...warningsOf('a', a.tables), ...warningsOf('b', b.tables)],
  };
}

function warningsOf(side: string, tables: readonly LayerTable[]): string[] {
  return tables.flatMap((table, layer) => table.meta.warnings.map((warning) => `${side}: layer ${layer}: ${warning}`));
}

/** Non-empty history steps, in order, are the layers (when there are as many of them as layers). */
export function layerCreatedBy(image: SourceImage): (string | undefined)[] {
  const steps = image.config.history.filter((step) => step.layerIndex !== undefined);
  const aligned = steps.length === image.layers.length;
  return image.layers.map((_, index) => (aligned ? steps[index]?.createdBy : undefined));
}

export function alignLayers(a: SourceImage, b: SourceImage): ImageDiff['layers'] {
  const createdA = layerCreatedBy(a);
  const createdB = layerCreatedBy(b);
  const byDigestB = new Map<string, number>();
  const byDiffIdB = new Map<string, number>();
  b.layers.forEach((layer, index) => {
    if (!byDigestB.has(layer.digest)) byDigestB.set(layer.digest, index);
    if (!byDiffIdB.has(layer.diffId)) byDiffIdB.set(layer.diffId, index);
  });
  const shared: LayerAlignment[] = [];
  const onlyA: LayerAlignment[] = [];
  const matchedB = new Set<number>();
  a.layers.forEach((layer, indexA) => {
    const byDigest = byDigestB.get(layer.digest);
    const indexB = byDigest ?? byDiffIdB.get(layer.diffId);
    const base: LayerAlignment = {
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      ...(createdA[indexA] !== undefined ? { createdBy: createdA[indexA] } : {}),
    };
    if (indexB === undefined) {
      onlyA.push({ ...base, indexA });
      return;
    }
    matchedB.add(indexB);
    shared.push({ ...base, indexA, indexB, matchedBy: byDigest !== undefined ? 'digest' : 'diffId' });
  });
  const onlyB: LayerAlignment[] = [];
  b.layers.forEach((layer, indexB) => {
    if (
      matchedB.has(indexB) ||
      a.layers.some((other) => other.digest === layer.digest || other.diffId === layer.diffId)
    )
      return;
    onlyB.push({
      digest: layer.digest,
      diffId: layer.diffId,
      size: layer.size,
      indexB,
      ...(createdB[indexB] !== undefined ? { createdBy: createdB[indexB] } : {}),
    });
  });
  let commonBase = 0;
  while (
    commonBase < a.layers.length &&
    commonBase < b.layers.length &&
    a.layers[commonBase]!.diffId === b.layers[commonBase]!.diffId
  )
    commonBase++;
  return { shared, onlyA, onlyB, commonBase };
}

function keyValues(list: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of list) {
    const equals = item.indexOf('=');
    if (equals < 0) map.set(item, '');
    else map.set(item.slice(0, equals), item.slice(equals + 1));
  }
  return map;
}

function diffMaps(field: 'env' | 'labels', a: Map<string, string>, b: Map<string, string>): ConfigDifference[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort(comparePaths);
  return keys
    .filter((key) => a.get(key) !== b.get(key))
    .map((key) => ({ field, key, a: a.get(key) ?? null, b: b.get(key) ?? null }));
}

export function diffConfigs(a: ImageConfigSummary, b: ImageConfigSummary): ConfigDifference[] {
  const differences: ConfigDifference[] = [];
  const same = (x: unknown, y: unknown): boolean => JSON.stringify(x) === JSON.stringify(y);
  const scalar = (field: ConfigDifference['field'], x: unknown, y: unknown): void => {
    if (!same(x ?? null, y ?? null)) differences.push({ field, a: x ?? null, b: y ?? null });
  };
  scalar('platform', formatPlatform(a.platform), formatPlatform(b.platform));
  scalar('entrypoint', a.entrypoint, b.entrypoint);
  scalar('cmd', a.cmd, b.cmd);
  scalar('user', a.user, b.user);
  scalar('workingDir', a.workingDir, b.workingDir);
  differences.push(...diffMaps('env', keyValues(a.env), keyValues(b.env)));
  differences.push(...diffMaps('labels', new Map(Object.entries(a.labels)), new Map(Object.entries(b.labels))));
  scalar('exposedPorts', [...a.exposedPorts].sort(), [...b.exposedPorts].sort());
  scalar('volumes', [...a.volumes].sort(), [...b.volumes].sort());
  scalar('stopSignal', a.stopSignal, b.stopSignal);
  scalar('author', a.author, b.author);
  return differences;
}

export function diffHistory(a: ImageConfigSummary, b: ImageConfigSummary): ImageDiff['history'] {
  const stepsA = a.history.map((step) => step.createdBy ?? '');
  const stepsB = b.history.map((step) => step.createdBy ?? '');
  let first = 0;
  while (first < stepsA.length && first < stepsB.length && stepsA[first] === stepsB[first]) first++;
  const identical = first === stepsA.length && first === stepsB.length;
  return { a: stepsA, b: stepsB, firstDifference: identical ? -1 : first };
}

interface FileDiff {
  added: DiffFile[];
  removed: DiffFile[];
  modified: ModifiedFile[];
  directoryDeltas: Record<string, number>;
}

function typeName(code: number): EntryType {
  return ENTRY_TYPES[code]!;
}

/** The attributes of two entries that differ (content only for regular files and hard links with a hash). */
function changedAttributes(
  a: MergedTree,
  path: string,
  refA: EntryRef,
  b: MergedTree,
  refB: EntryRef,
): FileAttribute[] {
  const changes: FileAttribute[] = [];
  const typeA = a.typeCode(refA);
  const typeB = b.typeCode(refB);
  if (typeA !== typeB) changes.push('type');
  if (typeA !== TYPE.dir || typeB !== TYPE.dir) {
    if (!a.sameContent(path, refA, b, path, refB)) changes.push('content');
    if (a.size(path, refA) !== b.size(path, refB)) changes.push('size');
  }
  if (a.mode(refA) !== b.mode(refB)) changes.push('mode');
  if (a.uid(refA) !== b.uid(refB) || a.gid(refA) !== b.gid(refB)) changes.push('owner');
  if (a.link(refA) !== b.link(refB)) changes.push('linkTarget');
  return changes;
}

function modifiedFile(
  a: MergedTree,
  path: string,
  refA: EntryRef,
  b: MergedTree,
  refB: EntryRef,
  changes: FileAttribute[],
): ModifiedFile {
  const file: ModifiedFile = {
    path,
    sizeA: a.size(path, refA),
    sizeB: b.size(path, refB),
    changes,
    layerA: layerOfRef(refA),
    layerB: layerOfRef(refB),
  };
  for (const change of changes) {
    switch (change) {
      case 'type':
        file.typeA = typeName(a.typeCode(refA));
        file.typeB = typeName(b.typeCode(refB));
        break;
      case 'content': {
        const hashA = a.hashHex(path, refA);
        const hashB = b.hashHex(path, refB);
        if (hashA !== undefined) file.sha256A = hashA;
        if (hashB !== undefined) file.sha256B = hashB;
        break;
      }
      case 'mode':
        file.modeA = a.mode(refA);
        file.modeB = b.mode(refB);
        break;
      case 'owner':
        file.ownerA = `${a.uid(refA)}:${a.gid(refA)}`;
        file.ownerB = `${b.uid(refB)}:${b.gid(refB)}`;
        break;
      case 'linkTarget':
        file.linkTargetA = a.link(refA);
        file.linkTargetB = b.link(refB);
        break;
      case 'size':
        break;
    }
  }
  return file;
}

function fileOf(tree: MergedTree, path: string, ref: EntryRef): DiffFile {
  const type = typeName(tree.typeCode(ref));
  return { path, size: type === 'dir' ? 0 : tree.size(path, ref), type, layer: layerOfRef(ref) };
}

export function diffFiles(a: MergedTree, b: MergedTree, candidates?: Iterable<string>): FileDiff {
  const added: DiffFile[] = [];
  const removed: DiffFile[] = [];
  const modified: ModifiedFile[] = [];
  const deltas = new Map<string, number>();
  const account = (path: string, delta: number): void => {
    for (let dir = parentPath(path); dir !== ''; dir = parentPath(dir)) deltas.set(dir, (deltas.get(dir) ?? 0) + delta);
  };
  const compare = (path: string, refA: EntryRef | undefined, refB: EntryRef | undefined): void => {
    if (refA === undefined) {
      if (refB === undefined) return;
      const file = fileOf(b, path, refB);
      added.push(file);
      account(path, file.size);
      return;
    }
    if (refB === undefined) {
      const file = fileOf(a, path, refA);
      removed.push(file);
      account(path, -file.size);
      return;
    }
    if (a.sameEntry(path, refA, b, refB)) return;
    const changes = changedAttributes(a, path, refA, b, refB);
    if (changes.length === 0) return;
    const file = modifiedFile(a, path, refA, b, refB, changes);
    modified.push(file);
    account(path, (b.isDirectory(refB) ? 0 : file.sizeB) - (a.isDirectory(refA) ? 0 : file.sizeA));
  };
  if (candidates) {
    for (const path of new Set(candidates)) compare(path, a.ref(path), b.ref(path));
  } else {
    for (const [path, refA] of a.entries()) compare(path, refA, b.ref(path));
    for (const [path, refB] of b.entries()) if (a.ref(path) === undefined) compare(path, undefined, refB);
  }
  const byPath = (x: { path: string }, y: { path: string }): number => comparePaths(x.path, y.path);
  added.sort(byPath);
  removed.sort(byPath);
  modified.sort(byPath);
  const directoryDeltas: Record<string, number> = {};
  for (const dir of [...deltas.keys()].sort(comparePaths)) directoryDeltas[dir] = deltas.get(dir)!;
  return { added, removed, modified, directoryDeltas };
}
