/**
 * Manifest parsing and checking. The raw bytes are kept and hashed as served; the parsed form is only
 * read, never re-serialised (a re-encoded manifest would have another digest).
 * Image manifest and index: https://github.com/opencontainers/image-spec/blob/main/manifest.md, image-index.md;
 * Docker v2.2 and schema 1: https://distribution.github.io/distribution/spec/manifest-v2-2/.
 */
import { z } from 'zod';
import { BerthError } from '../../shared/errors';
import { formatReference, isDigest, type ImageReference } from '../../shared/reference';
import type { Descriptor, ManifestInfo } from '../../shared/types/registry';
import { isIndexMediaType, isSchema1MediaType, manifestKind, MediaType } from './media-types';

/** distribution refuses manifests above 4 MiB (registry/handlers/manifests.go, maxManifestBodySize). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const digestSchema = z.string().max(256).refine(isDigest, 'not a valid digest');
const annotations = z.record(z.string(), z.string()).optional();
const platformSchema = z.object({
  os: z.string().max(128),
  architecture: z.string().max(128),
  variant: z.string().max(128).optional(),
  'os.version': z.string().max(256).optional(),
  'os.features': z.array(z.string()).optional(),
});
const descriptorSchema = z.object({
  mediaType: z.string().min(1).max(256),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  platform: platformSchema.optional(),
  artifactType: z.string().max(256).optional(),
  annotations,
  urls: z.array(z.string()).optional(),
});
const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().max(256).optional(),
  manifests: z.array(descriptorSchema).max(10_000),
  subject: descriptorSchema.optional(),
  annotations,
});
const imageSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().max(256).optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).max(10_000),
  subject: descriptorSchema.optional(),
  annotations,
});
const schema1Schema = z.object({
  schemaVersion: z.literal(1),
  name: z.string().optional(),
  tag: z.string().optional(),
  architecture: z.string().optional(),
  fsLayers: z.array(z.object({ blobSum: digestSchema })).max(10_000),
  history: z.array(z.object({ v1Compatibility: z.string() })).optional(),
  signatures: z.array(z.object({ protected: z.string() })).optional(),
});

export type ParsedManifest =
  | ({ form: 'index'; mediaType: string } & z.infer<typeof indexSchema>)
  | ({ form: 'image'; mediaType: string } & z.infer<typeof imageSchema>)
  | ({ form: 'schema1'; mediaType: string } & z.infer<typeof schema1Schema>);

/** A manifest as fetched: exact bytes, their digest, and the parsed view. */
export interface Manifest {
  /** The reference it was fetched by, with the digest filled in. */
  ref: ImageReference & { digest: string };
  digest: string;
  mediaType: string;
  size: number;
  bytes: Buffer;
  parsed: ParsedManifest;
}

function malformed(ref: ImageReference, why: string): BerthError {
  return new BerthError('bad_response', `The manifest of ${formatReference(ref)} is malformed: ${why}.`, {
    registry: ref.registry,
  });
}

function decodeJson(bytes: Buffer, ref: ImageReference): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw malformed(ref, 'it is not UTF-8 text');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(ref, 'it is not valid JSON');
  }
}

/**
 * The media type of a manifest: the Content-Type when it names a manifest type, else the document's own
 * `mediaType`, else inferred from its shape (OCI allows omitting it).
 */
function resolveMediaType(contentType: string | undefined, json: Record<string, unknown>): string {
  const fromHeader = contentType?.split(';')[0]?.trim().toLowerCase();
  if (
    fromHeader &&
    fromHeader !== 'application/json' &&
    fromHeader !== 'text/plain' &&
    fromHeader !== 'application/octet-stream'
  )
    return fromHeader;
  if (typeof json['mediaType'] === 'string') return json['mediaType'];
  if (json['schemaVersion'] === 1) return json['signatures'] ? MediaType.DockerSchema1Signed : MediaType.DockerSchema1;
  if (Array.isArray(json['manifests'])) return MediaType.OciIndex;
  return MediaType.OciManifest;
}

/** Parses manifest bytes. Throws bad_response on anything that is not a well-formed manifest. */
export function parseManifest(bytes: Buffer, contentType: string | undefined, ref: ImageReference): ParsedManifest {
  const json = decodeJson(bytes, ref);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw malformed(ref, 'it is not a JSON object');
  const mediaType = resolveMediaType(contentType, json as Record<string, unknown>);
  const declared = (json as { mediaType?: unknown }).mediaType;
  if (typeof declared === 'string' && !isSchema1MediaType(mediaType) && declared !== mediaType) {
    throw malformed(ref, `it says it is ${declared.slice(0, 100)} but was served as ${mediaType}`);
  }
  const schema = isSchema1MediaType(mediaType)
    ? schema1Schema
    : isIndexMediaType(mediaType)
      ? indexSchema
      : imageSchema;
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw malformed(
      ref,
      `${issue?.path.length ? `at ${issue.path.join('.')}: ` : ''}${issue?.message ?? 'unexpected structure'}`,
    );
  }
  const form = isSchema1MediaType(mediaType) ? 'schema1' : isIndexMediaType(mediaType) ? 'index' : 'image';
  return { form, mediaType, ...result.data } as ParsedManifest;
}

/**
 * The bytes a schema 1 digest covers: a signed (JWS) manifest is hashed without its signatures, i.e. the
 * first `formatLength` bytes plus the decoded `formatTail` of the protected header (docker/libtrust; what
 * distribution calls the manifest's `Canonical` bytes).
 */
export function schema1Payload(bytes: Buffer, parsed: ParsedManifest): Buffer {
  if (parsed.form !== 'schema1' || !parsed.signatures?.[0]) return bytes;
  try {
    const header = JSON.parse(Buffer.from(parsed.signatures[0].protected, 'base64url').toString('utf8')) as {
      formatLength?: unknown;
      formatTail?: unknown;
    };
    if (
      typeof header.formatLength !== 'number' ||
      typeof header.formatTail !== 'string' ||
      header.formatLength > bytes.length
    )
      return bytes;
    return Buffer.concat([bytes.subarray(0, header.formatLength), Buffer.from(header.formatTail, 'base64url')]);
  } catch {
    return bytes;
  }
}

/**
 * Parses served manifest bytes and keeps only the bytes its digest covers: all of them, except for a signed
 * schema 1 manifest, whose digest covers only its JWS payload. Anything outside that payload (the signatures,
 * or whatever a server put next to them) is unverified, so it is dropped: what is shown, parsed and copied is
 * exactly what the digest vouches for. Schema 1 is shown rather than refused because Berth lists it read-only
 * (to find and delete what old registries still hold); the signatures are not shown, as Berth does not check
 * them (libtrust keys are self-issued and vouch for nothing); containerd also keeps only the stripped payload
 * (core/remotes/docker/schema1 ReadStripSignature). Schema 1 is deprecated
 * (https://distribution.github.io/distribution/spec/manifest-v2-2/) and never pushed (remote/writes.ts).
 */
export function coveredManifest(
  served: Buffer,
  contentType: string | undefined,
  ref: ImageReference,
): { bytes: Buffer; parsed: ParsedManifest } {
  const parsed = parseManifest(served, contentType, ref);
  const payload = schema1Payload(served, parsed);
  if (payload === served) return { bytes: served, parsed };
  const covered = parseManifest(payload, parsed.mediaType, ref);
  // libtrust adds `signatures` outside the payload; one inside it would make the digest ambiguous.
  if (covered.form !== 'schema1' || covered.signatures !== undefined)
    throw malformed(ref, 'its signed payload carries signatures of its own');
  return { bytes: payload, parsed: covered };
}

function toDescriptor(descriptor: z.infer<typeof descriptorSchema>): Descriptor {
  const { mediaType, digest, size, platform, artifactType, annotations: notes } = descriptor;
  return {
    mediaType,
    digest,
    size,
    ...(platform ? { platform } : {}),
    ...(artifactType ? { artifactType } : {}),
    ...(notes ? { annotations: notes } : {}),
  };
}

/** The API's view of a manifest (what `registry.manifest` returns and `berth inspect` prints). */
export function manifestInfo(manifest: Manifest, requested: ImageReference): ManifestInfo {
  const { parsed } = manifest;
  const base = {
    reference: formatReference(requested),
    registry: manifest.ref.registry,
    repository: manifest.ref.repository,
    ...(requested.tag !== undefined ? { tag: requested.tag } : {}),
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    size: manifest.size,
    raw: manifest.bytes.toString('utf8'),
  };
  if (parsed.form === 'schema1') {
    return { ...base, kind: 'docker-schema1', deprecated: true };
  }
  const extras = {
    ...(parsed.subject ? { subject: toDescriptor(parsed.subject) } : {}),
    ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
    ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
  };
  if (parsed.form === 'index') {
    return { ...base, kind: manifestKind(parsed.mediaType), manifests: parsed.manifests.map(toDescriptor), ...extras };
  }
  return {
    ...base,
    kind: manifestKind(parsed.mediaType, parsed.config.mediaType, parsed.artifactType),
    config: toDescriptor(parsed.config),
    layers: parsed.layers.map(toDescriptor),
    ...extras,
  };
}

function parsedOf(manifest: Manifest | ParsedManifest): ParsedManifest {
  return 'parsed' in manifest ? manifest.parsed : manifest;
}

/** The entries of an index (none for other manifests). */
export function indexEntries(manifest: Manifest | ParsedManifest): Descriptor[] {
  const parsed = parsedOf(manifest);
  return parsed.form === 'index' ? parsed.manifests.map(toDescriptor) : [];
}

/** Config and layers of an image manifest (undefined for an index or schema 1). */
export function imageParts(
  manifest: Manifest | ParsedManifest,
): { config: Descriptor; layers: Descriptor[] } | undefined {
  const parsed = parsedOf(manifest);
  return parsed.form === 'image'
    ? { config: toDescriptor(parsed.config), layers: parsed.layers.map(toDescriptor) }
    : undefined;
}
