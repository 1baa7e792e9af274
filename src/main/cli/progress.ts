import { randomUUID } from 'node:crypto';
import type { ItemProgress, OperationProgress } from '../../shared/types/operations';
import type { CliContext } from './command';

/** Shows `operation.progress` events on a terminal (redrawn bars) or as plain lines (logs, pipes, CI). */
export interface ProgressView {
  update(progress: OperationProgress): void;
  /** Draws the last state once more (a terminal) and stops; call before printing the result. */
  finish(): void;
}

export interface ProgressViewOptions {
  stream: NodeJS.WritableStream & { columns?: number };
  isTTY: boolean;
  /** Plain mode: the shortest time between two byte-count lines of the same item. */
  plainIntervalMs?: number;
  /** Terminal mode: items shown at most; the rest are summed up in one line. */
  maxRows?: number;
  /** What the overall current/total count: bytes (default) or things (tags, repositories). */
  unit?: 'bytes' | 'count';
  now?: () => number;
}

const BAR_WIDTH = 24;
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units, as Docker prints them: 12.3 MB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} ${UNITS[0]}` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Docker's bar: `[=====>      ]`. */
function bar(current: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH)) : 0;
  if (filled >= BAR_WIDTH) return `[${'='.repeat(BAR_WIDTH)}]`;
  return `[${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}]`;
}

function amounts(current: number, total: number, unit: ProgressViewOptions['unit'] = 'bytes'): string {
  if (total <= 0) return '';
  return unit === 'count'
    ? `${current.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`
    : `${formatBytes(current)}/${formatBytes(total)}`;
}

/** Per-item statuses whose bytes are worth a bar. */
function isTransferring(item: ItemProgress): boolean {
  return item.total > 0 && item.current < item.total;
}

export function createProgressView(options: ProgressViewOptions): ProgressView {
  return options.isTTY ? terminalView(options) : plainView(options);
}

/** One line per item plus a total, redrawn in place with ANSI cursor movement. */
function terminalView(options: ProgressViewOptions): ProgressView {
  const { stream } = options;
  const maxRows = options.maxRows ?? 20;
  let drawn = 0;
  let last: OperationProgress | undefined;

  function lines(progress: OperationProgress): string[] {
    const items = progress.items ?? [];
    const idWidth = Math.max(0, ...items.map((item) => item.id.length));
    // The most interesting rows when there are too many: transfers first, then the rest in order.
    const shown =
      items.length > maxRows
        ? [...items.filter(isTransferring), ...items.filter((i) => !isTransferring(i))].slice(0, maxRows - 1)
        : items;
    const rows = shown.map((item) =>
      [
        item.id.padEnd(idWidth),
        item.status.padEnd(18),
        isTransferring(item) ? `${bar(item.current, item.total)} ${amounts(item.current, item.total)}` : '',
      ]
        .join(' ')
        .trimEnd(),
    );
    if (shown.length < items.length) rows.push(`… and ${items.length - shown.length} more`);
    const percent = progress.total > 0 ? ` ${Math.floor((progress.current / progress.total) * 100)}%` : '';
    rows.push(
      `${progress.status}${progress.total > 0 ? `  ${bar(progress.current, progress.total)}${percent} ${amounts(progress.current, progress.total, options.unit)}` : ''}`,
    );
    return rows;
  }

  function draw(progress: OperationProgress): void {
    // A line longer than the terminal wraps and breaks the cursor arithmetic: cut it to the width.
    // A pseudo-terminal of unknown size reports 0 columns.
    const width = Math.max(20, (stream.columns || 80) - 1);
    const text = lines(progress).map((line) => `\x1b[2K${line.length > width ? line.slice(0, width) : line}\n`);
    stream.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${text.join('')}`);
    // Fewer lines than last time: clear what is left below.
    if (text.length < drawn) stream.write(`\x1b[J`);
    drawn = text.length;
  }

  return {
    update(progress) {
      last = progress;
      draw(progress);
    },
    finish() {
      if (last) draw(last);
    },
  };
}

/** Lines a log can keep: a status change at once, byte counts of one item at most every `plainIntervalMs`. */
function plainView(options: ProgressViewOptions): ProgressView {
  const { stream } = options;
  const interval = options.plainIntervalMs ?? 2_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, { status: string; printedAt: number }>();

  return {
    update(progress) {
      for (const item of progress.items ?? []) {
        const before = seen.get(item.id);
        const statusChanged = before?.status !== item.status;
        const due = before !== undefined && now() - before.printedAt >= interval && isTransferring(item);
        if (!statusChanged && !due) continue;
        const bytes = isTransferring(item) ? ` ${amounts(item.current, item.total)}` : '';
        stream.write(`${item.id} ${item.status}${bytes}\n`);
        seen.set(item.id, { status: item.status, printedAt: now() });
      }
    },
    finish() {},
  };
}

/**
 * Runs a request with its progress on stderr when a person watches (stdout is a terminal and no JSON is
 * asked for), so piped output stays clean.
 */
export async function withProgress<T>(
  ctx: CliContext,
  run: (operationId: string) => Promise<T>,
  unit?: ProgressViewOptions['unit'],
): Promise<T> {
  const operationId = randomUUID();
  if (!ctx.isTTY || ctx.flags.json === true) return run(operationId);
  const view = createProgressView({ stream: ctx.stderr, isTTY: true, ...(unit ? { unit } : {}) });
  let shown = false;
  const stop = ctx.onProgress((progress) => {
    if (progress.operationId !== operationId || progress.done) return;
    shown = true;
    view.update({ ...progress, items: progress.items?.map((item) => ({ ...item, id: item.id.slice(0, 19) })) });
  });
  try {
    return await run(operationId);
  } finally {
    stop();
    if (shown) view.finish();
  }
}

/** A table with columns padded to their widest cell; the last column is never padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
