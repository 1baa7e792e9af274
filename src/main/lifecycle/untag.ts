/**
 * Removing exactly one tag. Where the registry deletes tags (OCI distribution spec 1.1,
 * `DELETE /v2/<name>/manifests/<tag>`) that is one request. Registries that delete by digest only
 * (distribution 2.x: distribution/distribution#2317, open since 2017) would take every tag of the digest
 * along, so the tag is first pointed at a placeholder manifest that no other tag can share (a random nonce
 * in its annotations), and that placeholder's digest is deleted: the technique regclient's `regctl tag
 * delete` uses (regclient/regclient#96 and #258, where its author explains it). The placeholder is an
 * OCI manifest whose config and one layer are the 2-byte empty descriptor (image-spec 1.1, "Guidance for
 * an Empty Descriptor"); it is garbage after the delete, and the registry's GC removes it.
 */
import { randomBytes } from 'node:crypto';
import { BerthError, isBerthError } from '../../shared/errors';
import type { DeleteCapabilities } from '../../shared/types/deletion';
import type { RegistryClient } from '../registry/client';
import { MediaType } from '../registry/media-types';

const EMPTY_BLOB = Buffer.from('{}');
const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
/** The annotation naming the tag a placeholder was made for: a re-run recognises its own placeholder. */
export const PLACEHOLDER_ANNOTATION = 'dev.berth.untag';

export function placeholderManifest(repository: string, tag: string): Buffer {
  const empty = { mediaType: MediaType.OciEmpty, digest: EMPTY_DIGEST, size: EMPTY_BLOB.length };
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: empty,
      layers: [empty],
      annotations: {
        [PLACEHOLDER_ANNOTATION]: `${repository}:${tag}`,
        'dev.berth.nonce': randomBytes(16).toString('hex'),
      },
    }),
  );
}

/** True when the manifest a tag points at is the placeholder Berth made to untag exactly that tag. */
export async function isOwnPlaceholder(
  client: RegistryClient,
  target: { registry: string; repository: string; tag: string },
  signal?: AbortSignal,
): Promise<string | undefined> {
  const manifest = await client.getManifest(target, signal ? { signal } : {});
  if (manifest.parsed.form !== 'image') return undefined;
  const note = manifest.parsed.annotations?.[PLACEHOLDER_ANNOTATION];
  return note === `${target.repository}:${target.tag}` ? manifest.digest : undefined;
}

export interface UntagTarget {
  registry: string;
  repository: string;
  tag: string;
}

/** Deletes the placeholder under a tag (and with it the tag), then checks the tag is gone. */
export async function deletePlaceholder(
  client: RegistryClient,
  target: UntagTarget,
  placeholder: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.deleteManifest({ ...target, tag: undefined, digest: placeholder }, signal ? { signal } : {});
  await expectGone(client, target, signal);
}

async function expectGone(client: RegistryClient, target: UntagTarget, signal?: AbortSignal): Promise<void> {
  const still = await client.headManifest(target, signal ? { signal } : {});
  if (still) {
    throw new BerthError(
      'bad_response',
      `${target.registry} accepted the delete of ${target.repository}:${target.tag} but the tag still resolves (to ${still.digest.slice(0, 19)}…): the registry did not delete it.`,
      { registry: target.registry },
    );
  }
}

/** Removes one tag and nothing else; the caller has checked it still points where the plan says. */
export async function untag(
  client: RegistryClient,
  target: UntagTarget,
  capabilities: DeleteCapabilities,
  signal?: AbortSignal,
): Promise<void> {
  const options = signal ? { signal } : {};
  if (capabilities.untagMethod === 'none') throw new BerthError('unsupported', capabilities.message);
  if (capabilities.untagMethod === 'vendor-api') {
    await client.deleteTag(target, { ...options, via: capabilities.api! });
    // Harbor serves the registry API too, so the tag's absence is checked there; Hub's registry is another host.
    if (capabilities.api === 'harbor') await expectGone(client, target, signal);
    return;
  }
  if (capabilities.untagMethod === 'tag-delete') {
    try {
      await client.deleteTag(target, options);
      await expectGone(client, target, signal);
      return;
    } catch (error) {
      // A registry that answered the probe like a tag-delete registry but refuses a real one: use the placeholder.
      if (!isBerthError(error) || error.code !== 'unsupported') throw error;
    }
  }
  const repo = { registry: target.registry, repository: target.repository };
  await client.uploadBlob(repo, { digest: EMPTY_DIGEST, size: EMPTY_BLOB.length }, EMPTY_BLOB, options);
  const placeholder = await client.putManifest(
    target,
    placeholderManifest(target.repository, target.tag),
    MediaType.OciManifest,
    options,
  );
  await deletePlaceholder(client, target, placeholder, signal);
}
