/**
 * Image references with a transport prefix, named as skopeo names them
 * (https://github.com/containers/image/blob/main/docs/containers-transports.5.md):
 *   docker://REF              a registry (the default when there is no prefix)
 *   docker-daemon:NAME[:TAG]  an image of the local Docker engine (also NAME@DIGEST or an image ID)
 *   docker-archive:PATH[:REF] a `docker save` tarball; REF picks an image (`name:tag` or `@N`) when it holds several
 *   oci:DIR[:TAG]             an OCI image layout directory; TAG is its `org.opencontainers.image.ref.name`
 * As in skopeo, the path ends at the first colon after the transport.
 */
import { BerthError } from '../../../shared/errors';
import type { ImageTransport } from '../../../shared/types/layers';

export interface SourceReference {
  transport: ImageTransport;
  /** The registry reference, engine image name, archive path or layout directory. */
  target: string;
  /** For archives and layouts: which image inside. */
  selector?: string;
}

const UNSUPPORTED = [
  'oci-archive',
  'dir',
  'containers-storage',
  'docker-archive-compressed',
  'ostree',
  'sif',
  'tarball',
];

export function parseSourceReference(input: string): SourceReference {
  const text = input.trim();
  if (text.startsWith('docker://'))
    return { transport: 'docker', target: requireValue(text.slice('docker://'.length), 'docker://') };
  const colon = text.indexOf(':');
  const prefix = colon > 0 ? text.slice(0, colon) : '';
  const rest = text.slice(colon + 1);
  if (prefix === 'docker-daemon') return { transport: 'docker-daemon', target: requireValue(rest, 'docker-daemon:') };
  if (prefix === 'docker-archive' || prefix === 'oci') {
    const split = rest.indexOf(':');
    const target = requireValue(split < 0 ? rest : rest.slice(0, split), `${prefix}:`);
    const selector = split < 0 ? undefined : rest.slice(split + 1);
    return { transport: prefix, target, ...(selector ? { selector } : {}) };
  }
  if (UNSUPPORTED.includes(prefix)) {
    throw new BerthError(
      'unsupported',
      `The ${prefix}: transport is not supported; use docker://, docker-daemon:, docker-archive: or oci:.`,
    );
  }
  return { transport: 'docker', target: requireValue(text, 'an image reference') };
}

function requireValue(value: string, what: string): string {
  if (value.length === 0)
    throw new BerthError('invalid_input', `Nothing follows ${what}: name an image, a file or a directory.`);
  return value;
}
