/**
 * An OSV database read offline: a folder of OSV JSON records (as osv.dev's per-ecosystem `all.zip` unpacks)
 * or that zip itself. Records are kept in a compact form, indexed by ecosystem and package name, so matching
 * an inventory is one lookup per package. Schema: https://ossf.github.io/osv-schema/
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Unzip, UnzipInflate } from 'fflate';
import { BerthError } from '../../../shared/errors';
import type { OsvDatabaseInfo } from '../../../shared/types/vulns';
import { throwIfAborted } from '../../util/async';
import { ecosystemKey, normalizePackageName } from './ecosystems';

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  ecosystem: string;
  name: string;
  ranges: OsvRange[];
  versions: string[];
  /** `ecosystem_specific.severity` / `database_specific.severity` of this package, when given. */
  severityWord?: string;
}

export interface OsvRecord {
  id: string;
  aliases: string[];
  summary?: string;
  modified?: string;
  /** CVSS vectors from `severity[]`, newest standard first as the record lists them. */
  vectors: string[];
  severityWord?: string;
  affected: OsvAffected[];
}

export interface OsvDatabase {
  info: OsvDatabaseInfo;
  /** Records affecting a package, by `ecosystemKey(ecosystem)` and normalised name. */
  lookup(ecosystem: string, name: string): { record: OsvRecord; affected: OsvAffected }[];
}

/** One record larger than this is not an OSV record (the largest real ones are a few hundred KiB). */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
const MAX_RECORDS = 2_000_000;
const MAX_DEPTH = 6;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function severityWordOf(...holders: unknown[]): string | undefined {
  for (const holder of holders) if (isObject(holder) && typeof holder.severity === 'string') return holder.severity;
  return undefined;
}

/** The parts of an OSV record matching needs; undefined when the JSON is not an OSV record. */
export function compactRecord(json: unknown): OsvRecord | undefined {
  if (!isObject(json) || typeof json.id !== 'string' || !Array.isArray(json.affected)) return undefined;
  const affected: OsvAffected[] = [];
  // A withdrawn record (https://ossf.github.io/osv-schema/#withdrawn-field) no longer affects anything.
  const entries = typeof json.withdrawn === 'string' ? [] : json.affected;
  for (const entry of entries) {
    if (!isObject(entry) || !isObject(entry.package)) continue;
    const ecosystem = optionalString(entry.package.ecosystem);
    const name = optionalString(entry.package.name);
    if (!ecosystem || !name) continue;
    const ranges: OsvRange[] = [];
    for (const range of Array.isArray(entry.ranges) ? entry.ranges : []) {
      if (!isObject(range) || typeof range.type !== 'string' || !Array.isArray(range.events)) continue;
      const events = range.events.filter(isObject).map((event) => {
        const kept: OsvEvent = {};
        for (const key of ['introduced', 'fixed', 'last_affected', 'limit'] as const)
          if (typeof event[key] === 'string') kept[key] = event[key];
        return kept;
      });
      ranges.push({ type: range.type, events });
    }
    const severityWord = severityWordOf(entry.ecosystem_specific, entry.database_specific);
    affected.push({
      ecosystem,
      name,
      ranges,
      versions: strings(entry.versions),
      ...(severityWord ? { severityWord } : {}),
    });
  }
  const vectors = (Array.isArray(json.severity) ? json.severity : [])
    .filter(isObject)
    .filter((entry) => typeof entry.type === 'string' && entry.type.startsWith('CVSS_'))
    .map((entry) => optionalString(entry.score))
    .filter((score): score is string => score !== undefined);
  const severityWord = severityWordOf(json.database_specific);
  return {
    id: json.id,
    aliases: strings(json.aliases),
    ...(typeof json.summary === 'string' ? { summary: json.summary } : {}),
    ...(typeof json.modified === 'string' ? { modified: json.modified } : {}),
    vectors,
    ...(severityWord ? { severityWord } : {}),
    affected,
  };
}

class DatabaseBuilder {
  private readonly index = new Map<string, { record: OsvRecord; affected: OsvAffected }[]>();
  private readonly ecosystems = new Set<string>();
  private records = 0;
  private skipped = 0;
  private newest: string | undefined;

  constructor(private readonly path: string) {}

  add(name: string, bytes: Uint8Array): void {
    let record: OsvRecord | undefined;
    try {
      record = compactRecord(JSON.parse(Buffer.from(bytes).toString('utf8')));
    } catch {
      record = undefined;
    }
    if (!record) {
      this.skipped++;
      return;
    }
    if (++this.records > MAX_RECORDS)
      throw new BerthError('too_large', `${this.path} holds more than ${MAX_RECORDS} OSV records (at ${name}).`);
    if (record.modified && (!this.newest || record.modified > this.newest)) this.newest = record.modified;
    for (const affected of record.affected) {
      const key = `${ecosystemKey(affected.ecosystem)}\0${normalizePackageName(affected.ecosystem, affected.name)}`;
      this.ecosystems.add(affected.ecosystem);
      const list = this.index.get(key);
      if (list) list.push({ record, affected });
      else this.index.set(key, [{ record, affected }]);
    }
  }

  skip(): void {
    this.skipped++;
  }

  build(): OsvDatabase {
    if (this.records === 0)
      throw new BerthError(
        'invalid_input',
        `${this.path} holds no OSV records (${this.skipped} file${this.skipped === 1 ? '' : 's'} read were not OSV JSON). Give a folder or zip of OSV records, such as osv.dev's per-ecosystem all.zip.`,
      );
    const index = this.index;
    return {
      info: {
        path: this.path,
        ...(this.newest ? { date: this.newest } : {}),
        records: this.records,
        ecosystems: [...this.ecosystems].sort(),
        skipped: this.skipped,
      },
      lookup: (ecosystem, name) =>
        index.get(`${ecosystemKey(ecosystem)}\0${normalizePackageName(ecosystem, name)}`) ?? [],
    };
  }
}

async function readFolder(builder: DatabaseBuilder, dir: string, depth: number, signal?: AbortSignal): Promise<void> {
  if (depth > MAX_DEPTH) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    throwIfAborted(signal);
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await readFolder(builder, path, depth + 1, signal);
    else if (entry.isFile() && entry.name.endsWith('.json')) {
      const { size } = await stat(path);
      if (size > MAX_RECORD_BYTES) builder.skip();
      else builder.add(path, await readFile(path));
    }
  }
}

/** Streams the zip through fflate, one record at a time, never holding the whole archive inflated. */
async function readZip(builder: DatabaseBuilder, path: string, signal?: AbortSignal): Promise<void> {
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  let failure: unknown;
  unzip.onfile = (file) => {
    // Other files (a README, folders) are not records; an oversized .json is a skipped one.
    if (!file.name.endsWith('.json')) return;
    if ((file.originalSize ?? 0) > MAX_RECORD_BYTES) {
      builder.skip();
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (error, chunk, final) => {
      if (failure) return;
      if (error) {
        failure = new BerthError('invalid_input', `${path}: ${file.name} cannot be inflated (${error.message}).`);
        return;
      }
      size += chunk.length;
      // The declared size can lie (a zip bomb): the inflated bytes are counted as they come.
      if (size > MAX_RECORD_BYTES) {
        failure = new BerthError('too_large', `${path}: ${file.name} inflates past ${MAX_RECORD_BYTES} bytes.`);
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final) {
        try {
          builder.add(file.name, Buffer.concat(chunks));
        } catch (addError) {
          failure = addError;
        }
      }
    };
    file.start();
  };
  const stream = createReadStream(path, signal ? { signal } : {});
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      unzip.push(chunk);
      if (failure) break;
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch (error) {
    if (signal?.aborted) throwIfAborted(signal);
    if (error instanceof BerthError) throw error;
    throw new BerthError('invalid_input', `${path} is not a readable zip: ${(error as Error).message}.`);
  } finally {
    stream.destroy();
  }
  if (failure) throw failure;
}

/** Reads a folder or a `.zip` of OSV records. */
export async function loadOsvDatabase(path: string, signal?: AbortSignal): Promise<OsvDatabase> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new BerthError(
      'not_found',
      `No OSV database at ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
    );
  }
  const builder = new DatabaseBuilder(path);
  if (info.isDirectory()) await readFolder(builder, path, 0, signal);
  else if (await isZip(path)) await readZip(builder, path, signal);
  else throw new BerthError('invalid_input', `${path} is neither a folder nor a zip of OSV records.`);
  return builder.build();
}

async function isZip(path: string): Promise<boolean> {
  const stream = createReadStream(path, { start: 0, end: 3 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  const head = Buffer.concat(chunks);
  // Local file header, or the end-of-central-directory record of an empty archive.
  return head.length === 4 && head.readUInt32LE(0) === 0x04034b50;
}
