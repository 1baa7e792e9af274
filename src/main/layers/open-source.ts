/**
 * A source reference (`docker://`, `docker-daemon:`, `docker-archive:`, `oci:`) -> the `ImageSource` that
 * reads it. The registry and the engine are optional: without them their references fail with a clear error.
 */
import { BerthError } from '../../shared/errors';
import { parsePlatform } from '../registry';
import type { IndexCache } from './index-cache';
import { DaemonSource, type DaemonAccess } from './sources/docker-daemon';
import { DockerArchiveSource } from './sources/docker-archive';
import type { ImageSource } from './sources/image-source';
import { OciLayoutSource } from './sources/oci-layout';
import { RegistrySource, type RegistryAccess } from './sources/registry-source';
import { parseSourceReference } from './sources/source-reference';

export interface SourceAccess {
  registry?: RegistryAccess | undefined;
  daemon?: DaemonAccess | undefined;
  /** The layer index cache: the daemon source keeps there what it learnt of each image, by image ID. */
  cache: IndexCache;
}

/** `platform` is `os/arch[/variant]`, for references to multi-platform images. */
export function openSource(reference: string, platformText: string | undefined, access: SourceAccess): ImageSource {
  const platform = platformText === undefined ? undefined : parsePlatform(platformText);
  const parsed = parseSourceReference(reference);
  switch (parsed.transport) {
    case 'docker':
      if (!access.registry)
        throw new BerthError('unsupported', 'Registry images cannot be read here: no registry client is configured.');
      return new RegistrySource({
        registry: access.registry,
        target: parsed.target,
        reference,
        ...(platform ? { platform } : {}),
      });
    case 'docker-daemon':
      if (!access.daemon)
        throw new BerthError(
          'engine_unavailable',
          'Images of the local Docker engine cannot be read here: no engine is configured.',
        );
      return new DaemonSource({ daemon: access.daemon, cache: access.cache, image: parsed.target, reference });
    case 'docker-archive':
      return new DockerArchiveSource({
        path: parsed.target,
        reference,
        ...(parsed.selector ? { selector: parsed.selector } : {}),
      });
    case 'oci':
      return new OciLayoutSource({
        dir: parsed.target,
        reference,
        ...(parsed.selector ? { selector: parsed.selector } : {}),
        ...(platform ? { platform } : {}),
      });
  }
}
