/**
 * The registry client: every registry operation Berth performs, on one transport and one token cache.
 * Layers (as in go-containerregistry): transport (HTTP, TLS, proxy, retries, redirects) -> auth (ping,
 * challenges, tokens) -> remote operations (catalog, tags, manifests, blobs, referrers, writes).
 * Immutable things (manifests and configs by digest) are kept in memory and never fetched twice.
 */
import type { Readable } from 'node:stream';
import { BerthError } from '../../shared/errors';
import {
  checkReference,
  DOCKER_HUB,
  isDigest,
  parseReference,
  type ImageReference,
  type RepositoryName,
} from '../../shared/reference';
import type { Descriptor, ImageDetails, Platform, RateLimitInfo, Referrer } from '../../shared/types/registry';
import type { CredentialResolver } from '../credentials/credential';
import { LruMap } from '../util/lru';
import { Authenticator, repositoryScope, type AccessProbe } from './auth';
import { MAX_CONFIG_BYTES, parseImageConfig, summarizeLayers, type ParsedConfig } from './config';
import { imageParts, indexEntries, manifestInfo, type Manifest } from './manifest';
import { MediaType } from './media-types';
import { formatPlatform, platformMatches, selectPlatform } from './platform';
import type { ProxyEnv } from './proxy';
import { fetchBlob, headBlob, openBlob, openBlobRange, type BlobTarget } from './remote/blobs';
import { DOCKER_HUB_API, listHubRepositories, parseRateLimit } from './remote/hub';
import { listCatalog, listTags } from './remote/listing';
import { fetchManifest, headManifest } from './remote/manifests';
import { DEFAULT_PAGING, type PagingLimits } from './remote/paging';
import { findReferrers } from './remote/referrers';
import {
  harborDeleteArtifact,
  harborDeleteTag,
  harborPullTimes,
  hubDeleteTag,
  hubPullTimes,
  type VendorApi,
  type VendorSession,
} from './remote/vendor';
import {
  deleteManifest,
  deleteTag,
  mountBlob,
  putManifest,
  uploadBlob,
  type BlobSource,
  type UploadOutcome,
} from './remote/writes';
import { Requester } from './requester';
import { Transport, type HostOptionsResolver, type RetryPolicy, type Timeouts } from './transport';

export interface RegistryClientOptions {
  /** Where credentials come from (keychain, Docker config, helpers). Called per registry, results cached for a minute. */
  credentials: CredentialResolver;
  /** Per-registry TLS settings; defaults to HTTPS with the system's CAs (plain HTTP for loopback). */
  hostOptions?: HostOptionsResolver;
  /** Proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); defaults to process.env. */
  env?: ProxyEnv;
  userAgent?: string;
  /** Requests in flight per registry (default 8). */
  maxConcurrencyPerHost?: number;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  maxRedirects?: number;
  /** `n` for catalog pages (default 1000) and tag pages (default: the registry's choice). */
  pageSize?: { catalog?: number; tags?: number };
  paging?: Partial<PagingLimits>;
  /** Docker Hub's API base, for its repository listing (tests point it elsewhere). */
  dockerHubApi?: string;
  /** Uploads larger than this go in PATCH chunks of this size (default 32 MiB). */
  uploadChunkSize?: number;
  /**
   * Hears every manifest or tag this client wrote or deleted, once the registry accepted it: every writer
   * (promotion, and later delete, retention, sync) goes through here, so the index and the UI learn of it.
   * The write's call resolves after this does, so a caller that reads again at once sees the index updated.
   * It must not throw (a failure to record is the listener's to log, never the write's).
   */
  onWrite?: (write: ManifestWrite) => void | Promise<void>;
}

/** A manifest put (by tag or digest) or deleted through the client. */
export interface ManifestWrite {
  registry: string;
  repository: string;
  tag?: string;
  digest: string;
  deleted?: boolean;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** A delete through the registry's own API (Docker Hub's, Harbor's) instead of the distribution API. */
export interface VendorRequestOptions extends RequestOptions {
  via?: VendorApi;
}

/** What a reference resolves to, ready to show or to read layers from. */
export interface ResolvedImage {
  /** The manifest the reference points at: an index or an image manifest. */
  manifest: Manifest;
  /** The image manifest whose layers count: `manifest` itself, or the platform entry chosen from an index. */
  image: Manifest;
  config?: ResolvedConfig;
}

export interface ResolvedConfig extends ParsedConfig {
  descriptor: Descriptor;
  /** The config bytes as served (digest-verified). */
  bytes: Buffer;
}

export interface AccessCheck {
  /** False when the registry serves anonymously (no challenge on /v2/). */
  requiresAuth: boolean;
  /** True when a credential was used and accepted. */
  authenticated: boolean;
}

/** Accepts a parsed reference or text in Docker's syntax. */
export type ReferenceInput = ImageReference | string;

const IMAGE_CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);
const MEMORY_CACHE_BYTES = 64 * 1024 * 1024;

function toReference(input: ReferenceInput): ImageReference {
  return typeof input === 'string' ? parseReference(input) : checkReference(input);
}

function toRepository(input: RepositoryName | string): RepositoryName {
  const { registry, repository } = typeof input === 'string' ? parseReference(input) : checkReference(input);
  return { registry, repository };
}

function checkDigest(digest: string): string {
  if (!isDigest(digest))
    throw new BerthError('invalid_input', `"${digest.slice(0, 80)}" is not a digest (expected sha256:<64 hex>).`);
  return digest;
}

/**
 * A byte-bounded LRU for immutable, digest-addressed things; an entry over a quarter of the budget is not
 * kept, so one huge manifest or config cannot flush everything else.
 */
function digestCache<T extends { size: number }>(budget: number): LruMap<T> {
  return new LruMap<T>({ budget, costOf: (value) => value.size, maxEntryCost: budget / 4 });
}

export class RegistryClient {
  private readonly transport: Transport;
  private readonly auth: Authenticator;
  private readonly requester: Requester;
  private readonly rateLimits = new Map<string, RateLimitInfo>();
  private readonly manifests = digestCache<Manifest>(MEMORY_CACHE_BYTES);
  private readonly configs = digestCache<ResolvedConfig & { size: number }>(MEMORY_CACHE_BYTES / 2);
  private readonly paging: PagingLimits;

  constructor(private readonly options: RegistryClientOptions) {
    this.transport = new Transport({
      hostOptions: options.hostOptions ?? (() => ({ insecure: false })),
      env: options.env ?? (process.env as ProxyEnv),
      userAgent: options.userAgent ?? 'berth',
      maxConcurrencyPerHost: options.maxConcurrencyPerHost ?? 8,
      timeouts: { connectMs: 15_000, headersMs: 30_000, bodyMs: 60_000, ...options.timeouts },
      retry: { attempts: 3, baseDelayMs: 250, maxDelayMs: 10_000, ...options.retry },
      maxRedirects: options.maxRedirects ?? 5,
      onResponse: (registry, headers) => {
        const limit = parseRateLimit(headers);
        if (limit) this.rateLimits.set(registry, limit);
      },
    });
    this.auth = new Authenticator(this.transport, options.credentials);
    this.requester = new Requester(this.transport, this.auth);
    this.paging = { ...DEFAULT_PAGING, ...options.paging };
  }

  /**
   * Checks that a registry answers and that its credential (if any) is accepted, the way `docker login`
   * does: ping, then a token request (bearer) or an authenticated `/v2/` (basic). Throws unauthorized when refused.
   */
  async checkAccess(registry: string, options: RequestOptions = {}): Promise<AccessCheck> {
    this.auth.forget(registry);
    const { challenge } = await this.auth.endpoint(registry, options.signal);
    if (!challenge) return { requiresAuth: false, authenticated: false };
    const credential = await this.auth.credential(registry);
    const response = await this.requester.send(registry, {
      method: 'GET',
      path: '/v2/',
      scopes: [],
      action: `sign in to ${registry}`,
      ...options,
    });
    await response.body.dump().catch(() => undefined);
    return { requiresAuth: true, authenticated: credential !== undefined };
  }

  /**
   * What the signed-in account may do to a repository (`pull,push`), asked of the registry's token service
   * alone: nothing is sent to the registry, nothing written. Basic and anonymous registries can only answer
   * with a write, so they say only their scheme.
   */
  async probeAccess(
    repo: RepositoryName,
    actions: 'pull' | 'pull,push',
    options: RequestOptions = {},
  ): Promise<AccessProbe> {
    const { registry, repository } = toRepository(repo);
    return this.auth.probe(registry, [repositoryScope(repository, actions)], options.signal);
  }

  /**
   * Every repository of a registry, all pages. Docker Hub lists one namespace (`namespace`, else the
   * signed-in user) through Hub's own API. A registry whose catalog is closed gives an `unsupported`
   * error saying to add repositories by name.
   */
  async listRepositories(registry: string, options: RequestOptions & { namespace?: string } = {}): Promise<string[]> {
    if (registry === DOCKER_HUB) {
      const credential = await this.auth.credential(registry);
      const namespace =
        options.namespace ??
        (credential?.kind === 'basic'
          ? credential.username.toLowerCase()
          : credential?.kind === 'identity-token'
            ? credential.username?.toLowerCase()
            : undefined);
      if (!namespace) {
        throw new BerthError(
          'invalid_input',
          'Docker Hub lists repositories per namespace: sign in, or give the user or organisation to list.',
          { registry },
        );
      }
      return listHubRepositories(
        this.transport,
        this.options.dockerHubApi ?? DOCKER_HUB_API,
        namespace,
        credential,
        this.paging,
        options.signal,
      );
    }
    return listCatalog(this.requester, registry, {
      limits: this.paging,
      pageSize: this.options.pageSize?.catalog ?? 1000,
      ...options,
    });
  }

  /** Every tag of a repository, all pages, in the registry's order. */
  async listTags(repo: RepositoryName | string, options: RequestOptions = {}): Promise<string[]> {
    return listTags(this.requester, toRepository(repo), {
      limits: this.paging,
      ...(this.options.pageSize?.tags ? { pageSize: this.options.pageSize.tags } : {}),
      ...options,
    });
  }

  /** Digest, media type and size of what a reference points at, without a GET (no Docker Hub pull counted). Undefined if absent. */
  async headManifest(ref: ReferenceInput, options: RequestOptions = {}): Promise<Descriptor | undefined> {
    return headManifest(this.requester, toReference(ref), options.signal);
  }

  /** The manifest exactly as served (bytes kept), size-capped, parsed and digest-verified. */
  async getManifest(ref: ReferenceInput, options: RequestOptions = {}): Promise<Manifest> {
    const reference = toReference(ref);
    const key = reference.digest ? `${reference.registry}/${reference.repository}@${reference.digest}` : undefined;
    const cached = key ? this.manifests.get(key) : undefined;
    if (cached) return { ...cached, ref: { ...reference, digest: cached.digest } };
    const manifest = await fetchManifest(this.requester, reference, options.signal);
    this.manifests.set(`${reference.registry}/${reference.repository}@${manifest.digest}`, manifest);
    return manifest;
  }

  /** The image config of an image manifest's config descriptor: bytes verified and parsed. */
  async getConfig(repo: RepositoryName, descriptor: Descriptor, options: RequestOptions = {}): Promise<ResolvedConfig> {
    const name = toRepository(repo);
    const key = `${name.registry}/${name.repository}@${checkDigest(descriptor.digest)}`;
    const cached = this.configs.get(key);
    if (cached) return cached;
    const bytes = await fetchBlob(
      this.requester,
      name,
      { digest: descriptor.digest, size: descriptor.size },
      MAX_CONFIG_BYTES,
      options.signal,
    );
    const parsed = parseImageConfig(
      bytes,
      descriptor.digest,
      `${name.registry}/${name.repository}@${descriptor.digest.slice(0, 19)}…`,
    );
    const config = { ...parsed, descriptor, bytes, size: bytes.length };
    this.configs.set(key, config);
    return config;
  }

  /**
   * Resolves a reference to an image: the manifest it names, the image manifest for `platform` (or this
   * machine's, for an index), and its config. Artifacts and schema 1 come back without a config.
   */
  async resolveImage(
    ref: ReferenceInput,
    options: RequestOptions & { platform?: Platform } = {},
  ): Promise<ResolvedImage> {
    const reference = toReference(ref);
    const manifest = await this.getManifest(reference, options);
    let image = manifest;
    if (manifest.parsed.form === 'index') {
      const chosen = selectPlatform(indexEntries(manifest.parsed), options.platform);
      image = await this.getManifest(
        { registry: reference.registry, repository: reference.repository, digest: chosen.digest },
        options,
      );
      if (image.parsed.form === 'index')
        throw new BerthError(
          'unsupported',
          `The index ${manifest.digest} nests another index for its platform; Berth shows one level.`,
        );
    }
    const parts = imageParts(image.parsed);
    if (!parts || !IMAGE_CONFIG_TYPES.has(parts.config.mediaType)) return { manifest, image };
    const config = await this.getConfig(reference, parts.config, options);
    if (
      options.platform &&
      manifest.parsed.form !== 'index' &&
      !platformMatches(config.summary.platform, options.platform)
    ) {
      throw new BerthError(
        'not_found',
        `${reference.repository} is a single-platform image for ${formatPlatform(config.summary.platform)}, not ${formatPlatform(options.platform)}.`,
      );
    }
    return { manifest, image, config };
  }

  /** Everything `berth inspect` and the image view show about a reference. */
  async inspect(ref: ReferenceInput, options: RequestOptions & { platform?: Platform } = {}): Promise<ImageDetails> {
    const reference = toReference(ref);
    const { manifest, image, config } = await this.resolveImage(reference, options);
    const parts = imageParts(image.parsed);
    const layers = summarizeLayers(parts?.layers ?? [], config);
    return {
      manifest: manifestInfo(manifest, reference),
      ...(image !== manifest ? { platformManifest: manifestInfo(image, { ...reference, digest: image.digest }) } : {}),
      ...(config ? { config: config.summary } : {}),
      layers,
      compressedSize: layers.reduce((sum, layer) => sum + layer.size, 0),
    };
  }

  /** Signatures, SBOMs and attestations that refer to a manifest (by digest; a tag is resolved by HEAD first). */
  async listReferrers(ref: ReferenceInput, options: RequestOptions = {}): Promise<Referrer[]> {
    return (await this.findReferrers(ref, options)).referrers;
  }

  /** As listReferrers, with `api: false` when the registry has no referrers API and the fallback tag was read. */
  async findReferrers(
    ref: ReferenceInput,
    options: RequestOptions = {},
  ): Promise<{ digest: string; referrers: Referrer[]; api: boolean }> {
    const reference = toReference(ref);
    const digest = reference.digest ?? (await this.headManifest(reference, options))?.digest;
    if (!digest)
      throw new BerthError(
        'not_found',
        `${reference.repository}:${reference.tag ?? 'latest'} does not exist on ${reference.registry}.`,
        { registry: reference.registry },
      );
    return { digest, ...(await findReferrers(this.requester, { ...reference, digest }, options.signal)) };
  }

  /** Size of a blob if the repository has it. */
  async headBlob(
    repo: RepositoryName,
    digest: string,
    options: RequestOptions = {},
  ): Promise<{ size: number } | undefined> {
    return headBlob(this.requester, toRepository(repo), checkDigest(digest), options.signal);
  }

  /**
   * A blob as a stream verified on the fly: it errors (digest_mismatch, bad_response, timeout) instead of
   * ending when the bytes are not exactly the blob. Destroy it to cancel. Holds one of the registry's
   * request slots until it ends or is destroyed.
   */
  async openBlob(repo: RepositoryName, target: BlobTarget, options: RequestOptions = {}): Promise<Readable> {
    checkDigest(target.digest);
    return openBlob(this.requester, toRepository(repo), target, options.signal);
  }

  /** Bytes [start, end) of a blob (unverified: the caller checks what it makes of them); undefined when the registry ignores Range. */
  async openBlobRange(
    repo: RepositoryName,
    digest: string,
    range: { start: number; end: number },
    options: RequestOptions = {},
  ): Promise<Readable | undefined> {
    return openBlobRange(
      this.requester,
      toRepository(repo),
      checkDigest(digest),
      range.start,
      range.end,
      options.signal,
    );
  }

  /** A small blob in memory, verified, refused above `maxBytes`. */
  async fetchBlob(
    repo: RepositoryName,
    target: BlobTarget,
    maxBytes: number,
    options: RequestOptions = {},
  ): Promise<Buffer> {
    checkDigest(target.digest);
    return fetchBlob(this.requester, toRepository(repo), target, maxBytes, options.signal);
  }

  /** Cross-repository mount within one registry; false when the registry declines (copy the bytes then). */
  async mountBlob(
    target: RepositoryName,
    digest: string,
    from: RepositoryName,
    options: RequestOptions = {},
  ): Promise<boolean> {
    return mountBlob(this.requester, toRepository(target), checkDigest(digest), toRepository(from), options.signal);
  }

  /** Makes a blob exist in `target`: already there, mounted from `mountFrom`, or uploaded from `source`. */
  async uploadBlob(
    target: RepositoryName,
    blob: { digest: string; size: number },
    source: BlobSource,
    options: RequestOptions & { mountFrom?: RepositoryName; chunkSize?: number } = {},
  ): Promise<UploadOutcome> {
    checkDigest(blob.digest);
    return uploadBlob(this.requester, toRepository(target), blob, source, {
      chunkSize: options.chunkSize ?? this.options.uploadChunkSize ?? 32 * 1024 * 1024,
      ...(options.mountFrom ? { mountFrom: toRepository(options.mountFrom) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** PUTs manifest bytes unchanged by tag or digest; returns their digest. */
  async putManifest(
    ref: ReferenceInput,
    bytes: Buffer,
    mediaType: string,
    options: RequestOptions = {},
  ): Promise<string> {
    const reference = toReference(ref);
    const digest = await putManifest(this.requester, reference, bytes, mediaType, options.signal);
    await this.wrote({ ...reference, digest, tag: reference.digest ? undefined : reference.tag });
    return digest;
  }

  private async wrote(write: {
    registry: string;
    repository: string;
    tag?: string;
    digest: string;
    deleted?: boolean;
  }): Promise<void> {
    const { registry, repository, tag, digest, deleted } = write;
    await this.options.onWrite?.({
      registry,
      repository,
      digest,
      ...(tag !== undefined ? { tag } : {}),
      ...(deleted ? { deleted } : {}),
    });
  }

  /** Deletes a manifest by digest (and so every tag on it). */
  async deleteManifest(ref: ReferenceInput, options: VendorRequestOptions = {}): Promise<void> {
    const reference = toReference(ref);
    if (!reference.digest)
      throw new BerthError('invalid_input', 'Deleting a manifest needs its digest (name@sha256:...).');
    if (options.via === 'dockerhub')
      throw new BerthError('unsupported', 'Docker Hub deletes images by tag only; untag every tag instead.');
    if (options.via === 'harbor')
      await harborDeleteArtifact(
        await this.vendorSession(reference.registry, 'harbor', options),
        reference.repository,
        reference.digest,
      );
    else await deleteManifest(this.requester, { ...reference, digest: reference.digest }, options.signal);
    await this.wrote({
      registry: reference.registry,
      repository: reference.repository,
      digest: reference.digest,
      deleted: true,
    });
  }

  /** Deletes a tag alone, where the registry supports it; `unsupported` with what to do otherwise. */
  async deleteTag(ref: ReferenceInput, options: VendorRequestOptions = {}): Promise<void> {
    const reference = toReference(ref);
    if (!reference.tag || reference.digest)
      throw new BerthError('invalid_input', 'Deleting a tag needs a reference with a tag and no digest.');
    if (options.via) {
      const session = await this.vendorSession(reference.registry, options.via, options);
      await (options.via === 'harbor' ? harborDeleteTag : hubDeleteTag)(session, reference.repository, reference.tag);
    } else
      await deleteTag(
        this.requester,
        { registry: reference.registry, repository: reference.repository, tag: reference.tag },
        options.signal,
      );
    await this.wrote({
      registry: reference.registry,
      repository: reference.repository,
      tag: reference.tag,
      digest: '',
      deleted: true,
    });
  }

  /** Tag -> when it was last pulled (undefined: never), from the vendor API that reports it. */
  async pullTimes(
    repo: RepositoryName,
    via: VendorApi,
    options: RequestOptions = {},
  ): Promise<Map<string, string | undefined>> {
    const { registry, repository } = toRepository(repo);
    const session = await this.vendorSession(registry, via, options);
    return via === 'harbor' ? harborPullTimes(session, repository) : hubPullTimes(session, repository);
  }

  private async vendorSession(registry: string, via: VendorApi, options: RequestOptions): Promise<VendorSession> {
    return {
      transport: this.transport,
      registry,
      credential: await this.auth.credential(registry),
      apiBase:
        via === 'dockerhub'
          ? new URL(this.options.dockerHubApi ?? DOCKER_HUB_API)
          : await this.requester.baseUrl(registry, options.signal),
      limits: this.paging,
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }

  /**
   * The last pull limit a registry reported. With `probe`, Docker Hub is asked with a HEAD on its
   * documented probe image (a HEAD does not count as a pull) when nothing was seen yet.
   */
  async rateLimit(
    registry: string,
    options: RequestOptions & { probe?: boolean } = {},
  ): Promise<RateLimitInfo | undefined> {
    if (!this.rateLimits.has(registry) && options.probe && registry === DOCKER_HUB) {
      await this.headManifest({ registry, repository: 'ratelimitpreview/test', tag: 'latest' }, options);
    }
    return this.rateLimits.get(registry);
  }

  /** Drops cached endpoint, tokens and credential of a registry (after its settings change). */
  forget(registry: string): void {
    this.auth.forget(registry);
  }

  /** Closes connections. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** Builds a registry client; see RegistryClientOptions for what can be passed in. */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new RegistryClient(options);
}
