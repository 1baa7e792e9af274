/**
 * The registry core's public API, for the api handlers, promotion (copy, mount, upload, put manifest) and
 * the layer engine (verified blob streams, manifest and config by reference and platform).
 *
 *   const client = createRegistryClient({ credentials, hostOptions });
 *   const { image, config } = await client.resolveImage('127.0.0.1:5000/app:1.0', { platform: parsePlatform('linux/arm64') });
 *   const layer = await client.openBlob(image.ref, image.parsed.layers[0]);   // verified Readable
 */
export { createRegistryClient, RegistryClient } from './client';
export type {
  AccessCheck,
  ReferenceInput,
  RegistryClientOptions,
  RequestOptions,
  ResolvedConfig,
  ResolvedImage,
} from './client';
export type { HostOptions, HostOptionsResolver, RetryPolicy, Timeouts } from './transport';
export { missingActions, type AccessProbe } from './auth';
export { permissionError, permissionText, type Permission } from './errors';
export type { Manifest, ParsedManifest } from './manifest';
export { imageParts, indexEntries, manifestInfo, MAX_MANIFEST_BYTES } from './manifest';
export { MAX_CONFIG_BYTES, parseImageConfig, type ParsedConfig } from './config';
export type { BlobTarget } from './remote/blobs';
export type { BlobSource, UploadOutcome } from './remote/writes';
export {
  MediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isSchema1MediaType,
  manifestKind,
  referrerType,
} from './media-types';
export { defaultPlatform, formatPlatform, parsePlatform, platformMatches, selectPlatform } from './platform';
export { computeDigest } from './digest';
export {
  createRegistryBrowser,
  type RegistryBrowser,
  type RegistryBrowserOptions,
  type RegistryTarget,
  type TagDetailsProgress,
} from './browser';
export type { SearchHit } from '../../shared/types/registry';
