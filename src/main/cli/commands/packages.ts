import { SBOM_FORMATS, type PackageDiff, type PackageInventory, type SbomFormat } from '../../../shared/types/packages';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';
import { table, withProgress } from '../progress';

const SBOM_CHOICES = ['table', ...SBOM_FORMATS] as const;

function write(ctx: CliContext, text: string): void {
  ctx.stdout.write(`${text}\n`);
}

function platformFlag(ctx: CliContext): { platform?: string } {
  const value = ctx.flags.platform;
  return typeof value === 'string' ? { platform: value } : {};
}

/** The JSON the issue fixes (`{"digest","packages":[{"name","version","type","purl","layer"}]}`), with more fields. */
export function sbomJson(inventory: PackageInventory): unknown {
  return {
    digest: inventory.digest,
    ...(inventory.os ? { os: inventory.os } : {}),
    packages: inventory.packages,
    warnings: inventory.warnings,
  };
}

export function inventoryText(inventory: PackageInventory): string {
  const rows = inventory.packages.map((item) => [
    item.type,
    item.name,
    item.version,
    String(item.layerIndex + 1),
    item.license ?? '',
  ]);
  const lines = [
    `${inventory.digest}: ${inventory.packages.length} packages${inventory.os ? ` (${inventory.os.id} ${inventory.os.versionId ?? ''})`.trimEnd() : ''}`,
  ];
  if (rows.length > 0) lines.push(table(['TYPE', 'NAME', 'VERSION', 'LAYER', 'LICENSE'], rows));
  for (const warning of inventory.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}

export function packageDiffText(diff: PackageDiff): string {
  const lines = [
    `Packages: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.filter((c) => c.direction === 'upgraded').length} upgraded, ${diff.changed.filter((c) => c.direction === 'downgraded').length} downgraded`,
  ];
  const rows = [
    ...diff.added.map((item) => ({
      key: `${item.type} ${item.name}`,
      line: `+ ${item.type} ${item.name} ${item.version}`,
    })),
    ...diff.removed.map((item) => ({
      key: `${item.type} ${item.name}`,
      line: `- ${item.type} ${item.name} ${item.version}`,
    })),
    ...diff.changed.map((item) => ({
      key: `${item.type} ${item.name}`,
      line: `${item.direction === 'upgraded' ? '↑' : '↓'} ${item.type} ${item.name} ${item.from} -> ${item.to}`,
    })),
  ].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  for (const row of rows) lines.push(`  ${row.line}`);
  return lines.join('\n');
}

export const packagesCommands: CliCommand[] = [
  {
    path: ['sbom'],
    usage: 'berth sbom REF [--format table|cyclonedx|spdx] [--platform OS/ARCH] [--json]',
    summary:
      'List the packages installed in an image (dpkg, apk, npm, Python), read from its layers without pulling, each with the layer that added it; or print them as a CycloneDX 1.6 or SPDX 2.3 JSON document',
    options: {
      format: { type: 'string', description: 'table (default), cyclonedx or spdx' },
      json: JSON_OPTION,
      platform: { type: 'string', description: 'os/arch[/variant] of a multi-platform image' },
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const reference = ctx.args[0]!;
      const format = (ctx.flags.format ?? 'table') as string;
      if (!(SBOM_CHOICES as readonly string[]).includes(format))
        throw new UsageError(`--format must be one of ${SBOM_CHOICES.join(', ')}, got ${JSON.stringify(format)}`);
      if (format !== 'table') {
        const { document } = await withProgress(ctx, (operationId) =>
          ctx.call('packages.sbom', { reference, format: format as SbomFormat, operationId, ...platformFlag(ctx) }),
        );
        write(ctx, JSON.stringify(document, null, 2));
        return;
      }
      const inventory = await withProgress(ctx, (operationId) =>
        ctx.call('packages.inventory', { reference, operationId, ...platformFlag(ctx) }),
      );
      write(ctx, ctx.flags.json ? JSON.stringify(sbomJson(inventory), null, 2) : inventoryText(inventory));
    },
  },
];
