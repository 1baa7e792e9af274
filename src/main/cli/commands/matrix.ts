/** `berth matrix`: the drift matrix on the command line (output formatting only; the work is `matrix.build`). */
import type { DriftMatrix, MatrixCell, MatrixCellState } from '../../../shared/types/matrix';
import { parsePlace, type MatrixPlace } from '../../../shared/matrix-places';
import { UsageError, type CliCommand, type CliContext } from '../command';

const STATE_TEXT: Record<MatrixCellState, string> = {
  same: 'same',
  different: 'DIFFERENT',
  missing: 'MISSING',
  not_visible: 'not visible',
  unknown: 'unknown',
};

/** `--in HOST[/NAMESPACE]`; a malformed place is a usage error (exit 2). */
function parseColumn(text: string): MatrixPlace {
  try {
    return parsePlace(text);
  } catch (error) {
    throw new UsageError(`--in: ${(error as Error).message}`);
  }
}

function cellText(cell: MatrixCell, isReference: boolean): string {
  const digest = cell.digest ? cell.digest.replace(/^sha256:/, '').slice(0, 12) : '';
  if (isReference) return `${digest} (reference)`;
  return digest ? `${digest} ${STATE_TEXT[cell.state]}` : STATE_TEXT[cell.state];
}

/** A plain table: `repository:tag` then one column per place, padded to the widest cell. */
export function matrixText(matrix: DriftMatrix): string {
  if (matrix.rows.length === 0)
    return `No tags to show (${matrix.repositories} ${matrix.repositories === 1 ? 'repository' : 'repositories'} matched).\n`;
  const table = [
    ['REPOSITORY:TAG', ...matrix.columns.map((column) => column.name)],
    ...matrix.rows.map((row) => [
      `${row.repository}:${row.tag}`,
      ...row.cells.map((cell, position) => cellText(cell, position === row.reference)),
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  const drifted = matrix.rows.filter((row) => row.drift).length;
  return `${table
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n${drifted} of ${matrix.rows.length} tags drift.\n`;
}

async function run(ctx: CliContext): Promise<number> {
  const places = (ctx.flags.in as string[] | undefined) ?? [];
  const lane = ctx.flags.lane as string | undefined;
  if (lane === undefined && places.length < 2)
    throw new UsageError(
      'Name at least two places to compare: --in HOST[/NAMESPACE] --in HOST[/NAMESPACE] (or --lane NAME).',
    );
  if (lane !== undefined && places.length > 0) throw new UsageError('Give either --in places or --lane, not both.');
  const reference = ctx.flags.reference === undefined ? 1 : Number(ctx.flags.reference);
  if (!Number.isInteger(reference) || reference < 1)
    throw new UsageError(`--reference wants a column number from 1 (got ${String(ctx.flags.reference)})`);
  const json = ctx.flags.json === true;
  // Progress goes to stderr, and only on a terminal, so JSON and piped tables stay clean.
  const showProgress = ctx.isTTY && !json;
  const stop = ctx.onProgress((progress) => {
    if (showProgress && !progress.done) ctx.stderr.write(`\r\x1b[2K${progress.status}`);
  });
  let matrix: DriftMatrix;
  try {
    matrix = await ctx.call('matrix.build', {
      repositories: ctx.args[0]!,
      ...(lane !== undefined ? { lane } : { columns: places.map(parseColumn) }),
      ...(typeof ctx.flags.tags === 'string' ? { tags: ctx.flags.tags } : {}),
      driftOnly: ctx.flags['drift-only'] === true,
      reference: reference - 1,
    });
  } finally {
    stop();
    if (showProgress) ctx.stderr.write('\r\x1b[2K');
  }
  if (json) {
    const { columns, rows, repositories } = matrix;
    ctx.stdout.write(
      `${JSON.stringify({ columns, rows: rows.map(({ repository, tag, reference: ref, drift, cells }) => ({ repository, tag, cells, reference: ref, drift })), repositories }, null, 2)}\n`,
    );
  } else ctx.stdout.write(matrixText(matrix));
  // A place that could not be read at all is a failure, named; drift itself is the answer, not a failure.
  const failed = matrix.columns.filter((column) => column.error);
  for (const column of failed) ctx.stderr.write(`berth: ${column.name}: ${column.error}\n`);
  return failed.length > 0 ? 1 : 0;
}

export const matrixCommands: CliCommand[] = [
  {
    path: ['matrix'],
    usage:
      'berth matrix REPOSITORY_PATTERN --in HOST[/NAMESPACE] --in HOST[/NAMESPACE] ... [--lane NAME] ' +
      '[--tags PATTERN] [--reference N] [--drift-only] [--json]',
    summary:
      'Show where the same repositories drift apart across registries, namespaces or lane stages: per tag, ' +
      'its digest in each place, same as the reference column, different, missing or not visible',
    options: {
      in: { type: 'string', multiple: true, description: 'a place to compare: HOST or HOST/NAMESPACE (repeat)' },
      lane: { type: 'string', description: "compare a promotion lane's stages instead of --in places" },
      tags: { type: 'string', description: 'only tags matching this glob, e.g. prod-*' },
      reference: { type: 'string', description: 'the column the others are compared with (default 1)' },
      'drift-only': { type: 'boolean', description: 'only tags that differ or are missing somewhere' },
      json: { type: 'boolean', description: 'print {"columns","rows":[{"repository","tag","cells"}]} as JSON' },
    },
    minArgs: 1,
    maxArgs: 1,
    run,
  },
];
