/**
 * `docker-archive:PATH[:REF]`: a tarball made by `docker save` (or skopeo's docker-archive), read in place.
 * Its `manifest.json` lists each image's config file and layer files; layers are stored uncompressed, so a
 * layer file's digest is its diffID (Docker 25+ names them `blobs/sha256/<hex>`, older Docker `<id>/layer.tar`).
 * Format: https://github.com/moby/moby/blob/master/image/spec/v1.2.md (combined image JSON + filesystem).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { BerthError } from '../../../shared/errors';
import type { ImageTransport } from '../../../shared/types/layers';
import { MAX_CONFIG_BYTES, parseImageConfig } from '../../registry';
import { readArchiveToc, readMember, type ArchiveMember } from './archive-toc';
import type { ImageSource, SourceImage, SourceLayer } from './image-source';

const MAX_MANIFEST_JSON_BYTES = 16 * 1024 * 1024;
const UNCOMPRESSED_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

const archiveManifestSchema = z
  .array(
    z.object({
      Config: z.string().min(1),
      RepoTags: z.array(z.string()).nullish(),
      Layers: z.array(z.string().min(1)).max(10_000),
    }),
  )
  .min(1)
  .max(10_000);

type ArchiveImage = z.infer<typeof archiveManifestSchema>[number];

const BLOB_NAME = /(?:^|\/)(sha256)\/([a-f0-9]{64})$/;
const CONFIG_NAME = /(?:^|\/)([a-f0-9]{64})(?:\.json)?$/;

export interface DockerArchiveOptions {
  path: string;
  /** `name:tag` or `@N` (0-based) to pick one image of a multi-image archive. */
  selector?: string;
  /** The reference as the user gave it, for messages and results. */
  reference: string;
  /** docker-daemon sources read the engine's export through this class too. */
  transport?: ImageTransport;
}

export class DockerArchiveSource implements ImageSource {
  readonly transport: ImageTransport;
  readonly reference: string;
  readonly verifiesDigests = false;
  private toc?: Promise<Map<string, ArchiveMember>>;
  private readonly layerMembers = new Map<string, ArchiveMember>();

  constructor(private readonly options: DockerArchiveOptions) {
    this.transport = options.transport ?? 'docker-archive';
    this.reference = options.reference;
  }

  private members(): Promise<Map<string, ArchiveMember>> {
    this.toc ??= readArchiveToc(this.options.path, this.reference);
    return this.toc;
  }

  private async member(name: string): Promise<ArchiveMember> {
    const member = (await this.members()).get(name.replace(/^(\.\/)+/, ''));
    if (!member)
      throw new BerthError(
        'bad_response',
        `${this.reference} lists ${name} in manifest.json, but the archive has no such file.`,
      );
    return member;
  }

  async image(): Promise<SourceImage> {
    const members = await this.members();
    const manifestMember = members.get('manifest.json');
    if (!manifestMember)
      throw new BerthError(
        'bad_response',
        `${this.reference} has no manifest.json; it is not an archive made by \`docker save\`.`,
      );
    const manifestBytes = await readMember(
      this.options.path,
      manifestMember,
      MAX_MANIFEST_JSON_BYTES,
      `manifest.json of ${this.reference}`,
    );
    let parsed: z.infer<typeof archiveManifestSchema>;
    try {
      parsed = archiveManifestSchema.parse(JSON.parse(manifestBytes.toString('utf8')));
    } catch {
      throw new BerthError(
        'bad_response',
        `The manifest.json of ${this.reference} is not a docker save manifest (a list of {Config, RepoTags, Layers}).`,
      );
    }
    const chosen = this.choose(parsed);
    const configBytes = await readMember(
      this.options.path,
      await this.member(chosen.Config),
      MAX_CONFIG_BYTES,
      `The config of ${this.reference}`,
    );
    const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    const named = CONFIG_NAME.exec(chosen.Config);
    if (named && `sha256:${named[1]}` !== configDigest) {
      throw new BerthError(
        'digest_mismatch',
        `The config ${chosen.Config} of ${this.reference} does not match its name (its bytes hash to ${configDigest}).`,
      );
    }
    const { summary, diffIds } = parseImageConfig(configBytes, configDigest, this.reference);
    if (diffIds.length !== chosen.Layers.length) {
      throw new BerthError(
        'bad_response',
        `${this.reference} lists ${chosen.Layers.length} layers, but its config has ${diffIds.length} diff IDs.`,
      );
    }
    const layers: SourceLayer[] = [];
    for (const [position, name] of chosen.Layers.entries()) {
      const member = await this.member(name);
      const diffId = diffIds[position]!;
      const blob = BLOB_NAME.exec(name);
      const digest = blob ? `${blob[1]}:${blob[2]}` : diffId;
      this.layerMembers.set(digest, member);
      layers.push({ digest, diffId, mediaType: UNCOMPRESSED_LAYER, size: member.size, digestKnown: blob !== null });
    }
    return { transport: this.transport, reference: this.reference, configDigest, config: summary, layers };
  }

  private choose(images: ArchiveImage[]): ArchiveImage {
    const selector = this.options.selector;
    const names = images.map((image, index) => (image.RepoTags?.length ? image.RepoTags.join(', ') : `@${index}`));
    if (selector === undefined) {
      if (images.length === 1) return images[0]!;
      throw new BerthError(
        'invalid_input',
        `${this.reference} holds ${images.length} images (${names.join('; ')}); add :NAME:TAG or :@INDEX to pick one.`,
      );
    }
    if (selector.startsWith('@')) {
      const index = Number(selector.slice(1));
      const image = Number.isInteger(index) ? images[index] : undefined;
      if (!image)
        throw new BerthError('not_found', `${this.reference} has no image ${selector}; it holds ${images.length}.`);
      return image;
    }
    const image = images.find((candidate) => candidate.RepoTags?.includes(selector));
    if (!image)
      throw new BerthError(
        'not_found',
        `${this.reference} has no image tagged ${selector}; it holds ${names.join('; ')}.`,
      );
    return image;
  }

  async openLayer(layer: SourceLayer): Promise<Readable> {
    if (this.layerMembers.size === 0) await this.image();
    const member = this.layerMembers.get(layer.digest);
    if (!member) throw new BerthError('not_found', `${this.reference} has no layer ${layer.digest}.`);
    if (member.size === 0) return Readable.from([]);
    return createReadStream(this.options.path, {
      start: member.offset,
      end: member.offset + member.size - 1,
      highWaterMark: 256 * 1024,
    });
  }

  async close(): Promise<void> {}
}
