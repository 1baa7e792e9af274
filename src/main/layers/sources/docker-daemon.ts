/**
 * `docker-daemon:NAME[:TAG]`: an image of the local Docker engine. The engine gives an image's bytes only as
 * a `docker save` stream (GET /images/{name}/get) whose manifest.json comes last, so, as skopeo does, the
 * stream is spooled to a temp file and read as a docker-archive, and the file is removed on close. The image
 * ID is the config digest, immutable: the description found in the export is kept in the cache under it, so
 * an image already seen needs no export to list, diff or browse (only to read a file's bytes).
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../../../shared/errors';
import type { IndexCache } from '../index-cache';
import { DockerArchiveSource } from './docker-archive';
import type { ImageSource, SourceImage, SourceLayer } from './image-source';

/** What the layer engine uses of the Docker service. */
export interface DaemonAccess {
  /** The image as a `docker save` tar stream. */
  exportImage(image: string, signal?: AbortSignal): Promise<Readable>;
  /** The image's ID (`sha256:…`, its config digest). */
  imageId(image: string, signal?: AbortSignal): Promise<string>;
}

export interface DaemonSourceOptions {
  daemon: DaemonAccess;
  cache: IndexCache;
  image: string;
  reference: string;
}

type CachedImage = Omit<SourceImage, 'transport' | 'reference'>;

const SPOOL_WRITE_BYTES = 4 * 1024 * 1024;

export class DaemonSource implements ImageSource {
  readonly transport = 'docker-daemon' as const;
  readonly reference: string;
  readonly verifiesDigests = false;
  private spool?: Promise<{ file: string; archive: DockerArchiveSource }>;

  constructor(private readonly options: DaemonSourceOptions) {
    this.reference = options.reference;
  }

  async image(signal?: AbortSignal): Promise<SourceImage> {
    const id = await this.options.daemon.imageId(this.options.image, signal);
    const cached = await this.options.cache.getImage<CachedImage>(id).catch(() => undefined);
    if (cached && cached.configDigest === id)
      return { ...cached, transport: this.transport, reference: this.reference };
    const { archive } = await this.spooled(signal);
    const image = await archive.image();
    if (image.configDigest !== id) {
      throw new BerthError(
        'conflict',
        `${this.options.image} changed while it was being exported (${id} became ${image.configDigest}); try again.`,
      );
    }
    const { transport: _transport, reference: _reference, ...description } = image;
    await this.options.cache.putImage(id, description);
    return { ...image, transport: this.transport, reference: this.reference };
  }

  async openLayer(layer: SourceLayer, signal?: AbortSignal): Promise<Readable> {
    const { archive } = await this.spooled(signal);
    await archive.image();
    return archive.openLayer(layer);
  }

  private spooled(signal?: AbortSignal): Promise<{ file: string; archive: DockerArchiveSource }> {
    this.spool ??= (async () => {
      const file = await this.options.cache.tempFile('.tar');
      try {
        const stream = await this.options.daemon.exportImage(this.options.image, signal);
        // Megabytes per write, not the default 16 KiB: the export then lands as fast as `docker save -o` writes it.
        await pipeline(
          stream,
          createWriteStream(file, { flags: 'wx', highWaterMark: SPOOL_WRITE_BYTES }),
          signal ? { signal } : {},
        );
      } catch (error) {
        await rm(file, { force: true });
        throw error;
      }
      return {
        file,
        archive: new DockerArchiveSource({ path: file, reference: this.reference, transport: this.transport }),
      };
    })();
    this.spool.catch(() => {
      this.spool = undefined;
    });
    return this.spool;
  }

  async close(): Promise<void> {
    const spool = await this.spool?.catch(() => undefined);
    this.spool = undefined;
    if (spool) await rm(spool.file, { force: true });
  }
}
