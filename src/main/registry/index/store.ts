/**
 * The registry index's storage: ordered string keys to string values, read by prefix without loading the
 * rest. On disk it is LevelDB (classic-level: N-API prebuilds inside its npm package, so the same binary
 * runs in Node and Electron with nothing downloaded at install). LevelDB admits one process per folder: a
 * second Berth process (the CLI while the app runs) gets an index in memory for its lifetime instead of
 * failing, and a damaged folder is a disposable cache, so it is recreated.
 */
import { rm } from 'node:fs/promises';
import type { ClassicLevel } from 'classic-level';
import { firstErrorLine } from '../../util/error-text';

export type StoreOperation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export interface IndexStore {
  /** True when the data outlives the process (false for the in-memory fallback). */
  readonly persistent: boolean;
  get(key: string): Promise<string | undefined>;
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  batch(operations: readonly StoreOperation[]): Promise<void>;
  /** Entries whose key starts with `prefix`, in key order, streamed. */
  entries(prefix: string): AsyncIterable<[string, string]>;
  keys(prefix: string): AsyncIterable<string>;
  close(): Promise<void>;
}

/** The first key after every key that starts with `prefix` (keys are compared by UTF-16 code unit). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

class LevelStore implements IndexStore {
  readonly persistent = true;
  constructor(private readonly db: ClassicLevel<string, string>) {}

  get(key: string): Promise<string | undefined> {
    return this.db.get(key);
  }
  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return this.db.getMany([...keys]);
  }
  async batch(operations: readonly StoreOperation[]): Promise<void> {
    if (operations.length > 0) await this.db.batch([...operations]);
  }
  async *entries(prefix: string): AsyncIterable<[string, string]> {
    for await (const entry of this.db.iterator({ gte: prefix, lt: prefixEnd(prefix) })) yield entry;
  }
  async *keys(prefix: string): AsyncIterable<string> {
    for await (const key of this.db.keys({ gte: prefix, lt: prefixEnd(prefix) })) yield key;
  }
  close(): Promise<void> {
    return this.db.close();
  }
}

/** The same interface in memory: the fallback, and fine for small data (a scan sorts the prefix's keys). */
export class MemoryStore implements IndexStore {
  readonly persistent = false;
  private readonly data = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }
  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.data.get(key));
  }
  async batch(operations: readonly StoreOperation[]): Promise<void> {
    for (const operation of operations) {
      if (operation.type === 'put') this.data.set(operation.key, operation.value);
      else this.data.delete(operation.key);
    }
  }
  async *entries(prefix: string): AsyncIterable<[string, string]> {
    const keys = [...this.data.keys()].filter((key) => key.startsWith(prefix)).sort();
    for (const key of keys) {
      const value = this.data.get(key);
      if (value !== undefined) yield [key, value];
    }
  }
  async *keys(prefix: string): AsyncIterable<string> {
    for await (const [key] of this.entries(prefix)) yield key;
  }
  async close(): Promise<void> {}
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Opens the index folder. `onFallback` hears why the index is kept in memory instead (another process
 * holds the folder, or LevelDB cannot be loaded here).
 */
export async function openIndexStore(dir: string, onFallback?: (reason: string) => void): Promise<IndexStore> {
  let Level: typeof ClassicLevel;
  try {
    // Loaded here, not at module load: a CLI command that never opens the index loads no native code, and
    // a binding that cannot load (wrong platform, Node run with --no-addons) costs the index, not the process.
    ({ ClassicLevel: Level } = await import('classic-level'));
  } catch (error) {
    onFallback?.(`LevelDB cannot be loaded here (${firstErrorLine(error)}); the registry index is kept in memory`);
    return new MemoryStore();
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      await db.open();
      return new LevelStore(db);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'LEVEL_LOCKED') {
        onFallback?.('another Berth process is using the registry index; this one keeps its index in memory');
        return new MemoryStore();
      }
      if (attempt === 0 && code === 'LEVEL_CORRUPTION') {
        // A cache: start again from an empty folder rather than refuse to run.
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        continue;
      }
      onFallback?.(`the registry index could not be opened (${(error as Error).message}); it is kept in memory`);
      return new MemoryStore();
    }
  }
  return new MemoryStore();
}
