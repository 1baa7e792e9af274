/**
 * Layer indexes on disk, addressed by the layer's diffID (the sha256 of its uncompressed tar): the same
 * content gives the same index whatever the source or compression, and content never changes, so an entry
 * is never refreshed, only evicted. Writes go to a temp file renamed into place, so a crash or a cancelled
 * index never leaves half a file under a real name. Least recently used entries go first when the folder
 * grows past its cap; "use" is the file's mtime, touched on every read (atime is often disabled).
 *
 * Layout: <dir>/<algorithm>/<hex>.idx, <dir>/images/<algorithm>/<hex>.json (small image descriptions keyed
 * by an immutable id), <dir>/seek/<algorithm>/<hex>.gzx (gzip seek indexes by blob digest), <dir>/tmp/ for
 * writes in progress.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeIndex, encodeIndex } from './index-codec';
import type { LayerTable } from './layer-table';

export interface IndexCacheOptions {
  dir: string;
  /** Size cap of the folder; least recently used files are removed past it. */
  maxBytes: number;
}

/** Temp files older than this belong to a process that died mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** After eviction the folder is brought down to this share of the cap, so evictions are not continuous. */
const EVICT_TO = 0.9;

const DIGEST = /^([a-z0-9]+):([a-f0-9]{32,128})$/;

function digestParts(digest: string): { algorithm: string; hex: string } {
  const match = DIGEST.exec(digest);
  if (!match) throw new Error(`Not a cacheable digest: ${digest.slice(0, 80)}`);
  return { algorithm: match[1]!, hex: match[2]! };
}

interface CachedFile {
  path: string;
  size: number;
  usedAt: number;
}

export class IndexCache {
  readonly dir: string;
  private readonly maxBytes: number;
  private evicting?: Promise<void>;

  constructor(options: IndexCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
  }

  indexFile(diffId: string): string {
    const { algorithm, hex } = digestParts(diffId);
    return join(this.dir, algorithm, `${hex}.idx`);
  }

  private imageFile(id: string): string {
    const { algorithm, hex } = digestParts(id);
    return join(this.dir, 'images', algorithm, `${hex}.json`);
  }

  get tempDir(): string {
    return join(this.dir, 'tmp');
  }

  async get(diffId: string): Promise<LayerTable | undefined> {
    const file = this.indexFile(diffId);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    const table = decodeIndex(bytes);
    if (!table || table.meta.diffId !== diffId) {
      // Written by another version or damaged: drop it, it will be indexed again.
      await unlink(file).catch(() => undefined);
      return undefined;
    }
    await this.touch(file);
    return table;
  }

  async put(table: LayerTable): Promise<void> {
    await this.writeAtomically(this.indexFile(table.meta.diffId), encodeIndex(table));
    await this.evict();
  }

  /** A gzip layer's seek index (`seek-index.ts`) by blob digest: <dir>/seek/<algorithm>/<hex>.gzx. */
  seekFile(digest: string): string {
    const { algorithm, hex } = digestParts(digest);
    return join(this.dir, 'seek', algorithm, `${hex}.gzx`);
  }

  /** The seek index file's bytes, undefined when absent. */
  async getSeek(digest: string): Promise<Buffer | undefined> {
    const file = this.seekFile(digest);
    try {
      const bytes = await readFile(file);
      await this.touch(file);
      return bytes;
    } catch {
      return undefined;
    }
  }

  async putSeek(digest: string, bytes: Buffer): Promise<void> {
    await this.writeAtomically(this.seekFile(digest), [bytes]);
    await this.evict();
  }

  async getImage<T>(id: string): Promise<T | undefined> {
    const file = this.imageFile(id);
    try {
      const value = JSON.parse(await readFile(file, 'utf8')) as T;
      await this.touch(file);
      return value;
    } catch {
      return undefined;
    }
  }

  async putImage(id: string, value: unknown): Promise<void> {
    await this.writeAtomically(this.imageFile(id), [Buffer.from(JSON.stringify(value), 'utf8')]);
    await this.evict();
  }

  /** A fresh temp file path for large transient data (e.g. an engine export), removed by the caller. */
  async tempFile(suffix: string): Promise<string> {
    await mkdir(this.tempDir, { recursive: true });
    return join(this.tempDir, `${Date.now()}-${randomBytes(6).toString('hex')}${suffix}`);
  }

  /** Removes least recently used files until the folder is under its cap; also clears stale temp files. */
  evict(): Promise<void> {
    this.evicting ??= this.runEviction().finally(() => {
      this.evicting = undefined;
    });
    return this.evicting;
  }

  async usage(): Promise<{ bytes: number; files: number }> {
    const files = await this.listFiles();
    return { bytes: files.reduce((sum, file) => sum + file.size, 0), files: files.length };
  }

  private async touch(file: string): Promise<void> {
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
  }

  private async writeAtomically(target: string, parts: Buffer[]): Promise<void> {
    const temp = await this.tempFile('.part');
    try {
      const handle = await open(temp, 'wx');
      try {
        for (const part of parts) if (part.length > 0) await handle.write(part);
      } finally {
        await handle.close();
      }
      await mkdir(join(target, '..'), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  private async listFiles(): Promise<CachedFile[]> {
    const files: CachedFile[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return;
      }
      for (const name of names) {
        const path = join(dir, name);
        if (depth === 0 && name === 'tmp') continue;
        const info = await stat(path).catch(() => undefined);
        if (!info) continue;
        if (info.isDirectory()) {
          if (depth < 2) await walk(path, depth + 1);
        } else {
          files.push({ path, size: info.size, usedAt: info.mtimeMs });
        }
      }
    };
    await walk(this.dir, 0);
    return files;
  }

  private async runEviction(): Promise<void> {
    const files = await this.listFiles();
    let total = files.reduce((sum, file) => sum + file.size, 0);
    if (total > this.maxBytes) {
      files.sort((a, b) => a.usedAt - b.usedAt);
      for (const file of files) {
        if (total <= this.maxBytes * EVICT_TO) break;
        await unlink(file.path).catch(() => undefined);
        total -= file.size;
      }
    }
    const temps = await readdir(this.tempDir).catch(() => [] as string[]);
    const now = Date.now();
    for (const name of temps) {
      const path = join(this.tempDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true, recursive: true });
    }
  }
}
