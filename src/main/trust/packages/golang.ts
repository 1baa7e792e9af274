/**
 * The build information Go (1.18 and later) embeds in every binary it links: the Go version and the module
 * list that `go version -m` prints (path, main module, dependencies with replacements). Format from Go's
 * src/debug/buildinfo/buildinfo.go: a 32-byte header starting with "\xff Go buildinf:" on a 16-byte
 * boundary, whose flags bit 1 says the two strings follow inline as uvarint-length-prefixed bytes; the
 * module list is framed by 16-byte sentinels. Older binaries keep pointers instead and are not read.
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_BYTES = 32;
const FLAG_INLINE_STRINGS = 0x2;
/** runtime/debug's modinfo framing: 16 bytes before and after the text. */
const SENTINEL_BYTES = 16;

export interface GoModule {
  path: string;
  version: string;
}

export interface GoBuildInfo {
  goVersion: string;
  /** The main package's import path. */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
}

function readUvarint(bytes: Buffer, start: number): { value: number; next: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let at = start; at < bytes.length && shift < 35; at++) {
    const byte = bytes[at]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: at + 1 };
    shift += 7;
  }
  return undefined;
}

function readString(bytes: Buffer, start: number): { text: string; next: number } | undefined {
  const length = readUvarint(bytes, start);
  if (!length || length.next + length.value > bytes.length) return undefined;
  return {
    text: bytes.subarray(length.next, length.next + length.value).toString('utf8'),
    next: length.next + length.value,
  };
}

/** The build info of a Go binary, or undefined when the bytes hold none Berth can read. */
export function parseGoBuildInfo(bytes: Buffer): GoBuildInfo | undefined {
  for (let at = bytes.indexOf(MAGIC); at >= 0; at = bytes.indexOf(MAGIC, at + 1)) {
    if (at % 16 !== 0 || at + HEADER_BYTES > bytes.length) continue;
    const flags = bytes[at + 15]!;
    if ((flags & FLAG_INLINE_STRINGS) === 0) return undefined;
    const version = readString(bytes, at + HEADER_BYTES);
    if (!version) return undefined;
    const modinfo = readString(bytes, version.next);
    if (!modinfo) return undefined;
    const text = modinfo.text.length >= 2 * SENTINEL_BYTES ? modinfo.text.slice(SENTINEL_BYTES, -SENTINEL_BYTES) : '';
    return { goVersion: version.text, ...parseModinfo(text) };
  }
  return undefined;
}

/** `path`, `mod`, `dep` and `=>` (replacement of the line before) lines, tab-separated (runtime/debug.ParseBuildInfo). */
function parseModinfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const result: Omit<GoBuildInfo, 'goVersion'> = { deps: [] };
  let last: GoModule | undefined;
  for (const line of text.split('\n')) {
    const [kind, path, version] = line.split('\t');
    if (kind === 'path' && path) result.path = path;
    else if ((kind === 'mod' || kind === 'dep') && path) {
      last = { path, version: version ?? '' };
      if (kind === 'mod') result.main = last;
      else result.deps.push(last);
    } else if (kind === '=>' && last && path) {
      // The module the build used instead: its version is what is in the binary.
      last.version = version || last.version;
    }
  }
  return result;
}
