/**
 * What a registry lets Berth delete, asked before the user tries: a DELETE of a manifest digest that cannot
 * exist answers 404 where deletes are enabled and 405 `UNSUPPORTED` where they are disabled (distribution's
 * `storage.delete.enabled: false`); a DELETE of a tag that cannot exist answers 404 only where the registry
 * deletes tags on their own (OCI distribution spec 1.1, "Deleting tags"), distribution 2.x answers 400
 * `DIGEST_INVALID`. Nothing exists under either name, so the probe changes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isBerthError } from '../../shared/errors';
import type { DeleteCapabilities } from '../../shared/types/deletion';
import type { RegistryClient } from '../registry/client';

type Outcome = 'absent' | 'unsupported' | 'accepted' | 'other';

async function probe(run: () => Promise<void>): Promise<{ outcome: Outcome; error?: unknown }> {
  try {
    await run();
    return { outcome: 'accepted' };
  } catch (error) {
    if (isBerthError(error) && error.code === 'not_found') return { outcome: 'absent' };
    if (isBerthError(error) && error.code === 'unsupported') return { outcome: 'unsupported' };
    return { outcome: 'other', error };
  }
}

export async function probeDeleteCapabilities(
  client: RegistryClient,
  registry: string,
  repository: string,
  signal?: AbortSignal,
): Promise<DeleteCapabilities> {
  const options = signal ? { signal } : {};
  const nonce = randomBytes(16).toString('hex');
  const digest = `sha256:${createHash('sha256').update(`berth delete probe ${nonce}`).digest('hex')}`;
  const manifest = await probe(() => client.deleteManifest({ registry, repository, digest }, options));
  if (manifest.outcome === 'other') throw manifest.error;
  if (manifest.outcome === 'unsupported') {
    return {
      registry,
      manifestDelete: 'disabled',
      tagDelete: false,
      untagMethod: 'none',
      message: `${registry} has deletes disabled (it answered 405 UNSUPPORTED); on a distribution registry set storage.delete.enabled: true.`,
    };
  }
  if (manifest.outcome === 'accepted') {
    // A manifest that cannot exist was "deleted": this registry's answers to DELETE say nothing.
    return {
      registry,
      manifestDelete: 'unknown',
      tagDelete: false,
      untagMethod: 'none',
      message: `${registry} answered a delete of a manifest that cannot exist as if it had deleted it, so its delete answers cannot be trusted; Berth will not delete there.`,
    };
  }
  const tag = await probe(() => client.deleteTag({ registry, repository, tag: `berth-probe-${nonce}` }, options));
  if (tag.outcome === 'other') throw tag.error;
  const tagDelete = tag.outcome === 'absent';
  return {
    registry,
    manifestDelete: 'enabled',
    tagDelete,
    untagMethod: tagDelete ? 'tag-delete' : 'placeholder-manifest',
    message: tagDelete
      ? `${registry} deletes manifests and single tags.`
      : `${registry} deletes manifests by digest only; a single tag is removed by pointing it at a placeholder manifest and deleting that.`,
  };
}

/**
 * Docker Hub and Harbor delete through their own APIs (see registry/remote/vendor.ts), chosen by the
 * registry's kind: Hub's registry answers every /v2/ DELETE with UNSUPPORTED, and Harbor's API removes a
 * tag alone. Nothing is probed: a refusal comes back from the delete itself, with the vendor's message.
 */
export function vendorDeleteCapabilities(registry: string, api: 'dockerhub' | 'harbor'): DeleteCapabilities {
  return api === 'harbor'
    ? {
        registry,
        manifestDelete: 'enabled',
        tagDelete: true,
        untagMethod: 'vendor-api',
        api,
        message: `${registry} is a Harbor registry: Berth deletes tags and artifacts through Harbor's API.`,
      }
    : {
        registry,
        // Hub has no delete of an image by digest for Berth to use; untagging every tag leaves it to Hub.
        manifestDelete: 'disabled',
        tagDelete: true,
        untagMethod: 'vendor-api',
        api,
        message: `${registry} is Docker Hub: Berth removes tags through Hub's API; Hub deletes images by tag only.`,
      };
}
