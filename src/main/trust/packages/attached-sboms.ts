/**
 * SBOM documents attached to an image, read as package lists: SPDX and CycloneDX JSON documents pushed as
 * OCI referrers (`application/spdx+json`, `application/vnd.cyclonedx+json`), which nothing signs, and in-toto
 * attestations with an SPDX or CycloneDX predicate, verified by the trust service (DSSE envelopes).
 */
import { isBerthError } from '../../../shared/errors';
import { parseReference } from '../../../shared/reference';
import type { AttachedSbom, SbomFormat } from '../../../shared/types/packages';
import type { RegistryClient } from '../../registry';

/** What the trust service gives for attestations (TrustService.attestations, structurally). */
export interface AttestationReader {
  attestations(
    reference: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ predicateType: string; verified: boolean; reason?: string; statement: unknown; source: string }[]>;
}

export type SbomRegistry = Pick<RegistryClient, 'findReferrers' | 'getManifest' | 'fetchBlob'>;

const MAX_SBOM_BYTES = 64 * 1024 * 1024;
const SBOM_MEDIA_TYPE = /spdx|cyclonedx/i;

/** The format a referrer's artifact type, a layer's media type or an attestation's predicate type names. */
function formatOf(type: string): SbomFormat | undefined {
  if (/spdx/i.test(type)) return 'spdx';
  if (/cyclonedx/i.test(type)) return 'cyclonedx';
  return undefined;
}

type SbomPackage = AttachedSbom['packages'][number];

/** A CycloneDX component's licence: the expression, else the ids or names joined. */
function cycloneDxLicense(licenses: unknown): string | undefined {
  if (!Array.isArray(licenses)) return undefined;
  const names = licenses.flatMap((entry: unknown): string[] => {
    if (!entry || typeof entry !== 'object') return [];
    const { expression, license } = entry as { expression?: unknown; license?: { id?: unknown; name?: unknown } };
    if (typeof expression === 'string') return [expression];
    const value = license?.id ?? license?.name;
    return typeof value === 'string' ? [value] : [];
  });
  return names.length > 0 ? names.join(' AND ') : undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The packages an SPDX 2.x or CycloneDX JSON document lists; undefined when it is neither. */
export function readSbomDocument(document: unknown, format: SbomFormat): SbomPackage[] | undefined {
  if (!document || typeof document !== 'object') return undefined;
  const packages: SbomPackage[] = [];
  const push = (name: unknown, version: unknown, purl: unknown, license: unknown) => {
    const item = { name: text(name), version: text(version), purl: text(purl), license: text(license) };
    if (item.name === undefined) return;
    packages.push(Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined)) as SbomPackage);
  };
  if (format === 'cyclonedx') {
    const { components } = document as { components?: unknown };
    if (!Array.isArray(components)) return undefined;
    const visit = (list: unknown[]) => {
      for (const component of list) {
        if (!component || typeof component !== 'object') continue;
        const item = component as Record<string, unknown>;
        push(item.name, item.version, item.purl, cycloneDxLicense(item.licenses));
        if (Array.isArray(item.components)) visit(item.components);
      }
    };
    visit(components);
    return packages;
  }
  const spdx = document as { spdxVersion?: unknown; packages?: unknown };
  if (typeof spdx.spdxVersion !== 'string' || !Array.isArray(spdx.packages)) return undefined;
  for (const entry of spdx.packages) {
    if (!entry || typeof entry !== 'object') continue;
    const item = entry as Record<string, unknown>;
    const refs = Array.isArray(item.externalRefs) ? (item.externalRefs as Record<string, unknown>[]) : [];
    const purl = refs.find((ref) => ref?.referenceType === 'purl')?.referenceLocator;
    const license = [item.licenseDeclared, item.licenseConcluded].find(
      (value) => typeof value === 'string' && value !== 'NOASSERTION' && value !== 'NONE',
    );
    push(item.name, item.versionInfo, purl, license);
  }
  return packages;
}

export async function attachedSboms(
  reference: string,
  registry: SbomRegistry,
  attestations: AttestationReader | undefined,
  signal?: AbortSignal,
): Promise<{ sboms: AttachedSbom[]; problems: string[] }> {
  const ref = parseReference(reference);
  const repo = { registry: ref.registry, repository: ref.repository };
  const options = signal ? { signal } : {};
  const sboms: AttachedSbom[] = [];
  const problems: string[] = [];
  const keep = (error: unknown, where: string) => {
    if (signal?.aborted || (isBerthError(error) && error.code === 'cancelled')) throw error;
    problems.push(`${where}: ${(error as Error).message}`);
  };
  const { digest, referrers } = await registry.findReferrers(ref, options);
  for (const referrer of referrers) {
    if (!SBOM_MEDIA_TYPE.test(referrer.artifactType) && referrer.type !== 'sbom') continue;
    try {
      const manifest = await registry.getManifest({ ...repo, digest: referrer.digest }, options);
      const layers = manifest.parsed.form === 'image' ? manifest.parsed.layers : [];
      for (const layer of layers) {
        const format = formatOf(layer.mediaType) ?? formatOf(referrer.artifactType);
        if (!format || layer.size > MAX_SBOM_BYTES || /dsse|in-toto/i.test(layer.mediaType)) continue;
        const bytes = await registry.fetchBlob(repo, layer, MAX_SBOM_BYTES, options);
        const packages = readSbomDocument(JSON.parse(bytes.toString('utf8')), format);
        if (!packages) {
          problems.push(`${referrer.digest}: the document is not ${format === 'spdx' ? 'SPDX' : 'CycloneDX'} JSON`);
          continue;
        }
        sboms.push({
          format,
          source: referrer.digest,
          via: 'referrer',
          verification: 'unverified',
          reason: 'a plain referrer document: nothing signs it',
          packages,
        });
      }
    } catch (error) {
      keep(error, referrer.digest);
    }
  }
  if (attestations) {
    try {
      for (const attestation of await attestations.attestations(
        `${repo.registry}/${repo.repository}@${digest}`,
        options,
      )) {
        const format = formatOf(attestation.predicateType);
        if (!format) continue;
        const predicate = (attestation.statement as { predicate?: unknown } | null)?.predicate;
        const packages = readSbomDocument(predicate, format);
        if (!packages) {
          problems.push(
            `${attestation.source}: the ${attestation.predicateType} predicate is not a document Berth reads`,
          );
          continue;
        }
        sboms.push({
          format,
          source: attestation.source,
          via: 'attestation',
          verification: attestation.verified ? 'verified' : 'unverified',
          ...(attestation.reason ? { reason: attestation.reason } : {}),
          packages,
        });
      }
    } catch (error) {
      keep(error, 'attestations');
    }
  }
  return { sboms, problems };
}
