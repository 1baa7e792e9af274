/**
 * Tag details for the tag table (created date, size, platforms), derived from a manifest and its config.
 * They are kept in the registry index (index/registry-index.ts) by manifest digest: content-addressed, so
 * an entry never goes stale, and a second look at 2,000 tags costs 2,000 HEADs and no GET.
 */
import type { Platform, TagDetail } from '../../shared/types/registry';
import type { RegistryClient } from './client';
import { mapBounded } from '../util/async';
import type { BlobSize, DigestSummary } from './index/registry-index';
import { imageParts, indexEntries, type Manifest } from './manifest';
import { isIndexMediaType, MediaType } from './media-types';
import { isPlatformImage, selectPlatform } from './platform';

const CREATED_ANNOTATION = 'org.opencontainers.image.created';
/** https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys */
const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';

/** The base annotations of a manifest, else of its config's Labels (Docker manifests carry no annotations). */
function baseAnnotationOf(
  annotations: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): Pick<DigestSummary, 'baseAnnotation'> {
  for (const [values, source] of [
    [annotations, 'annotations'],
    [labels, 'labels'],
  ] as const) {
    const name = values?.[BASE_NAME];
    const digest = values?.[BASE_DIGEST];
    if (name || digest) return { baseAnnotation: { ...(name ? { name } : {}), ...(digest ? { digest } : {}), source } };
  }
  return {};
}

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

/** What the tag table shows of a digest's summary (the layer chain stays in main). */
export function tagDetailOf(summary: DigestSummary, tag: string): TagDetail {
  return {
    tag,
    digest: summary.digest,
    mediaType: summary.mediaType,
    ...(summary.created !== undefined ? { created: summary.created } : {}),
    ...(summary.size !== undefined ? { size: summary.size } : {}),
    ...(summary.platforms ? { platforms: summary.platforms } : {}),
  };
}

/** An index's children read at once (the transport also bounds requests per registry). */
const CHILD_CONCURRENCY = 4;

/** The blobs an image manifest keeps stored: itself, its config and its layers. */
function imageBlobs(manifest: Manifest): BlobSize[] {
  const parts = imageParts(manifest.parsed);
  return [
    { digest: manifest.digest, size: manifest.size, kind: 'manifest' },
    ...(parts
      ? [
          { digest: parts.config.digest, size: parts.config.size, kind: 'config' as const },
          ...parts.layers.map((layer) => ({ digest: layer.digest, size: layer.size, kind: 'layer' as const })),
        ]
      : []),
  ];
}

/** Each digest once, first occurrence kept (an index's platforms often share layers). */
function uniqueBlobs(blobs: BlobSize[]): BlobSize[] {
  const seen = new Set<string>();
  return blobs.filter((blob) => !seen.has(blob.digest) && seen.add(blob.digest));
}

/**
 * Reads a fetched manifest's summary: for an index, GETs every child manifest (storage counts every
 * platform's blobs) and the config of the one platform Berth selects; for an image, its config.
 */
export async function readDigestSummary(
  client: RegistryClient,
  manifest: Manifest,
  signal?: AbortSignal,
): Promise<DigestSummary> {
  const options = signal ? { signal } : {};
  const ref = manifest.ref;
  const base = { digest: manifest.digest, mediaType: manifest.mediaType };
  if (manifest.parsed.form === 'schema1') {
    // Schema 1 names its layers without sizes: only the manifest itself is counted.
    const created = schema1Created(manifest);
    return {
      ...base,
      ...(created ? { created } : {}),
      blobs: [{ digest: manifest.digest, size: manifest.size, kind: 'manifest' }],
      // Schema 1 has no diff IDs without reading every layer: no lineage for it.
      diffIds: [],
    };
  }
  let image = manifest;
  let platforms: Platform[] | undefined;
  let blobs = imageBlobs(manifest);
  let lineage: Pick<DigestSummary, 'children' | 'baseAnnotation'> = {};
  if (manifest.parsed.form === 'index') {
    const children = indexEntries(manifest.parsed);
    // A child that is an index itself counts as its own bytes only (nested indexes are rare).
    const read = await mapBounded(children, CHILD_CONCURRENCY, signal, (entry, _position, inner) =>
      isIndexMediaType(entry.mediaType)
        ? Promise.resolve(undefined)
        : client.getManifest(
            { registry: ref.registry, repository: ref.repository, digest: entry.digest },
            { signal: inner },
          ),
    );
    blobs = uniqueBlobs([
      ...blobs,
      ...children.flatMap((entry, position) => {
        const child = read[position];
        return child ? imageBlobs(child) : [{ digest: entry.digest, size: entry.size, kind: 'manifest' as const }];
      }),
    ]);
    const entries = children.filter(isPlatformImage);
    platforms = entries.flatMap((entry) => (entry.platform ? [entry.platform] : []));
    const selected = entries.length > 0 ? selectPlatform(entries).digest : undefined;
    const chosen = read.find((child) => child?.digest === selected);
    lineage = {
      children: entries.map((entry) => ({
        digest: entry.digest,
        ...(entry.platform ? { platform: entry.platform } : {}),
      })),
      ...baseAnnotationOf(manifest.parsed.annotations, undefined),
    };
    if (!chosen) return { ...base, size: manifest.size, platforms, blobs, diffIds: [], ...lineage };
    image = chosen;
  }
  const parts = imageParts(image.parsed);
  const size = manifest.size + (image !== manifest ? image.size : 0) + layerTotal(image);
  // The layer chain, for lineage and storage usage later: already in hand, so it costs nothing to keep.
  const chain = parts ? { config: parts.config.digest, layers: parts.layers.map((layer) => layer.digest) } : {};
  if (!parts || (parts.config.mediaType !== MediaType.OciConfig && parts.config.mediaType !== MediaType.DockerConfig)) {
    const created = image.parsed.form === 'image' ? image.parsed.annotations?.[CREATED_ANNOTATION] : undefined;
    return {
      ...base,
      size,
      ...(platforms ? { platforms } : {}),
      ...(created ? { created } : {}),
      ...chain,
      blobs,
      diffIds: [],
      ...lineage,
    };
  }
  const config = await client.getConfig(ref, parts.config, options);
  const created =
    config.summary.created ??
    (image.parsed.form === 'image' ? image.parsed.annotations?.[CREATED_ANNOTATION] : undefined);
  return {
    ...base,
    size,
    platforms: platforms ?? [config.summary.platform],
    ...(created ? { created } : {}),
    ...chain,
    blobs,
    diffIds: config.diffIds,
    ...lineage,
    // An index's own annotation wins; else the image manifest's, else its config's Labels.
    ...(lineage.baseAnnotation
      ? {}
      : baseAnnotationOf(image.parsed.form === 'image' ? image.parsed.annotations : undefined, config.summary.labels)),
  };
}
