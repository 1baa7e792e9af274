/**
 * Tag details for the tag table (created date, size, platforms), derived from a manifest and its config and
 * cached on disk by manifest digest: content-addressed, so an entry never goes stale, and a second look at
 * 2,000 tags costs 2,000 HEADs and no GET. The tag -> digest seen last time is remembered too (a hint, never
 * trusted without a HEAD): a tag never seen is fetched with one GET by tag instead of HEAD then GET.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BerthError } from '../../shared/errors';
import { isDigest, type RepositoryName } from '../../shared/reference';
import type { Platform, TagDetail } from '../../shared/types/registry';
import type { RegistryClient } from './client';
import { imageParts, indexEntries, type Manifest } from './manifest';
import { MediaType } from './media-types';
import { isPlatformImage, selectPlatform } from './platform';

export type CachedTagDetail = Omit<TagDetail, 'tag'>;

const CREATED_ANNOTATION = 'org.opencontainers.image.created';

function layerTotal(manifest: Manifest): number {
  const parts = imageParts(manifest.parsed);
  return parts ? parts.config.size + parts.layers.reduce((sum, layer) => sum + layer.size, 0) : 0;
}

/** `created` of a schema 1 manifest: its newest history entry's v1 config. */
function schema1Created(manifest: Manifest): string | undefined {
  if (manifest.parsed.form !== 'schema1') return undefined;
  try {
    const created = (JSON.parse(manifest.parsed.history?.[0]?.v1Compatibility ?? '{}') as { created?: unknown })
      .created;
    return typeof created === 'string' ? created : undefined;
  } catch {
    return undefined;
  }
}

/** Reads what the tag table shows for a fetched manifest (GETs the platform manifest and config it needs). */
export async function readTagDetail(
  client: RegistryClient,
  manifest: Manifest,
  signal?: AbortSignal,
): Promise<CachedTagDetail> {
  const options = signal ? { signal } : {};
  const ref = manifest.ref;
  const base = { digest: manifest.digest, mediaType: manifest.mediaType };
  if (manifest.parsed.form === 'schema1') {
    const created = schema1Created(manifest);
    return { ...base, ...(created ? { created } : {}) };
  }
  let image = manifest;
  let platforms: Platform[] | undefined;
  if (manifest.parsed.form === 'index') {
    const entries = indexEntries(manifest.parsed).filter(isPlatformImage);
    platforms = entries.flatMap((entry) => (entry.platform ? [entry.platform] : []));
    if (entries.length === 0) return { ...base, size: manifest.size, platforms };
    image = await client.getManifest(
      { registry: ref.registry, repository: ref.repository, digest: selectPlatform(entries).digest },
      options,
    );
  }
  const parts = imageParts(image.parsed);
  const size = manifest.size + (image !== manifest ? image.size : 0) + layerTotal(image);
  if (!parts || (parts.config.mediaType !== MediaType.OciConfig && parts.config.mediaType !== MediaType.DockerConfig)) {
    const created = image.parsed.form === 'image' ? image.parsed.annotations?.[CREATED_ANNOTATION] : undefined;
    return { ...base, size, ...(platforms ? { platforms } : {}), ...(created ? { created } : {}) };
  }
  const config = await client.getConfig(ref, parts.config, options);
  const created =
    config.summary.created ??
    (image.parsed.form === 'image' ? image.parsed.annotations?.[CREATED_ANNOTATION] : undefined);
  return { ...base, size, platforms: platforms ?? [config.summary.platform], ...(created ? { created } : {}) };
}

/** Tag details on disk under `<cacheDir>/registry/tag-details/<algorithm>-<hex>.json`, and in memory. */
export class TagDetailCache {
  private readonly dir: string;
  private readonly hintDir: string;
  private readonly memory = new Map<string, CachedTagDetail>();
  /** The last pending hint-file update per file, to chain the next one on. */
  private readonly hintWrites = new Map<string, Promise<void>>();

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'registry', 'tag-details');
    this.hintDir = join(cacheDir, 'registry', 'tag-digests');
  }

  private hintFile(repo: RepositoryName): string {
    return join(
      this.hintDir,
      `${createHash('sha256').update(`${repo.registry}/${repo.repository}`).digest('hex')}.json`,
    );
  }

  /** The digest each tag of a repository had last time (empty when never looked at). */
  async tagHints(repo: RepositoryName): Promise<Map<string, string>> {
    try {
      const parsed = JSON.parse(await readFile(this.hintFile(repo), 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return new Map();
      return new Map(
        Object.entries(parsed as Record<string, unknown>).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && isDigest(entry[1]),
        ),
      );
    } catch {
      return new Map();
    }
  }

  /**
   * Records the digests just seen. Calls for one repository run concurrently (the UI asks in chunks), so
   * updates are applied one at a time onto the latest file: writing a whole map read earlier would drop
   * what another call recorded in between.
   */
  updateTagHints(repo: RepositoryName, seen: ReadonlyMap<string, string>): Promise<void> {
    const file = this.hintFile(repo);
    const previous = this.hintWrites.get(file) ?? Promise.resolve();
    const next = previous.then(async () => {
      const hints = await this.tagHints(repo);
      for (const [tag, digest] of seen) hints.set(tag, digest);
      await this.write(file, JSON.stringify(Object.fromEntries(hints)));
    });
    this.hintWrites.set(file, next);
    void next.finally(() => {
      if (this.hintWrites.get(file) === next) this.hintWrites.delete(file);
    });
    return next;
  }

  private async write(file: string, text: string): Promise<void> {
    try {
      await mkdir(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, file);
    } catch {
      // The cache is disposable: a read-only or full disk costs speed, not the answer.
    }
  }

  private file(digest: string): string {
    return join(this.dir, `${digest.replace(':', '-')}.json`);
  }

  async get(digest: string): Promise<CachedTagDetail | undefined> {
    if (!isDigest(digest)) return undefined;
    const remembered = this.memory.get(digest);
    if (remembered) return remembered;
    try {
      const parsed = JSON.parse(await readFile(this.file(digest), 'utf8')) as CachedTagDetail;
      // A damaged or foreign file is a miss, not an answer.
      if (parsed?.digest !== digest || typeof parsed.mediaType !== 'string') return undefined;
      this.memory.set(digest, parsed);
      return parsed;
    } catch {
      return undefined;
    }
  }

  async set(digest: string, detail: CachedTagDetail): Promise<void> {
    if (!isDigest(digest) || detail.digest !== digest)
      throw new BerthError('internal', 'tag detail cached under another digest');
    this.memory.set(digest, detail);
    await this.write(this.file(digest), JSON.stringify(detail));
  }
}
