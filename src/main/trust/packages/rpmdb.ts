/**
 * Installed rpm packages from an rpm database in SQLite form (`rpmdb.sqlite`, rpm >= 4.16: Fedora, RHEL 9,
 * openSUSE), read with sql.js (SQLite compiled to WebAssembly: the native bindings need Node 22). Each row of
 * its `Packages` table is an rpm header blob: an index of (tag, type, offset, count) entries over a data
 * store (rpm's lib/header.c, "headerImport"; https://rpm-software-management.github.io/rpm/manual/format_header.html).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type initSqlJs from 'sql.js';

export const RPMDB_PATHS = ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite'];

const TAG = { name: 1000, version: 1001, release: 1002, epoch: 1003, license: 1014, arch: 1022, sourceRpm: 1044 };
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_I18NSTRING = 9;
/** Bounds from rpm's header.c: a header larger than this is refused. */
const MAX_INDEX_ENTRIES = 0x0000ffff;
const MAX_DATA_BYTES = 0x0fffffff;

export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  license?: string;
  sourceRpm?: string;
}

/** The tags Berth needs from one header blob; throws on a blob whose index points outside it. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 8) throw new Error('the header is shorter than its preamble');
  const entries = view.getUint32(0);
  const dataLength = view.getUint32(4);
  if (entries > MAX_INDEX_ENTRIES || dataLength > MAX_DATA_BYTES) throw new Error('the header is too large');
  const dataStart = 8 + entries * 16;
  if (dataStart + dataLength > blob.length) throw new Error('the header is cut short');
  const values = new Map<number, string | number>();
  for (let index = 0; index < entries; index++) {
    const at = 8 + index * 16;
    const tag = view.getUint32(at);
    const type = view.getUint32(at + 4);
    const offset = view.getUint32(at + 8);
    if (!Object.values(TAG).includes(tag) || offset >= dataLength) continue;
    const start = dataStart + offset;
    if (type === TYPE_INT32) {
      if (start + 4 <= dataStart + dataLength) values.set(tag, view.getInt32(start));
    } else if (type === TYPE_STRING || type === TYPE_I18NSTRING) {
      const end = blob.indexOf(0, start);
      if (end < 0 || end > dataStart + dataLength) throw new Error(`tag ${tag} runs past the header`);
      values.set(tag, Buffer.from(blob.subarray(start, end)).toString('utf8'));
    }
  }
  const text = (tag: number) => (typeof values.get(tag) === 'string' ? (values.get(tag) as string) : undefined);
  const name = text(TAG.name);
  const version = text(TAG.version);
  const release = text(TAG.release);
  if (!name || !version || release === undefined) throw new Error('a package without name, version or release');
  const epoch = values.get(TAG.epoch);
  const arch = text(TAG.arch);
  const license = text(TAG.license);
  const sourceRpm = text(TAG.sourceRpm);
  return {
    name,
    version,
    release,
    ...(typeof epoch === 'number' ? { epoch } : {}),
    ...(arch ? { arch } : {}),
    ...(license ? { license } : {}),
    ...(sourceRpm ? { sourceRpm } : {}),
  };
}

let engine: Promise<Awaited<ReturnType<typeof initSqlJs>>> | undefined;

/**
 * sql.js, loaded from node_modules at run time with its .wasm file read from beside it: bundling it would
 * lose the folder it finds that file in.
 */
function sqlite(): Promise<Awaited<ReturnType<typeof initSqlJs>>> {
  engine ??= (async () => {
    const require = createRequire(import.meta.url);
    const init = require('sql.js') as typeof initSqlJs;
    const wasmBinary = await readFile(require.resolve('sql.js/dist/sql-wasm.wasm'));
    return init({
      wasmBinary: wasmBinary.buffer.slice(
        wasmBinary.byteOffset,
        wasmBinary.byteOffset + wasmBinary.length,
      ) as ArrayBuffer,
    });
  })();
  return engine;
}

/** The packages of an rpmdb.sqlite file; headers that cannot be read are reported, not fatal. */
export async function readRpmDatabase(bytes: Buffer): Promise<{ packages: RpmHeader[]; problems: string[] }> {
  const SQL = await sqlite();
  const database = new SQL.Database(bytes);
  try {
    const packages: RpmHeader[] = [];
    const problems: string[] = [];
    const statement = database.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum');
    try {
      while (statement.step()) {
        const [hnum, blob] = statement.get() as [number, Uint8Array];
        try {
          packages.push(parseRpmHeader(blob));
        } catch (error) {
          problems.push(`header ${hnum}: ${(error as Error).message}`);
        }
      }
    } finally {
      statement.free();
    }
    return { packages, problems };
  } finally {
    database.close();
  }
}

/** `[epoch:]version-release`, the form rpm's version order compares. */
export function rpmEvr(header: RpmHeader): string {
  return `${header.epoch !== undefined ? `${header.epoch}:` : ''}${header.version}-${header.release}`;
}
