import { BerthError } from '../../../shared/errors';
import { parseScope } from '../../../shared/lineage-scope';
import { parseReference } from '../../../shared/reference';
import type { DependentsResult, ImageLineage, PlatformLineage, StaleResult } from '../../../shared/types/lineage';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';
import { table, withProgress } from '../progress';

const SCOPE_OPTION = {
  type: 'string',
  multiple: true,
  description: 'where to look for bases and dependents: HOST or HOST/NAMESPACE (repeatable)',
} as const;

/** The `--scope` values, checked before any request so a typo is a usage error (exit 2). */
function scopes(ctx: CliContext, required: boolean): string[] {
  const raw = ctx.flags['scope'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  if (required && list.length === 0) throw new UsageError('give at least one --scope HOST or HOST/NAMESPACE');
  for (const scope of list) {
    try {
      parseScope(scope);
    } catch (error) {
      throw new UsageError(error instanceof BerthError ? error.message : String(error));
    }
  }
  return list;
}

function checkReference(text: string): void {
  try {
    parseReference(text);
  } catch (error) {
    throw new UsageError(error instanceof BerthError ? error.message : String(error));
  }
}

const short = (digest: string) => digest.slice(0, 19);

function platformText(lineage: PlatformLineage, indent: string): string[] {
  const lines: string[] = [];
  const { base } = lineage;
  if (base) {
    lines.push(
      `${indent}Built on ${base.reference} (${base.sharedLayers} of ${base.totalLayers} layers)  ${short(base.digest)}`,
    );
    const others = base.heldBy.filter((held) => held.reference !== base.reference);
    if (others.length > 0)
      lines.push(
        `${indent}  also ${others.map((held) => `${held.reference}${held.current ? '' : ' (moved since)'}`).join(', ')}`,
      );
  } else lines.push(`${indent}No base found in the scope (${lineage.totalLayers} layers).`);
  if (lineage.sameLayersAs.length > 0) lines.push(`${indent}Same layers as ${lineage.sameLayersAs.join(', ')}`);
  if (lineage.chain.length > 1)
    lines.push(`${indent}Bases upward: ${lineage.chain.map((link) => link.reference).join(' <- ')}`);
  const { annotation } = lineage;
  if (annotation) {
    const agreement =
      lineage.annotationAgrees === true
        ? 'agrees with the layers'
        : lineage.annotationAgrees === false
          ? `does NOT agree with the layers: ${lineage.annotationNote ?? ''}`.trim()
          : (lineage.annotationNote ?? 'cannot be checked');
    lines.push(
      `${indent}Annotation (${annotation.source}): ${annotation.name ?? '?'}${annotation.digest ? `@${short(annotation.digest)}` : ''}, ${agreement}`,
    );
  }
  if (lineage.stale && lineage.baseNow)
    lines.push(
      `${indent}STALE: ${lineage.baseTag} now points at ${short(lineage.baseNow.digest)}${lineage.baseNow.created ? ` (created ${lineage.baseNow.created})` : ''}; rebuild`,
    );
  return lines;
}

export function baseText(lineage: ImageLineage): string {
  const lines = [`${lineage.reference}  ${short(lineage.digest)}`];
  if (lineage.platforms.length > 1)
    for (const platform of lineage.platforms)
      lines.push(`${platform.platform ?? '?'}:`, ...platformText(platform, '  '));
  else lines.push(...platformText(lineage, ''));
  return lines.join('\n');
}

export function dependentsText(result: DependentsResult): string {
  if (result.dependents.length === 0) return `Nothing in the scope is built on ${result.reference}.`;
  return table(
    ['IMAGE', 'PLATFORM', 'LAYERS', 'DIRECT'],
    result.dependents.map((dependent) => [
      dependent.reference,
      dependent.platform ?? '',
      `${dependent.sharedLayers} of ${dependent.totalLayers}`,
      dependent.direct ? 'yes' : 'no',
    ]),
  );
}

export function staleText(result: StaleResult): string {
  if (result.stale.length === 0) return 'No stale images: every base tag still points where the images were built.';
  return table(
    ['IMAGE', 'BASE TAG', 'OLD BASE', 'NEW BASE', 'BASE MOVED'],
    result.stale.map((row) => [
      `${row.reference}${row.platform ? ` (${row.platform})` : ''}`,
      row.base,
      short(row.oldBaseDigest),
      short(row.newBaseDigest),
      row.baseMoved ?? '',
    ]),
  );
}

/** Runs the request with progress on a terminal, then prints its JSON or its human form. */
async function show<T>(ctx: CliContext, call: (operationId: string) => Promise<T>, text: (result: T) => string) {
  const result = await withProgress(ctx, call);
  ctx.stdout.write(`${ctx.flags['json'] ? JSON.stringify(result) : text(result)}\n`);
}

export const lineageCommands: CliCommand[] = [
  {
    path: ['base'],
    usage: 'berth base REF [--scope HOST[/NAMESPACE]]... [--platform os/arch] [--json]',
    summary:
      "the image REF is built on (longest shared layer chain in the scopes; default REF's registry), its base " +
      'annotations and whether they agree, and whether the base tag has moved since (stale)',
    options: {
      scope: SCOPE_OPTION,
      platform: { type: 'string', description: 'the platform shown first for a multi-arch image' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const reference = ctx.args[0]!;
      checkReference(reference);
      const platform = typeof ctx.flags['platform'] === 'string' ? ctx.flags['platform'] : undefined;
      const list = scopes(ctx, false);
      await show(
        ctx,
        (operationId) =>
          ctx.call('lineage.base', { reference, scopes: list, ...(platform ? { platform } : {}), operationId }),
        baseText,
      );
    },
  },
  {
    path: ['dependents'],
    usage: 'berth dependents REF --scope HOST[/NAMESPACE]... [--json]',
    summary: 'the images in the scopes built on REF (their layer chains start with its chain)',
    options: { scope: SCOPE_OPTION, json: JSON_OPTION },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const reference = ctx.args[0]!;
      checkReference(reference);
      const list = scopes(ctx, true);
      await show(
        ctx,
        (operationId) => ctx.call('lineage.dependents', { reference, scopes: list, operationId }),
        dependentsText,
      );
    },
  },
  {
    path: ['stale'],
    usage: 'berth stale --scope HOST[/NAMESPACE]... [--json]',
    summary: 'images to rebuild: their base tag now points at another digest than the one they were built on',
    options: { scope: SCOPE_OPTION, json: JSON_OPTION },
    minArgs: 0,
    maxArgs: 0,
    async run(ctx) {
      const list = scopes(ctx, true);
      await show(ctx, (operationId) => ctx.call('lineage.stale', { scopes: list, operationId }), staleText);
    },
  },
];
