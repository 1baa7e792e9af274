/**
 * `docker://REF` (and any reference without a transport): an image in a registry, through the registry
 * client, which resolves tags and indexes (picking the platform), verifies manifests and configs, and
 * streams layer blobs verified on the fly (size and digest), so the indexer need not hash them again.
 */
import type { Readable } from 'node:stream';
import { BerthError } from '../../../shared/errors';
import { parseReference, type ImageReference, type RepositoryName } from '../../../shared/reference';
import type { Platform } from '../../../shared/types/registry';
import { imageParts, type ResolvedImage } from '../../registry';
import type { ImageSource, SourceImage, SourceLayer } from './image-source';

/** What the layer engine uses of the registry client. */
export interface RegistryAccess {
  resolveImage(ref: ImageReference, options: { platform?: Platform; signal?: AbortSignal }): Promise<ResolvedImage>;
  openBlob(
    repo: RepositoryName,
    target: { digest: string; size?: number },
    options: { signal?: AbortSignal },
  ): Promise<Readable>;
  openBlobRange?(
    repo: RepositoryName,
    digest: string,
    range: { start: number; end: number },
    options: { signal?: AbortSignal },
  ): Promise<Readable | undefined>;
}

export interface RegistrySourceOptions {
  registry: RegistryAccess;
  target: string;
  platform?: Platform;
  reference: string;
}

export class RegistrySource implements ImageSource {
  readonly transport = 'docker' as const;
  readonly reference: string;
  readonly verifiesDigests = true;
  private readonly ref: ImageReference;

  constructor(private readonly options: RegistrySourceOptions) {
    this.reference = options.reference;
    this.ref = parseReference(options.target);
  }

  async image(signal?: AbortSignal): Promise<SourceImage> {
    const resolved = await this.options.registry.resolveImage(this.ref, {
      ...(this.options.platform ? { platform: this.options.platform } : {}),
      ...(signal ? { signal } : {}),
    });
    const parts = imageParts(resolved.image.parsed);
    if (resolved.image.parsed.form === 'schema1')
      throw new BerthError(
        'unsupported',
        `${this.reference} is a Docker schema 1 image; Berth reads its layers only from schema 2 and OCI images.`,
      );
    if (!parts || !resolved.config)
      throw new BerthError(
        'unsupported',
        `${this.reference} is not a container image (an artifact or an index without images); it has no filesystem.`,
      );
    const { summary, diffIds, descriptor } = resolved.config;
    if (diffIds.length !== parts.layers.length) {
      throw new BerthError(
        'bad_response',
        `The manifest of ${this.reference} has ${parts.layers.length} layers, but its config has ${diffIds.length} diff IDs.`,
      );
    }
    const layers: SourceLayer[] = parts.layers.map((layer, position) => ({
      digest: layer.digest,
      diffId: diffIds[position]!,
      mediaType: layer.mediaType,
      size: layer.size,
      digestKnown: true,
    }));
    return {
      transport: 'docker',
      reference: this.reference,
      manifestDigest: resolved.image.digest,
      configDigest: descriptor.digest,
      config: summary,
      layers,
    };
  }

  async openLayer(layer: SourceLayer, signal?: AbortSignal): Promise<Readable> {
    return this.options.registry.openBlob(
      this.ref,
      { digest: layer.digest, size: layer.size },
      signal ? { signal } : {},
    );
  }

  async openLayerRange(
    layer: SourceLayer,
    start: number,
    end: number,
    signal?: AbortSignal,
  ): Promise<Readable | undefined> {
    return this.options.registry.openBlobRange?.(this.ref, layer.digest, { start, end }, signal ? { signal } : {});
  }

  async close(): Promise<void> {}
}
