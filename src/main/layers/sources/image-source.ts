/**
 * Where an image's manifest, config and layer blobs come from. The engine reads every source through this
 * one interface, so indexing, merging and diffing do not know whether the bytes come from a registry, the
 * local engine, a `docker save` tarball or an OCI layout.
 */
import type { Readable } from 'node:stream';
import type { ImageConfigSummary } from '../../../shared/types/registry';
import type { ImageTransport } from '../../../shared/types/layers';

export interface SourceLayer {
  /** Digest of the blob as this source stores it. */
  digest: string;
  /** sha256 of the uncompressed tar, from the config's rootfs.diff_ids at the same position. */
  diffId: string;
  mediaType: string;
  /** Stored (compressed) size. */
  size: number;
  /** Whether `digest` names the stored bytes and should be checked; false when the source only knows the diffID. */
  digestKnown: boolean;
}

export interface SourceImage {
  transport: ImageTransport;
  /** The reference as given by the user. */
  reference: string;
  /** Digest of the image manifest, when the source has one. */
  manifestDigest?: string;
  configDigest: string;
  config: ImageConfigSummary;
  layers: SourceLayer[];
}

export interface ImageSource {
  readonly transport: ImageTransport;
  readonly reference: string;
  /** True when `openLayer` streams are verified by the source itself (size and digest, failing on mismatch). */
  readonly verifiesDigests: boolean;
  image(signal?: AbortSignal): Promise<SourceImage>;
  /** The layer blob's bytes as stored. The caller consumes or destroys the stream. */
  openLayer(layer: SourceLayer, signal?: AbortSignal): Promise<Readable>;
  /**
   * Bytes [start, end) of the layer blob as stored, for sources that can read a part (registries, with HTTP
   * Range); undefined when this source or server cannot, and the caller streams the layer instead.
   */
  openLayerRange?(layer: SourceLayer, start: number, end: number, signal?: AbortSignal): Promise<Readable | undefined>;
  /** Releases temp files and handles. */
  close(): Promise<void>;
}
