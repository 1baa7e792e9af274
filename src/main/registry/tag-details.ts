/**
 * Tag details for the tag table (created date, size, platforms), derived from a manifest and its config.
 * They are kept in the registry index (index/registry-index.ts) by manifest digest: content-addressed, so
 * an entry never goes stale, and a second look at 2,000 tags costs 2,000 HEADs and no GET.
 */
import type { Platform, TagDetail } from '../../shared/types/registry';
import type { RegistryClient } from './client';
import type { DigestSummary } from './index/registry-index';
import { imageParts, indexEntries, type Manifest } from './manifest';
import { MediaType } from './media-types';
import { isPlatformImage, selectPlatform } from './platform';

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

/**
 * Reads a fetched manifest's summary: GETs the platform manifest (for an index, the one platform Berth
 * selects) and the config it needs, nothing else.
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
  // The layer chain, for lineage and storage usage later: already in hand, so it costs nothing to keep.
  const chain = parts ? { config: parts.config.digest, layers: parts.layers.map((layer) => layer.digest) } : {};
  if (!parts || (parts.config.mediaType !== MediaType.OciConfig && parts.config.mediaType !== MediaType.DockerConfig)) {
    const created = image.parsed.form === 'image' ? image.parsed.annotations?.[CREATED_ANNOTATION] : undefined;
    return { ...base, size, ...(platforms ? { platforms } : {}), ...(created ? { created } : {}), ...chain };
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
  };
}
