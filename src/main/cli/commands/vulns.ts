import type { AttachedReports, SeverityCounts, VulnerabilityScan } from '../../../shared/types/vulns';
import { JSON_OPTION, type CliCommand, type CliContext } from '../command';
import { table } from '../progress';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;

export function countsText(counts: SeverityCounts): string {
  const parts = SEVERITIES.filter((severity) => counts[severity] > 0).map(
    (severity) => `${counts[severity]} ${severity}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function scanText(scan: VulnerabilityScan): string {
  const { database } = scan;
  const lines = [
    `${scan.reference} (${scan.digest})`,
    `  database  ${database.path}: ${database.records} records, dated ${database.date ?? 'unknown'} (${database.ecosystems.join(', ')})`,
    `  os        ${scan.os ? `${scan.os.id} ${scan.os.versionId}` : 'not found (/etc/os-release): distribution packages not matched'}`,
    `  packages  ${scan.packagesScanned} scanned; vulnerabilities: ${countsText(scan.counts)}`,
  ];
  if (scan.vulnerabilities.length > 0) {
    lines.push(
      '',
      table(
        ['ID', 'PACKAGE', 'VERSION', 'FIXED', 'SEVERITY'],
        scan.vulnerabilities.map((match) => [
          match.id,
          match.source ? `${match.package} (${match.source})` : match.package,
          match.version,
          match.fixed ?? '-',
          match.score !== undefined ? `${match.severity} ${match.score.toFixed(1)}` : match.severity,
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

function attachedText(attached: AttachedReports): string {
  const lines = [`${attached.reference} (${attached.digest}): ${attached.reports.length} attached report(s)`];
  for (const report of attached.reports)
    lines.push(
      `  ${report.format} ${report.source.slice(0, 30)} ${report.verified ? 'verified' : `UNVERIFIED (${report.reason ?? 'not verified'})`}: ${countsText(report.counts)}`,
    );
  for (const problem of attached.problems) lines.push(`  problem: ${problem}`);
  return `${lines.join('\n')}\n`;
}

function write(ctx: CliContext, value: unknown, text: string): void {
  ctx.stdout.write(ctx.flags.json === true ? `${JSON.stringify(value, null, 2)}\n` : text);
}

export const vulnsCommands: CliCommand[] = [
  {
    path: ['vulns'],
    usage: 'berth vulns REF [--db DIR] [--attached] [--json]',
    summary:
      "Match an image's packages against an OSV database (a folder or zip of OSV records; the imported one when --db is not given), offline; --attached lists the scan reports attached to the image instead",
    options: {
      db: { type: 'string', description: 'folder or zip of OSV JSON records' },
      attached: { type: 'boolean', description: 'show attached reports (cosign vuln attestations, Trivy, SARIF, VEX)' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const [reference] = ctx.args as [string];
      if (ctx.flags.attached === true) {
        const attached = await ctx.call('vulns.attached', { reference });
        write(ctx, attached, attachedText(attached));
        return;
      }
      const scan = await ctx.call('vulns.scan', {
        reference,
        ...(typeof ctx.flags.db === 'string' ? { db: ctx.flags.db } : {}),
      });
      const json = {
        reference: scan.reference,
        digest: scan.digest,
        database: scan.database,
        ...(scan.os ? { os: scan.os } : {}),
        counts: scan.counts,
        vulnerabilities: scan.vulnerabilities.map((match) => ({ ...match, fixed: match.fixed ?? null })),
      };
      write(ctx, json, scanText(scan));
    },
  },
  {
    path: ['vulns', 'import'],
    usage: 'berth vulns import PATH [--json]',
    summary: 'Import an OSV database (a folder or zip of OSV records) as the one scans and gates use by default',
    options: { json: JSON_OPTION },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const info = await ctx.call('vulns.importDatabase', { path: ctx.args[0]! });
      write(
        ctx,
        info,
        `Imported ${info.path}: ${info.records} records, dated ${info.date ?? 'unknown'} (${info.ecosystems.join(', ')})\n`,
      );
    },
  },
];
