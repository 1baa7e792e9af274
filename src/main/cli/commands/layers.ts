import type { RequestInput } from '../../../shared/contract';
import {
  layerNumber,
  type EntryType,
  type ImageDiff,
  type LayerChange,
  type MergedEntry,
} from '../../../shared/types/layers';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';
import { formatBytes, table, withProgress } from '../progress';
import { packageDiffText } from './packages';

const platform = { type: 'string', description: 'os/arch[/variant] of a multi-platform image' } as const;
const SOURCES =
  'REF is a registry image (docker://host/repo:tag, the default), docker-daemon:NAME:TAG, docker-archive:PATH or oci:DIR[:TAG]';

function write(ctx: CliContext, text: string): void {
  ctx.stdout.write(`${text}\n`);
}

function platformFlag(ctx: CliContext): { platform?: string } {
  const value = ctx.flags.platform;
  return typeof value === 'string' ? { platform: value } : {};
}

const TYPE_CHARS: Record<EntryType, string> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  hardlink: 'h',
  char: 'c',
  block: 'b',
  fifo: 'p',
  whiteout: 'w',
  opaque: 'o',
};

/** `drwxr-xr-x`, with setuid/setgid/sticky as ls shows them. */
export function modeString(type: EntryType, mode: number): string {
  const bits = ['r', 'w', 'x', 'r', 'w', 'x', 'r', 'w', 'x'].map((char, index) =>
    (mode >> (8 - index)) & 1 ? char : '-',
  );
  const special = (index: number, flag: number, set: string, unset: string) => {
    if (mode & flag) bits[index] = bits[index] === 'x' ? set : unset;
  };
  special(2, 0o4000, 's', 'S');
  special(5, 0o2000, 's', 'S');
  special(8, 0o1000, 't', 'T');
  return `${TYPE_CHARS[type]}${bits.join('')}`;
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Layers are numbered as the UI numbers them: from 1, the base layer being layer 1. */
export function layersText(layers: LayerChange[]): string {
  const rows = layers.map((layer) => [
    String(layerNumber(layer.layer)),
    shortDigest(layer.digest),
    formatBytes(layer.compressedSize),
    formatBytes(layer.sizeBytes),
    String(layer.entryCount),
    `+${layer.added} ~${layer.modified} -${layer.removed}`,
    (layer.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 100),
  ]);
  return table(['#', 'DIGEST', 'SIZE', 'CONTENT', 'ENTRIES', 'CHANGES', 'CREATED BY'], rows);
}

function entryLine(entry: MergedEntry): string {
  const owner = `${entry.uid}:${entry.gid}`;
  const size =
    entry.type === 'char' || entry.type === 'block'
      ? `${entry.devMajor ?? 0},${entry.devMinor ?? 0}`
      : String(entry.size);
  const target =
    entry.linkTarget !== undefined ? ` ${entry.type === 'hardlink' ? '=>' : '->'} ${entry.linkTarget}` : '';
  return `${modeString(entry.type, entry.mode)}  ${owner.padEnd(11)} ${size.padStart(10)}  L${String(layerNumber(entry.layer)).padEnd(3)} ${entry.path}${target}`;
}

export function diffText(diff: ImageDiff): string {
  const lines: string[] = [];
  const { layers } = diff;
  lines.push(
    `Layers: ${layers.shared.length} shared (common base ${layers.commonBase}), ${layers.onlyA.length} only in A, ${layers.onlyB.length} only in B`,
  );
  for (const layer of layers.onlyA)
    lines.push(
      `  - A#${layerNumber(layer.indexA!)} ${shortDigest(layer.digest)} ${formatBytes(layer.size)} ${(layer.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 80)}`,
    );
  for (const layer of layers.onlyB)
    lines.push(
      `  + B#${layerNumber(layer.indexB!)} ${shortDigest(layer.digest)} ${formatBytes(layer.size)} ${(layer.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 80)}`,
    );
  if (diff.config.length > 0) {
    lines.push('Config:');
    for (const change of diff.config)
      lines.push(
        `  ${change.field}${change.key !== undefined ? ` ${change.key}` : ''}: ${JSON.stringify(change.a)} -> ${JSON.stringify(change.b)}`,
      );
  }
  if (diff.history.firstDifference >= 0)
    lines.push(
      `History: differs from step ${layerNumber(diff.history.firstDifference)} (${diff.history.a.length} steps in A, ${diff.history.b.length} in B)`,
    );
  const { added, removed, modified } = diff.files;
  lines.push(
    `Files: ${added.length} added, ${removed.length} removed, ${modified.length} modified; size ${signed(diff.directoryDeltas['/'] ?? 0)}`,
  );
  const changes = [
    ...added.map((file) => ({ path: file.path, line: `A ${file.path}  ${formatBytes(file.size)}` })),
    ...removed.map((file) => ({ path: file.path, line: `D ${file.path}  ${formatBytes(file.size)}` })),
    ...modified.map((file) => ({
      path: file.path,
      line: `M ${file.path}  ${formatBytes(file.sizeA)} -> ${formatBytes(file.sizeB)}  (${file.changes.join(', ')})`,
    })),
  ].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  for (const change of changes) lines.push(`  ${change.line}`);
  for (const warning of diff.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

function signed(bytes: number): string {
  return `${bytes >= 0 ? '+' : '-'}${formatBytes(Math.abs(bytes))}`;
}

export const layersCommands: CliCommand[] = [
  {
    path: ['layers'],
    usage: 'berth layers REF [--platform OS/ARCH] [--json]',
    summary: `List an image's layers, numbered from 1 (the base layer) as in the UI (--json keeps the API's zero-based \`layer\` index): size, content, what each adds, changes and removes, and the wasted space (${SOURCES})`,
    options: { json: JSON_OPTION, platform },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const reference = ctx.args[0]!;
      const layers = await withProgress(ctx, (operationId) =>
        ctx.call('layers.list', { reference, operationId, ...platformFlag(ctx) }),
      );
      if (ctx.flags.json) {
        write(ctx, JSON.stringify(layers, null, 2));
        return;
      }
      write(ctx, layersText(layers));
      const efficiency = await ctx.call('images.efficiency', { reference, limit: 5, ...platformFlag(ctx) });
      write(
        ctx,
        `\nEfficiency: ${(efficiency.score * 100).toFixed(1)}%   wasted: ${formatBytes(efficiency.wastedBytes)} of ${formatBytes(efficiency.totalBytes)}`,
      );
      for (const path of efficiency.wasted)
        write(ctx, `  ${formatBytes(path.bytes).padStart(10)}  ${path.path}  (${path.occurrences} versions)`);
    },
  },
  {
    path: ['ls'],
    usage: 'berth ls REF [PATH] [--recursive] [--layer N] [--platform OS/ARCH] [--json]',
    summary: `List the image's merged filesystem at PATH (default /), each entry with the layer it comes from (${SOURCES})`,
    options: {
      json: JSON_OPTION,
      platform,
      recursive: { type: 'boolean', short: 'R', description: 'list everything below PATH' },
      layer: {
        type: 'string',
        description:
          'the filesystem as it is after layer N, counted from 1 (the base layer) as `berth layers` lists them',
      },
    },
    minArgs: 1,
    maxArgs: 2,
    async run(ctx) {
      const [reference, path = '/'] = ctx.args as [string, string?];
      let upToLayer: number | undefined;
      if (ctx.flags.layer !== undefined) {
        // Layer N as people count it (1 = the base layer); the API's upToLayer is its zero-based index.
        const number = Number(ctx.flags.layer);
        if (!Number.isInteger(number) || number < 1)
          throw new UsageError(
            `--layer must be a layer number counted from 1 (the base layer), got ${String(ctx.flags.layer)}`,
          );
        upToLayer = number - 1;
      }
      const input: RequestInput<'images.ls'> = {
        reference,
        path,
        recursive: ctx.flags.recursive === true,
        ...(upToLayer !== undefined ? { upToLayer } : {}),
        ...platformFlag(ctx),
      };
      const entries = await withProgress(ctx, (operationId) => ctx.call('images.ls', { ...input, operationId }));
      if (ctx.flags.json) {
        write(ctx, JSON.stringify(entries, null, 2));
        return;
      }
      for (const entry of entries) write(ctx, entryLine(entry));
    },
  },
  {
    path: ['cat'],
    usage: 'berth cat REF PATH [--platform OS/ARCH]',
    summary: `Print a file of the image (symlinks followed inside the image), verified against its indexed hash (${SOURCES})`,
    options: { platform },
    minArgs: 2,
    maxArgs: 2,
    async run(ctx) {
      const [reference, path] = ctx.args as [string, string];
      // The whole file, streamed: the API's readFile is for previews and caps what it returns.
      await ctx.services.layers.streamFile(reference, path, ctx.stdout, { signal: ctx.signal, ...platformFlag(ctx) });
    },
  },
  {
    path: ['diff'],
    usage: 'berth diff REF_A REF_B [--packages] [--platform OS/ARCH] [--json]',
    summary: `Compare two images from any sources: layers, config, history and the files of their merged filesystems; with --packages also the installed packages added, removed, upgraded and downgraded (${SOURCES})`,
    options: {
      json: JSON_OPTION,
      platform,
      packages: { type: 'boolean', description: 'also compare the installed packages (dpkg, apk, npm, Python...)' },
    },
    minArgs: 2,
    maxArgs: 2,
    async run(ctx) {
      const [a, b] = ctx.args as [string, string];
      const diff = await withProgress(ctx, (operationId) =>
        ctx.call('images.diff', { a, b, operationId, ...platformFlag(ctx) }),
      );
      // Packages (PKG): the same two images' package diff, read after the layers are indexed above.
      const packages = ctx.flags.packages
        ? await withProgress(ctx, (operationId) =>
            ctx.call('packages.diff', { a, b, operationId, ...platformFlag(ctx) }),
          )
        : undefined;
      if (ctx.flags.json) write(ctx, JSON.stringify(packages ? { ...diff, packages } : diff, null, 2));
      else write(ctx, packages ? `${diffText(diff)}\n${packageDiffText(packages)}` : diffText(diff));
    },
  },
];
