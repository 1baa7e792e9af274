/**
 * The promotion audit log: one JSON object per line in `audit.jsonl` in the app's data folder, appended and
 * never rewritten. Each line goes out in a single O_APPEND write, so concurrent writers (the desktop app and
 * `berth` at once) never interleave inside a line; a crash can at worst leave a torn last line, which
 * reading skips and the next append starts a fresh line after.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { BerthError } from '../../shared/errors';
import type { AuditEntry } from '../../shared/types/promotion';

export const AUDIT_FILE_NAME = 'audit.jsonl';

/** A line longer than this is not an entry Berth wrote; it is skipped unread. */
const MAX_LINE_LENGTH = 64 * 1024;

export interface AuditQuery {
  limit: number;
  /** Case-insensitive text looked for in user, source, target, digest, outcome and message. */
  query?: string;
}

export interface AuditLog {
  readonly file: string;
  /** Throws unless the log can be appended to (checked before a promotion writes anything). */
  check(): Promise<void>;
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  read(query: AuditQuery): Promise<AuditEntry[]>;
}

export function createAuditLog(dataDir: string): AuditLog {
  const file = join(dataDir, AUDIT_FILE_NAME);
  // Appends from this process go one after another, so the torn-line check below sees the file settled.
  let queue: Promise<void> = Promise.resolve();

  async function appendNow(entry: AuditEntry): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(file, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      let separator = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        // A previous writer died mid-line: start on a new line so this entry stays readable.
        if (last[0] !== 0x0a) separator = '\n';
      }
      await handle.write(`${separator}${JSON.stringify(entry)}\n`);
    } finally {
      await handle.close();
    }
  }

  function unwritable(error: NodeJS.ErrnoException): BerthError {
    return new BerthError(
      'internal',
      `Could not write the promotion audit log ${file}: ${error.code ?? error.message}`,
      undefined,
      { cause: error },
    );
  }

  return {
    file,
    async check() {
      try {
        await mkdir(dirname(file), { recursive: true });
        await (await open(file, 'a', 0o600)).close();
      } catch (error) {
        throw unwritable(error as NodeJS.ErrnoException);
      }
    },
    append(entry) {
      const next = queue.then(() => appendNow(entry));
      queue = next.catch(() => undefined);
      return next.catch((error: NodeJS.ErrnoException) => {
        throw unwritable(error);
      });
    },
    async read({ limit, query }) {
      const needle = query?.trim().toLowerCase();
      // A ring of the newest matches: memory stays bounded by `limit` however long the log grows.
      const newest: AuditEntry[] = [];
      const stream = createReadStream(file, { encoding: 'utf8' });
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          const entry = parseLine(line);
          if (!entry || (needle && !matches(entry, needle))) continue;
          newest.push(entry);
          if (newest.length > limit) newest.shift();
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw new BerthError(
          'internal',
          `Could not read the promotion audit log ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      } finally {
        lines.close();
        stream.destroy();
      }
      return newest.reverse();
    },
  };
}

function parseLine(line: string): AuditEntry | undefined {
  if (line.length === 0 || line.length > MAX_LINE_LENGTH) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    if (!isAuditEntry(value)) return undefined;
    return value;
  } catch {
    // A torn line (a crash mid-write) or a hand edit: skipped, the rest of the log stays readable.
    return undefined;
  }
}

function isAuditEntry(value: unknown): value is AuditEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.at === 'string' &&
    typeof entry.user === 'string' &&
    typeof entry.source === 'string' &&
    typeof entry.target === 'string' &&
    typeof entry.outcome === 'string'
  );
}

function matches(entry: AuditEntry, needle: string): boolean {
  return [
    entry.user,
    entry.registryUser,
    entry.source,
    entry.target,
    entry.digest,
    entry.outcome,
    entry.message,
    entry.override?.reason,
  ].some((field) => field?.toLowerCase().includes(needle));
}
