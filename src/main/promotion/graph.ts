/**
 * Everything a promotion writes, read from the source: the manifest the target tag will point at (the
 * source's own bytes, or a new index for a platform subset), the child manifests below it, the referrers
 * asked for, and every blob they name. Manifests are kept as the exact bytes served, never re-serialised,
 * so a whole copy keeps its digest.
 */
import { BerthError } from '../../shared/errors';
import { formatReference, type ImageReference, type RepositoryName } from '../../shared/reference';
import type { Descriptor, Platform } from '../../shared/types/registry';
import {
  computeDigest,
  formatPlatform,
  MediaType,
  parsePlatform,
  platformMatches,
  type Manifest,
  type RegistryClient,
} from '../registry';
import { mapBounded } from '../util/async';
import { artifactTagFor, type ArtifactTagKind } from '../../shared/artifact-tags';

export interface ManifestNode {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  role: 'image' | 'index' | 'referrer';
  platform?: string;
  /** Referrers: the manifest they refer to, and the descriptor a referrers index lists them with. */
  subject?: string;
  descriptor?: Descriptor;
  /** cosign's `sha256-<hex>.sig/.att/.sbom` artifacts: written under the same tag (the digest is kept). */
  tag?: string;
}

export interface BlobNode {
  digest: string;
  size: number;
  mediaType: string;
  /** A foreign (non-distributable) layer with `urls`: served from elsewhere, never copied. */
  external: boolean;
}

export interface SourceGraph {
  /** The source, resolved to a digest. */
  source: ImageReference & { digest: string };
  /** What the target tag will point at. Equals the source's manifest unless a platform subset was asked. */
  root: ManifestNode;
  /** Manifests below the root, children before parents (the order they can be written in). */
  children: ManifestNode[];
  /** Referrer manifests (and anything below them), children before parents. */
  referrers: ManifestNode[];
  blobs: BlobNode[];
  platforms: string[];
  notes: string[];
}

export interface GraphOptions {
  platforms?: string[];
  withReferrers: boolean;
  signal?: AbortSignal;
}

/** Indexes inside indexes are legal but rare; deeper than this is a loop or an attack. */
const MAX_DEPTH = 4;
const MAX_REFERRERS = 256;
/** Referrers of referrers (a signature on an SBOM) are carried; deeper chains are not followed. */
const MAX_REFERRER_DEPTH = 2;
const FETCH_CONCURRENCY = 6;

const NON_DISTRIBUTABLE = new Set<string>([
  MediaType.DockerForeignLayer,
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

/** BuildKit's provenance/SBOM manifests inside an index: not a platform, attached to one by digest. */
function attestationFor(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest'
    ? descriptor.annotations['vnd.docker.reference.digest']
    : undefined;
}

function isPlatformEntry(descriptor: Descriptor): descriptor is Descriptor & { platform: Platform } {
  return (
    descriptor.platform !== undefined &&
    attestationFor(descriptor) === undefined &&
    descriptor.platform.os !== 'unknown'
  );
}

class GraphBuilder {
  readonly blobs = new Map<string, BlobNode>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly client: RegistryClient,
    private readonly repo: RepositoryName,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async fetch(descriptor: Descriptor, signal: AbortSignal): Promise<Manifest> {
    const manifest = await this.client.getManifest({ ...this.repo, digest: descriptor.digest }, { signal });
    if (manifest.size !== descriptor.size) {
      throw new BerthError(
        'bad_response',
        `${formatReference({ ...this.repo, digest: descriptor.digest })} is ${manifest.size} bytes but the index that lists it says ${descriptor.size}; the source is inconsistent, nothing was copied.`,
        { registry: this.repo.registry },
      );
    }
    return manifest;
  }

  /** Adds a manifest's blobs and children (once per digest); appends nodes to `into`, children first. */
  async add(
    manifest: Manifest,
    node: Omit<ManifestNode, 'digest' | 'mediaType' | 'bytes'>,
    into: ManifestNode[],
    depth: number,
  ): Promise<void> {
    if (this.seen.has(manifest.digest)) return;
    this.seen.add(manifest.digest);
    const { parsed } = manifest;
    if (parsed.form === 'schema1') {
      throw new BerthError(
        'unsupported',
        `${formatReference(manifest.ref)} is a schema 1 manifest, which is deprecated and cannot be pushed anywhere; convert it (push it again with a current Docker) first.`,
      );
    }
    if (parsed.form === 'index') {
      if (depth >= MAX_DEPTH)
        throw new BerthError(
          'unsupported',
          `${formatReference(manifest.ref)} nests indexes more than ${MAX_DEPTH} deep; not copied.`,
        );
      const children = await mapBounded(
        parsed.manifests,
        FETCH_CONCURRENCY,
        this.signal,
        (descriptor, _i, fetchSignal) => this.fetch(descriptor, fetchSignal),
      );
      // In the index's order, so the write order (and progress) is stable from run to run.
      for (const [position, descriptor] of parsed.manifests.entries()) {
        const child = children[position]!;
        await this.add(
          child,
          {
            role: child.parsed.form === 'index' ? 'index' : 'image',
            ...(descriptor.platform ? { platform: formatPlatform(descriptor.platform) } : {}),
          },
          into,
          depth + 1,
        );
      }
    } else {
      for (const blob of [parsed.config, ...parsed.layers]) {
        if (this.blobs.has(blob.digest)) continue;
        const external = NON_DISTRIBUTABLE.has(blob.mediaType) && (blob.urls?.length ?? 0) > 0;
        this.blobs.set(blob.digest, { digest: blob.digest, size: blob.size, mediaType: blob.mediaType, external });
      }
    }
    into.push({ digest: manifest.digest, mediaType: manifest.mediaType, bytes: manifest.bytes, ...node });
  }
}

/**
 * A new index holding only the chosen entries. Built from the source's own JSON (unknown fields and
 * annotations kept, entries untouched), so only the list changes.
 */
function subsetIndex(manifest: Manifest, keep: ReadonlySet<string>): Buffer {
  const json = JSON.parse(manifest.bytes.toString('utf8')) as { manifests: { digest: string }[] };
  json.manifests = json.manifests.filter((entry) => keep.has(entry.digest));
  return Buffer.from(JSON.stringify(json), 'utf8');
}

function chooseEntries(manifest: Manifest & { parsed: { form: 'index' } }, wanted: Platform[]): Set<string> {
  const entries = manifest.parsed.manifests as Descriptor[];
  const keep = new Set<string>();
  for (const platform of wanted) {
    const matches = entries.filter((entry) => isPlatformEntry(entry) && platformMatches(entry.platform, platform));
    if (matches.length === 0) {
      const available = entries.filter(isPlatformEntry).map((entry) => formatPlatform(entry.platform));
      throw new BerthError(
        'not_found',
        `${formatReference(manifest.ref)} has no ${formatPlatform(platform)} image; it has ${available.join(', ') || 'no platform images'}.`,
      );
    }
    for (const entry of matches) keep.add(entry.digest);
  }
  // Attestations (provenance, SBOM) travel with the platform images they describe.
  for (const entry of entries) {
    const describes = attestationFor(entry);
    if (describes !== undefined && keep.has(describes)) keep.add(entry.digest);
  }
  return keep;
}

function referrerDescriptor(manifest: Manifest): Descriptor {
  const { parsed } = manifest;
  const artifactType =
    parsed.form === 'schema1'
      ? undefined
      : (parsed.artifactType ?? (parsed.form === 'image' ? parsed.config.mediaType : undefined));
  const annotations = parsed.form === 'schema1' ? undefined : parsed.annotations;
  return {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    ...(artifactType ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

export async function readSourceGraph(
  client: RegistryClient,
  source: ImageReference,
  options: GraphOptions,
): Promise<SourceGraph> {
  const { signal } = options;
  const requestOptions = signal ? { signal } : {};
  const repo = { registry: source.registry, repository: source.repository };
  const manifest = await client.getManifest(source, requestOptions);
  const builder = new GraphBuilder(client, repo, signal);
  const notes: string[] = [];
  const children: ManifestNode[] = [];
  const wanted = options.platforms?.map(parsePlatform) ?? [];
  let root: ManifestNode;
  let platforms: string[] = [];

  if (manifest.parsed.form === 'index') {
    const index = manifest as Manifest & { parsed: { form: 'index' } };
    const entries = index.parsed.manifests as Descriptor[];
    const keep = wanted.length > 0 ? chooseEntries(index, wanted) : new Set(entries.map((entry) => entry.digest));
    const whole = keep.size === entries.length;
    const kept = entries.filter((entry) => keep.has(entry.digest));
    platforms = kept.filter(isPlatformEntry).map((entry) => formatPlatform(entry.platform));
    const childManifests = await mapBounded(kept, FETCH_CONCURRENCY, signal, (entry, _i, fetchSignal) =>
      builder.fetch(entry, fetchSignal),
    );
    for (const [position, entry] of kept.entries()) {
      const child = childManifests[position]!;
      await builder.add(
        child,
        {
          role: child.parsed.form === 'index' ? 'index' : 'image',
          ...(entry.platform ? { platform: formatPlatform(entry.platform) } : {}),
        },
        children,
        1,
      );
    }
    const bytes = whole ? manifest.bytes : subsetIndex(manifest, keep);
    root = {
      digest: whole ? manifest.digest : computeDigest(bytes),
      mediaType: manifest.mediaType,
      bytes,
      role: 'index',
    };
    if (!whole)
      notes.push(
        `Only ${platforms.join(', ')} of the source's ${entries.filter(isPlatformEntry).length} platforms: the target gets a new index with its own digest.`,
      );
  } else {
    if (wanted.length > 0 && manifest.parsed.form === 'image') {
      const config = await client.getConfig(repo, manifest.parsed.config, requestOptions).catch((error: unknown) => {
        if (error instanceof BerthError && error.code === 'bad_response') return undefined;
        throw error;
      });
      const own = config?.summary.platform;
      if (own && !wanted.some((platform) => platformMatches(own, platform))) {
        throw new BerthError(
          'not_found',
          `${formatReference(manifest.ref)} is a single-platform image for ${formatPlatform(own)}, not ${wanted.map(formatPlatform).join(' or ')}.`,
        );
      }
      if (own) platforms = [formatPlatform(own)];
    }
    const rootNodes: ManifestNode[] = [];
    await builder.add(manifest, { role: 'image' }, rootNodes, 0);
    root = rootNodes[0]!;
  }

  const referrers: ManifestNode[] = [];
  if (options.withReferrers) {
    // A new subset index has a new digest: signatures of the source's index do not apply to it.
    const subjects = [
      ...(root.digest === manifest.digest ? [root.digest] : []),
      ...children.filter((node) => node.role === 'image').map((node) => node.digest),
    ];
    if (root.digest !== manifest.digest)
      notes.push(
        'Referrers of the source index itself are not carried: they sign or describe the whole index, not the subset.',
      );
    await collectReferrers(client, repo, subjects, builder, referrers, requestOptions);
  }

  return {
    source: { ...source, digest: manifest.digest },
    root,
    children,
    referrers,
    blobs: [...builder.blobs.values()],
    platforms,
    notes,
  };
}

const COSIGN_TAG_KINDS: ArtifactTagKind[] = ['signature', 'attestation', 'sbom'];

/** The subjects' OCI referrers (and theirs, two levels deep), then cosign's tags for each subject. */
async function collectReferrers(
  client: RegistryClient,
  repo: RepositoryName,
  subjects: string[],
  builder: GraphBuilder,
  into: ManifestNode[],
  requestOptions: { signal?: AbortSignal },
): Promise<void> {
  let level = subjects;
  const counted = new Set<string>();
  for (let depth = 0; depth < MAX_REFERRER_DEPTH && level.length > 0; depth++) {
    const found: { subject: string; digest: string }[] = [];
    for (const subject of level) {
      for (const referrer of await client.listReferrers({ ...repo, digest: subject }, requestOptions)) {
        if (counted.has(referrer.digest)) continue;
        counted.add(referrer.digest);
        if (counted.size > MAX_REFERRERS) {
          throw new BerthError(
            'too_large',
            `The source has more than ${MAX_REFERRERS} referrers; copy it without referrers, or prune them first.`,
            { registry: repo.registry },
          );
        }
        found.push({ subject, digest: referrer.digest });
      }
    }
    for (const { subject, digest } of found) {
      const manifest = await client.getManifest({ ...repo, digest }, requestOptions);
      await builder.add(manifest, { role: 'referrer', subject, descriptor: referrerDescriptor(manifest) }, into, 1);
    }
    level = found.map((entry) => entry.digest);
  }

  // cosign's tag scheme (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md): signatures,
  // attestations and SBOMs of a digest live under `sha256-<hex>.sig/.att/.sbom` in the same repository. The
  // promoted image keeps its digest, so the same tag names are right at the target. One HEAD per candidate.
  const candidates = subjects.flatMap((subject) => COSIGN_TAG_KINDS.map((kind) => artifactTagFor(subject, kind)));
  const tagged = await mapBounded(candidates, FETCH_CONCURRENCY, requestOptions.signal, async (tag, _i, signal) =>
    (await client.headManifest({ ...repo, tag }, { signal })) ? tag : undefined,
  );
  for (const tag of tagged) {
    if (tag === undefined) continue;
    const manifest = await client.getManifest({ ...repo, tag }, requestOptions);
    await builder.add(manifest, { role: 'referrer', tag }, into, 1);
  }
}
