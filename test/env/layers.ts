/**
 * Deterministic layer tarballs for seeding: fixed mtime, uid/gid 0, entries in the order given (parents first),
 * so the same tree always gives the same bytes and digests. Names are written without a leading slash, as
 * Docker does; tar-stream switches to PAX records for long (> 100 byte) and non-ASCII names.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { run } from './process';

/** Every entry's mtime: layers built on any day are byte-identical. */
export const SEED_MTIME = new Date('2024-01-01T00:00:00Z');

export type TarEntry =
  | { type: 'directory'; path: string; mode?: number }
  | { type: 'file'; path: string; content: Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  /** A hard link to `target`, an earlier entry of the same layer (absolute path, like `path`). */
  | { type: 'link'; path: string; target: string };

/** Absolute image paths (`/opt/app/x`) <-> tar names (`opt/app/x`). */
const tarName = (path: string): string => path.replace(/^\/+/, '');

/**
 * Collects entries and adds each missing parent directory before its first child, like a real `tar -c`
 * of a root filesystem does.
 */
export class TreeBuilder {
  readonly entries: TarEntry[] = [];
  private readonly directories = new Set<string>(['/']);

  directory(path: string, mode = 0o755): this {
    this.parents(path);
    if (!this.directories.has(path)) {
      this.directories.add(path);
      this.entries.push({ type: 'directory', path, mode });
    }
    return this;
  }

  file(path: string, content: Buffer | string, mode = 0o644): this {
    this.parents(path);
    this.entries.push({
      type: 'file',
      path,
      content: typeof content === 'string' ? Buffer.from(content) : content,
      mode,
    });
    return this;
  }

  symlink(path: string, target: string): this {
    this.parents(path);
    this.entries.push({ type: 'symlink', path, target });
    return this;
  }

  hardlink(path: string, target: string): this {
    this.parents(path);
    this.entries.push({ type: 'link', path, target });
    return this;
  }

  private parents(path: string): void {
    const parent = posix.dirname(path);
    if (parent !== path && !this.directories.has(parent)) this.directory(parent);
  }
}

export async function buildTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  const common = { mtime: SEED_MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root' };
  for (const entry of entries) {
    const name = tarName(entry.path);
    switch (entry.type) {
      case 'directory':
        archive.entry({ ...common, name: `${name}/`, type: 'directory', mode: entry.mode ?? 0o755 });
        break;
      case 'file':
        archive.entry(
          { ...common, name, type: 'file', mode: entry.mode ?? 0o644, size: entry.content.length },
          entry.content,
        );
        break;
      case 'symlink':
        archive.entry({ ...common, name, type: 'symlink', mode: 0o777, linkname: entry.target });
        break;
      case 'link':
        archive.entry({ ...common, name, type: 'link', mode: 0o644, linkname: tarName(entry.target) });
        break;
    }
  }
  archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

export type Compression = 'gzip' | 'zstd';

export async function compress(tar: Buffer, compression: Compression): Promise<Buffer> {
  if (compression === 'gzip') return gzipSync(tar, { level: 6 });
  // The zstd CLI, as an image builder would use; its output is deterministic for a given input and level.
  const { stdoutBuffer } = await run('zstd', ['-q', '-c', '-3', '--no-progress'], { input: tar });
  return stdoutBuffer;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * Copies the named entries of a real directory of this machine (e.g. package folders of /usr/share/doc) into
 * `builder` under `imagePath`, recursively in sorted order: directories, regular files up to `maxFileBytes` and
 * symlinks (kept as symlinks); anything else is skipped, and so are names that do not exist here.
 * Returns the number of regular files taken.
 */
export async function addHostTree(
  builder: TreeBuilder,
  hostDir: string,
  imagePath: string,
  { names, maxFileBytes = 256 * 1024 }: { names: readonly string[]; maxFileBytes?: number },
): Promise<number> {
  let taken = 0;
  const add = async (source: string, target: string): Promise<void> => {
    const info = await lstat(source).catch(() => null);
    if (info === null) return;
    if (info.isDirectory()) {
      builder.directory(target, info.mode & 0o7777);
      for (const name of (await readdir(source)).sort()) await add(join(source, name), posix.join(target, name));
    } else if (info.isSymbolicLink()) {
      builder.symlink(target, await readlink(source));
    } else if (info.isFile() && info.size <= maxFileBytes) {
      builder.file(target, await readFile(source), info.mode & 0o7777);
      taken += 1;
    }
  };
  builder.directory(imagePath);
  for (const name of [...names].sort()) await add(join(hostDir, name), posix.join(imagePath, name));
  return taken;
}
