/**
 * The one persisted registry index: per registry host its repositories, per repository its tags and the
 * digest each tag had when last seen, and per manifest digest a summary (media type, size, created,
 * platforms, config and layer chain). Search reads it, the tag table's details come from it, and storage
 * usage, drift and lineage are meant to read it too, so nothing crawls a registry twice.
 *
 * Keys (one LevelDB, `\0`-separated, so a prefix scan reads one registry or one repository):
 *   r \0 host \0 repository            -> {}                     a repository seen in a listing
 *   t \0 host \0 repository \0 tag     -> digest, or '' unknown  a tag seen in a listing or written by Berth
 *   d \0 digest                        -> DigestSummary (JSON)   content-addressed: never stale
 *   h \0 host \0 repo \0 tag \0 digest  -> ISO time recorded       tag history: the tag pointed at digest
 * Tag history outlives the tag's move: distribution cannot list untagged manifests, so which tag an old
 * digest was published under (lineage's stale images) is only known from here.
 * Summaries are keyed by digest alone: the same digest is the same content in every registry.
 */
import { isDigest } from '../../../shared/reference';
import type { Platform } from '../../../shared/types/registry';
import type { IndexStore, StoreOperation } from './store';

/** What Berth knows about a manifest digest, read once from the manifest (and its platform manifest and config). */
export interface DigestSummary {
  digest: string;
  mediaType: string;
  /** Compressed size: manifest + config + layers (for an index: plus the selected platform's manifest). */
  size?: number;
  created?: string;
  platforms?: Platform[];
  /** The image config's digest (of the selected platform for an index). */
  config?: string;
  /** The layer chain, bottom first (of the selected platform for an index). */
  layers?: string[];
  /**
   * Every blob this manifest keeps in the registry's storage, itself first, each once: for an image its
   * config and layers, for an index every child manifest (all platforms, attestations too) with theirs.
   * Storage usage and retention count these. Absent in summaries written before it existed: such a
   * summary is read again (see `summaryComplete`).
   */
  blobs?: BlobSize[];
  /**
   * Lineage: the uncompressed layer chain (the config's `rootfs.diff_ids`, bottom first) of an image, or of
   * the selected platform for an index; `[]` when there is none (artifact, schema 1). Compared instead of
   * `layers`, since a re-compressed layer is the same layer. Absent in older summaries (read again).
   */
  diffIds?: string[];
  /** Lineage: an index's platform images, so each platform's chain is read (as its own summary) once. */
  children?: { digest: string; platform?: Platform }[];
  /** Lineage: `org.opencontainers.image.base.name`/`.base.digest`, from manifest annotations or config Labels. */
  baseAnnotation?: { name?: string; digest?: string; source: 'annotations' | 'labels' };
}

/** A blob and its size, as the descriptor that references it says. */
export interface BlobSize {
  digest: string;
  size: number;
  kind: 'manifest' | 'config' | 'layer';
}

/**
 * Whether a stored summary has every field current features read; one written by an older Berth is
 * treated as unknown, so the next refresh reads the manifest again instead of answering with a gap.
 */
export function summaryComplete(summary: DigestSummary): boolean {
  return summary.blobs !== undefined && summary.diffIds !== undefined;
}

/** A repository or a tag the index found for a query, by registry host. */
export interface IndexHit {
  host: string;
  repository: string;
  tag?: string;
}

const SEP = '\u0000';
const MAX_REPOSITORIES_PER_REGISTRY = 50_000;
const MAX_TAGS_PER_REPOSITORY = 10_000;
/** Operations per write batch: big enough to be quick, small enough not to hold a 2,000-tag repository's worth twice. */
const BATCH = 2_000;

const repositoryKey = (host: string, repository: string) => `r${SEP}${host}${SEP}${repository}`;
const tagPrefix = (host: string, repository: string) => `t${SEP}${host}${SEP}${repository}${SEP}`;
const digestKey = (digest: string) => `d${SEP}${digest}`;
const heldKey = (digest: string, host: string, repository: string, tag: string) =>
  `h${SEP}${host}${SEP}${repository}${SEP}${tag}${SEP}${digest}`;

/** A tag that pointed at a digest at some time (it may point elsewhere now). */
export interface TagHolding {
  repository: string;
  tag: string;
  digest: string;
  /** When the index recorded the tag at this digest (for the digest a tag moved from: the move). */
  since: string;
}

function parseSummary(digest: string, text: string | undefined): DigestSummary | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as DigestSummary;
    // A damaged or foreign value is a miss, not an answer.
    return parsed?.digest === digest && typeof parsed.mediaType === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export class RegistryIndex {
  constructor(private readonly store: IndexStore) {}

  get persistent(): boolean {
    return this.store.persistent;
  }

  private async write(operations: StoreOperation[]): Promise<void> {
    for (let start = 0; start < operations.length; start += BATCH)
      await this.store.batch(operations.slice(start, start + BATCH));
  }

  async repositories(host: string): Promise<string[]> {
    const prefix = `r${SEP}${host}${SEP}`;
    const repositories: string[] = [];
    for await (const key of this.store.keys(prefix)) repositories.push(key.slice(prefix.length));
    return repositories;
  }

  /**
   * Records a registry's repositories. With `complete` (a whole catalog), repositories no longer listed are
   * dropped with their tags; otherwise the list only adds.
   */
  async setRepositories(host: string, repositories: readonly string[], complete: boolean): Promise<void> {
    const listed = new Set(repositories.slice(0, MAX_REPOSITORIES_PER_REGISTRY));
    const operations: StoreOperation[] = [];
    const known = new Set(await this.repositories(host));
    for (const repository of listed)
      if (!known.has(repository)) operations.push({ type: 'put', key: repositoryKey(host, repository), value: '{}' });
    if (complete) {
      for (const repository of known) {
        if (listed.has(repository)) continue;
        operations.push({ type: 'del', key: repositoryKey(host, repository) });
        for await (const key of this.store.keys(tagPrefix(host, repository))) operations.push({ type: 'del', key });
      }
    }
    await this.write(operations);
  }

  /** Tag -> last digest seen ('' when only the name is known). */
  async tags(host: string, repository: string): Promise<Map<string, string>> {
    const prefix = tagPrefix(host, repository);
    const tags = new Map<string, string>();
    for await (const [key, value] of this.store.entries(prefix)) tags.set(key.slice(prefix.length), value);
    return tags;
  }

  /** The digest each tag had last time (tags whose digest is unknown are left out). */
  async tagDigests(host: string, repository: string): Promise<Map<string, string>> {
    const digests = new Map<string, string>();
    for (const [tag, digest] of await this.tags(host, repository)) if (isDigest(digest)) digests.set(tag, digest);
    return digests;
  }

  /** Records a repository's whole tag list: new tags are added (digest unknown), tags gone are dropped. */
  async setTags(host: string, repository: string, tags: readonly string[]): Promise<void> {
    const listed = new Set(tags.slice(0, MAX_TAGS_PER_REPOSITORY));
    const known = await this.tags(host, repository);
    const prefix = tagPrefix(host, repository);
    const operations: StoreOperation[] = [{ type: 'put', key: repositoryKey(host, repository), value: '{}' }];
    for (const tag of listed) if (!known.has(tag)) operations.push({ type: 'put', key: prefix + tag, value: '' });
    for (const tag of known.keys()) if (!listed.has(tag)) operations.push({ type: 'del', key: prefix + tag });
    await this.write(operations);
  }

  /** Records the digests tags were just seen at (also for tags written by Berth, before any listing). */
  async setTagDigests(host: string, repository: string, digests: ReadonlyMap<string, string>): Promise<void> {
    const prefix = tagPrefix(host, repository);
    const known = await this.tags(host, repository);
    const now = new Date().toISOString();
    const operations: StoreOperation[] = [{ type: 'put', key: repositoryKey(host, repository), value: '{}' }];
    for (const [tag, digest] of digests) {
      if (!isDigest(digest)) continue;
      operations.push({ type: 'put', key: prefix + tag, value: digest });
      const before = known.get(tag);
      if (before === digest) continue;
      // A move also records where the tag was (an index written before tag history had no entry for it).
      if (before && isDigest(before))
        operations.push({ type: 'put', key: heldKey(before, host, repository, tag), value: now });
      operations.push({ type: 'put', key: heldKey(digest, host, repository, tag), value: now });
    }
    await this.write(operations);
  }

  /** Every digest the index saw each tag of a registry at, whether the tag still points there or has moved. */
  async tagHistory(host: string): Promise<TagHolding[]> {
    const prefix = `h${SEP}${host}${SEP}`;
    const holdings: TagHolding[] = [];
    for await (const [key, since] of this.store.entries(prefix)) {
      const [repository = '', tag = '', digest = ''] = key.slice(prefix.length).split(SEP);
      holdings.push({ repository, tag, digest, since });
    }
    return holdings;
  }

  async removeTags(host: string, repository: string, tags: readonly string[]): Promise<void> {
    const prefix = tagPrefix(host, repository);
    await this.write(tags.map((tag) => ({ type: 'del', key: prefix + tag })));
  }

  async summary(digest: string): Promise<DigestSummary | undefined> {
    if (!isDigest(digest)) return undefined;
    return parseSummary(digest, await this.store.get(digestKey(digest)));
  }

  /** Which of these digests have a summary already (one read for all). */
  async summaries(digests: readonly string[]): Promise<Map<string, DigestSummary>> {
    const valid = [...new Set(digests.filter(isDigest))];
    const values = await this.store.getMany(valid.map(digestKey));
    const found = new Map<string, DigestSummary>();
    valid.forEach((digest, position) => {
      const summary = parseSummary(digest, values[position]);
      if (summary) found.set(digest, summary);
    });
    return found;
  }

  async putSummary(summary: DigestSummary): Promise<void> {
    if (!isDigest(summary.digest)) return;
    await this.store.batch([{ type: 'put', key: digestKey(summary.digest), value: JSON.stringify(summary) }]);
  }

  /**
   * Repositories and tags whose `host/repository:tag` contains every word of the query (case-insensitive),
   * best first: exact name, then name prefix, then anywhere; repositories before tags. Streams the keys,
   * so memory holds the matches, not the index.
   */
  async search(query: string, limit: number): Promise<IndexHit[]> {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return [];
    const rank = (name: string, text: string): number => {
      const last = name.slice(name.lastIndexOf('/') + 1);
      if (words.length === 1 && name === words[0]) return 0;
      if (words.length === 1 && last === words[0]) return 0.5;
      if (words.some((word) => last.startsWith(word))) return 1;
      return text.length / 1000 + 2;
    };
    const scored: { hit: IndexHit; score: number; text: string }[] = [];
    for await (const key of this.store.keys(`r${SEP}`)) {
      const [, host = '', repository = ''] = key.split(SEP);
      const text = `${host}/${repository}`.toLowerCase();
      if (words.every((word) => text.includes(word)))
        scored.push({ hit: { host, repository }, score: rank(repository, text), text });
    }
    for await (const key of this.store.keys(`t${SEP}`)) {
      const [, host = '', repository = '', tag = ''] = key.split(SEP);
      const text = `${host}/${repository}:${tag}`.toLowerCase();
      if (words.every((word) => text.includes(word)))
        scored.push({ hit: { host, repository, tag }, score: 10 + rank(tag, text), text });
    }
    scored.sort((a, b) => a.score - b.score || a.text.localeCompare(b.text));
    return scored.slice(0, limit).map((entry) => entry.hit);
  }

  /** How much the index holds for a registry (for progress and tests). */
  async counts(host: string): Promise<{ repositories: number; tags: number }> {
    let repositories = 0;
    let tags = 0;
    for await (const _ of this.store.keys(`r${SEP}${host}${SEP}`)) repositories++;
    for await (const _ of this.store.keys(`t${SEP}${host}${SEP}`)) tags++;
    return { repositories, tags };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
