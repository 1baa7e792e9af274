/**
 * Referrers of a manifest (signatures, SBOMs, attestations): the OCI 1.1 referrers API
 * `GET /v2/<name>/referrers/<digest>`, and for registries without it the fallback tag `sha256-<hex>`
 * whose index lists them (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers).
 */
import { BerthError } from '../../../shared/errors';
import type { ImageReference, RepositoryName } from '../../../shared/reference';
import type { Descriptor, Referrer } from '../../../shared/types/registry';
import { repositoryScope } from '../auth';
import { headerValue } from '../errors';
import { indexEntries, MAX_MANIFEST_BYTES, parseManifest } from '../manifest';
import { MediaType, referrerType } from '../media-types';
import type { Requester } from '../requester';
import { readBody } from '../transport';
import { fetchManifest } from './manifests';
import { nextLink } from './paging';

const MAX_REFERRER_PAGES = 100;
/** Descriptors without an artifactType need their manifest fetched to name them; bounded. */
const MAX_MANIFEST_LOOKUPS = 50;

/** The referrers API's pages, or undefined when the registry does not implement it (404). */
async function fromApi(
  requester: Requester,
  repo: RepositoryName,
  digest: string,
  signal?: AbortSignal,
): Promise<Descriptor[] | undefined> {
  const baseUrl = await requester.baseUrl(repo.registry, signal);
  const action = `list the referrers of ${digest.slice(0, 19)}… in ${repo.repository}`;
  let url: URL | undefined = new URL(`/v2/${repo.repository}/referrers/${digest}`, baseUrl);
  const found: Descriptor[] = [];
  const seen = new Set<string>();
  for (let page = 0; url; page++) {
    if (page >= MAX_REFERRER_PAGES || seen.has(url.href)) {
      throw new BerthError('bad_response', `Could not ${action}: ${repo.registry}'s referrer pages do not end.`, {
        registry: repo.registry,
      });
    }
    seen.add(url.href);
    const response = await requester.send(repo.registry, {
      method: 'GET',
      path: url,
      scopes: [repositoryScope(repo.repository, 'pull')],
      headers: { accept: MediaType.OciIndex },
      action,
      handles: [404, 400, 405],
      ...(signal ? { signal } : {}),
    });
    if (response.status !== 200) {
      await response.body.dump().catch(() => undefined);
      if (page === 0) return undefined;
      throw new BerthError(
        'bad_response',
        `Could not ${action}: ${repo.registry} failed on a later page (HTTP ${response.status}).`,
        { registry: repo.registry },
      );
    }
    const bytes = await readBody(
      response,
      MAX_MANIFEST_BYTES,
      { registry: repo.registry, action },
      () => new BerthError('too_large', `The referrers list of ${digest} is larger than 4 MiB.`),
    );
    const index = parseManifest(bytes, MediaType.OciIndex, { ...repo, digest });
    found.push(...indexEntries(index));
    const next = nextLink(headerValue(response.headers, 'link'), url);
    url = next && next.origin === baseUrl.origin ? next : undefined;
  }
  return found;
}

/** The `sha256-<hex>` fallback tag's index entries; none when the tag does not exist. */
async function fromFallbackTag(
  requester: Requester,
  repo: RepositoryName,
  digest: string,
  signal?: AbortSignal,
): Promise<Descriptor[]> {
  const tag = digest.replace(':', '-');
  try {
    const manifest = await fetchManifest(requester, { ...repo, tag }, signal);
    return indexEntries(manifest.parsed);
  } catch (error) {
    if (error instanceof BerthError && error.code === 'not_found') return [];
    throw error;
  }
}

/** Lists what refers to `ref` (which must carry a digest), each named as signature, SBOM, attestation or other. */
export async function listReferrers(
  requester: Requester,
  ref: ImageReference & { digest: string },
  signal?: AbortSignal,
): Promise<Referrer[]> {
  return (await findReferrers(requester, ref, signal)).referrers;
}

/** As listReferrers, saying also whether the registry has the referrers API (`api: false`: the fallback tag was read). */
export async function findReferrers(
  requester: Requester,
  ref: ImageReference & { digest: string },
  signal?: AbortSignal,
): Promise<{ referrers: Referrer[]; api: boolean }> {
  const repo = { registry: ref.registry, repository: ref.repository };
  const fromRegistryApi = await fromApi(requester, repo, ref.digest, signal);
  const descriptors = fromRegistryApi ?? (await fromFallbackTag(requester, repo, ref.digest, signal));
  let lookups = 0;
  const referrers: Referrer[] = [];
  for (const descriptor of descriptors) {
    let artifactType = descriptor.artifactType;
    if (!artifactType && lookups < MAX_MANIFEST_LOOKUPS) {
      lookups++;
      // An artifact without artifactType is typed by its config's media type (image spec, "artifactType").
      const manifest = await fetchManifest(requester, { ...repo, digest: descriptor.digest }, signal);
      artifactType =
        manifest.parsed.form === 'image'
          ? (manifest.parsed.artifactType ?? manifest.parsed.config.mediaType)
          : manifest.mediaType;
    }
    const type = artifactType ?? descriptor.mediaType;
    referrers.push({
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      artifactType: type,
      type: referrerType(type),
      size: descriptor.size,
      ...(descriptor.annotations ? { annotations: descriptor.annotations } : {}),
    });
  }
  return { referrers, api: fromRegistryApi !== undefined };
}
