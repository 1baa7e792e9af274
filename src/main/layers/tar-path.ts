/**
 * Tar entry names -> absolute image paths. Layer tars name entries relative to the root (`etc/hostname`,
 * `./etc/hostname`); both mean `/etc/hostname`. Names that climb out of the root (`../x`) are refused and
 * reported, as Docker refuses them (pkg/archive "breakout"); absolute names (`/etc/x`) land inside the root,
 * as Docker and containerd apply them, but are reported too since no builder writes them.
 */

export type NormalizedName = { ok: true; path: string; absolute: boolean } | { ok: false; reason: string };

/** Longest path Linux accepts (PATH_MAX); longer names cannot exist in a running container. */
export const MAX_PATH_BYTES = 4096;

export function normalizeEntryName(name: string): NormalizedName {
  if (name.length === 0) return { ok: false, reason: 'has an empty name' };
  if (Buffer.byteLength(name) > MAX_PATH_BYTES)
    return { ok: false, reason: `has a name longer than ${MAX_PATH_BYTES} bytes` };
  const absolute = name.startsWith('/');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return { ok: false, reason: 'climbs out of the image root (`..`)' };
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { ok: true, path: `/${parts.join('/')}`, absolute };
}

/** `/a/b/c` -> `/a/b`; `/a` -> `/`; `/` -> `` (no parent). */
export function parentPath(path: string): string {
  if (path === '/') return '';
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Whether `path` is `dir` itself or below it. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/**
 * Resolves `..` and `.` in a path inside the image the way the kernel does inside a chroot: `..` at the root
 * stays at the root. Used for symlink targets.
 */
export function resolveInRoot(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Every ancestor directory of `path`, nearest first, ending with `/`. */
export function ancestorsOf(path: string): string[] {
  const result: string[] = [];
  for (let parent = parentPath(path); parent !== ''; parent = parentPath(parent)) result.push(parent);
  return result;
}
