/**
 * `oci:DIR[:TAG]`: an OCI image layout directory (https://github.com/opencontainers/image-spec/blob/main/image-layout.md),
 * as written by `skopeo copy ... oci:DIR:TAG`, BuildKit's `--output type=oci` (unpacked) or `crane`.
 * `index.json` names the images (TAG is the `org.opencontainers.image.ref.name` annotation, or `@N` for the
 * Nth entry); blobs live at `blobs/<algorithm>/<hex>` and are verified against their digests.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { BerthError } from '../../../shared/errors';
import type { Descriptor, Platform } from '../../../shared/types/registry';
import { MAX_CONFIG_BYTES, parseImageConfig } from '../../registry';
import { selectPlatform } from '../../registry';
import type { ImageSource, SourceImage, SourceLayer } from './image-source';

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const REF_NAME = 'org.opencontainers.image.ref.name';
const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const LAYER_TYPE =
  /^application\/vnd\.(oci\.image\.layer(\.nondistributable)?\.v1\.tar(\+gzip|\+zstd)?|docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip)?)$/;

const digestSchema = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,128}$/);
const descriptorSchema = z.object({
  mediaType: z.string().default(''),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  platform: z
    .object({
      os: z.string(),
      architecture: z.string(),
      variant: z.string().optional(),
      'os.version': z.string().optional(),
    })
    .optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const indexSchema = z.object({ manifests: z.array(descriptorSchema).max(10_000) });
const manifestSchema = z.object({
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).max(10_000),
});

export interface OciLayoutOptions {
  dir: string;
  /** A ref name from index.json, or `@N`. */
  selector?: string;
  platform?: Platform;
  reference: string;
}

export class OciLayoutSource implements ImageSource {
  readonly transport = 'oci' as const;
  readonly reference: string;
  readonly verifiesDigests = false;

  constructor(private readonly options: OciLayoutOptions) {
    this.reference = options.reference;
  }

  private blobPath(digest: string): string {
    const colon = digest.indexOf(':');
    return join(this.options.dir, 'blobs', digest.slice(0, colon), digest.slice(colon + 1));
  }

  /** A small blob (manifest, config), verified against its descriptor. */
  private async readBlob(
    descriptor: { digest: string; size: number },
    maxBytes: number,
    what: string,
  ): Promise<Buffer> {
    if (descriptor.size > maxBytes)
      throw new BerthError(
        'too_large',
        `${what} of ${this.reference} is ${descriptor.size} bytes, over the ${maxBytes}-byte limit.`,
      );
    let bytes: Buffer;
    try {
      const handle = await open(this.blobPath(descriptor.digest), 'r');
      try {
        bytes = Buffer.alloc(descriptor.size + 1);
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
        bytes = bytes.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } catch {
      throw new BerthError(
        'not_found',
        `${what} of ${this.reference} (${descriptor.digest}) is missing from the layout's blobs.`,
      );
    }
    const algorithm = descriptor.digest.slice(0, descriptor.digest.indexOf(':'));
    if (algorithm !== 'sha256' && algorithm !== 'sha512')
      throw new BerthError(
        'unsupported',
        `${what} of ${this.reference} uses ${algorithm} digests, which Berth cannot verify.`,
      );
    const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
    if (bytes.length !== descriptor.size || actual !== descriptor.digest) {
      throw new BerthError(
        'digest_mismatch',
        `${what} of ${this.reference} does not match its descriptor (${descriptor.digest}, ${descriptor.size} bytes).`,
      );
    }
    return bytes;
  }

  private parseJson<T>(bytes: Buffer, schema: z.ZodType<T>, what: string): T {
    try {
      return schema.parse(JSON.parse(bytes.toString('utf8')));
    } catch {
      throw new BerthError('bad_response', `${what} of ${this.reference} is malformed.`);
    }
  }

  private async readIndex(): Promise<z.infer<typeof indexSchema>> {
    const info = await stat(this.options.dir).catch(() => undefined);
    if (!info?.isDirectory())
      throw new BerthError('not_found', `${this.reference}: ${this.options.dir} is not a directory.`);
    const layout = await readFile(join(this.options.dir, 'oci-layout'), 'utf8').catch(() => undefined);
    if (layout === undefined)
      throw new BerthError(
        'bad_response',
        `${this.options.dir} has no oci-layout file; it is not an OCI image layout.`,
      );
    const indexBytes = await readFile(join(this.options.dir, 'index.json')).catch(() => undefined);
    if (!indexBytes) throw new BerthError('bad_response', `${this.options.dir} has no index.json.`);
    if (indexBytes.length > MAX_MANIFEST_BYTES)
      throw new BerthError('too_large', `The index.json of ${this.reference} is over ${MAX_MANIFEST_BYTES} bytes.`);
    return this.parseJson(indexBytes, indexSchema, 'The index.json');
  }

  private choose(manifests: Descriptor[]): Descriptor {
    const selector = this.options.selector;
    const names = manifests.map((descriptor, index) => descriptor.annotations?.[REF_NAME] ?? `@${index}`);
    if (selector === undefined) {
      if (manifests.length === 1) return manifests[0]!;
      if (manifests.length === 0) throw new BerthError('not_found', `${this.reference} holds no image.`);
      throw new BerthError(
        'invalid_input',
        `${this.reference} holds ${manifests.length} images (${names.join(', ')}); add :NAME to pick one.`,
      );
    }
    if (selector.startsWith('@')) {
      const index = Number(selector.slice(1));
      const chosen = Number.isInteger(index) ? manifests[index] : undefined;
      if (!chosen)
        throw new BerthError('not_found', `${this.reference} has no image ${selector}; it holds ${manifests.length}.`);
      return chosen;
    }
    const chosen = manifests.find((descriptor) => descriptor.annotations?.[REF_NAME] === selector);
    if (!chosen)
      throw new BerthError(
        'not_found',
        `${this.reference} has no image named ${selector}; it has ${names.join(', ') || 'none'}.`,
      );
    return chosen;
  }

  async image(): Promise<SourceImage> {
    const index = await this.readIndex();
    let descriptor: Descriptor = this.choose(index.manifests);
    let manifestBytes = await this.readBlob(descriptor, MAX_MANIFEST_BYTES, 'The manifest');
    const declaredType = (bytes: Buffer): string => {
      let json: { mediaType?: unknown; manifests?: unknown };
      try {
        json = JSON.parse(bytes.toString('utf8')) as typeof json;
      } catch {
        return descriptor.mediaType;
      }
      return typeof json.mediaType === 'string'
        ? json.mediaType
        : Array.isArray(json.manifests)
          ? 'application/vnd.oci.image.index.v1+json'
          : descriptor.mediaType;
    };
    if (INDEX_TYPES.has(descriptor.mediaType) || INDEX_TYPES.has(declaredType(manifestBytes))) {
      const nested = this.parseJson(manifestBytes, indexSchema, 'The image index');
      descriptor = selectPlatform(nested.manifests, this.options.platform);
      manifestBytes = await this.readBlob(descriptor, MAX_MANIFEST_BYTES, 'The platform manifest');
    }
    const manifest = this.parseJson(manifestBytes, manifestSchema, 'The manifest');
    const configBytes = await this.readBlob(manifest.config, MAX_CONFIG_BYTES, 'The config');
    const { summary, diffIds } = parseImageConfig(configBytes, manifest.config.digest, this.reference);
    if (diffIds.length !== manifest.layers.length) {
      throw new BerthError(
        'bad_response',
        `The manifest of ${this.reference} has ${manifest.layers.length} layers, but its config has ${diffIds.length} diff IDs.`,
      );
    }
    const layers: SourceLayer[] = manifest.layers.map((layer, position) => {
      if (!LAYER_TYPE.test(layer.mediaType)) {
        throw new BerthError(
          'unsupported',
          `Layer ${position} of ${this.reference} is ${layer.mediaType || 'of no media type'}, not a filesystem layer.`,
        );
      }
      return {
        digest: layer.digest,
        diffId: diffIds[position]!,
        mediaType: layer.mediaType,
        size: layer.size,
        digestKnown: true,
      };
    });
    return {
      transport: 'oci',
      reference: this.reference,
      manifestDigest: descriptor.digest,
      configDigest: manifest.config.digest,
      config: summary,
      layers,
    };
  }

  async openLayer(layer: SourceLayer): Promise<Readable> {
    const path = this.blobPath(layer.digest);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile())
      throw new BerthError(
        'not_found',
        `Layer ${layer.digest} of ${this.reference} is missing from the layout's blobs.`,
      );
    return createReadStream(path, { highWaterMark: 256 * 1024 });
  }

  async close(): Promise<void> {}
}
