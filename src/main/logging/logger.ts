import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  at: string;
  level: LogLevel;
  scope: string;
  message: string;
}

export interface Logger {
  log(level: LogLevel, scope: string, message: string): void;
  /** The last errors and warnings, newest last (for "Copy diagnostics"). */
  recentProblems(): LogRecord[];
  readonly file: string;
}

export interface LoggerOptions {
  dir: string;
  /** Rotate when the file passes this size (default 5 MiB). */
  maxBytes?: number;
  /** How many rotated files to keep: berth.log.1 ... berth.log.N (default 3). */
  keep?: number;
  /** Also echo to this stream (e.g. stderr with --debug). */
  echo?: NodeJS.WritableStream;
}

const RECENT_LIMIT = 50;

/**
 * A small rotating log file in the app's log folder. Writes are synchronous appends of one JSON line:
 * the log must survive a crash right after the line, and volume is low (operations, not requests).
 */
export function createLogger(options: LoggerOptions): Logger {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const keep = options.keep ?? 3;
  const file = join(options.dir, 'berth.log');
  const recent: LogRecord[] = [];
  mkdirSync(options.dir, { recursive: true });

  function rotateIfNeeded(): void {
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    if (size < maxBytes) return;
    rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (statSync(`${file}.${i}`, { throwIfNoEntry: false })) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    }
    renameSync(file, `${file}.1`);
  }

  return {
    file,
    log(level, scope, message) {
      const record: LogRecord = { at: new Date().toISOString(), level, scope, message: redact(message) };
      const line = `${JSON.stringify(record)}\n`;
      try {
        rotateIfNeeded();
        appendFileSync(file, line, { mode: 0o600 });
      } catch {
        // A full disk or a read-only folder must not take the app down with it.
      }
      options.echo?.write(line);
      if (level === 'error' || level === 'warn') {
        recent.push(record);
        if (recent.length > RECENT_LIMIT) recent.shift();
      }
    },
    recentProblems: () => [...recent],
  };
}
