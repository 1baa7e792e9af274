/**
 * The delete and pull-time APIs of registries that have their own (the registry settings' `kind` says which):
 *   Docker Hub  `DELETE https://hub.docker.com/v2/repositories/{namespace}/{repository}/tags/{tag}/` with a
 *               Hub JWT (Hub API reference, "Delete repository tag"; hub-tool and docker/hub-feedback use it);
 *               tag records in `GET /v2/repositories/{namespace}/{repository}/tags` carry `tag_last_pulled`.
 *               Hub's registry API answers DELETE with UNSUPPORTED, so this is the only way to untag there.
 *   Harbor      `DELETE /api/v2.0/projects/{project}/repositories/{repository}/artifacts/{reference}/tags/{tag}`
 *               and `DELETE .../artifacts/{reference}` (Harbor's v2.0 swagger, operations deleteTag and
 *               deleteArtifact; `reference` is a digest or a tag). The repository name inside the project is
 *               URL-encoded twice (`a/b` -> `a%252Fb`), as the swagger's description of `repository_name` says.
 *               `GET .../artifacts?with_tag=true` lists artifacts with their `pull_time` and their tags'.
 */
import { BerthError } from '../../../shared/errors';
import type { RegistryCredential } from '../../credentials/credential';
import { httpError, type ErrorContext } from '../errors';
import { failure, readBody, type Transport, type TransportResponse } from '../transport';
import { hubLogin, readJson } from './hub';
import type { PagingLimits } from './paging';

export type VendorApi = 'dockerhub' | 'harbor';

const MAX_PAGE_BYTES = 8 * 1024 * 1024;
const HARBOR_PAGE_SIZE = 100;
/** Harbor's `pull_time` of an artifact never pulled (Go's zero time). */
const NEVER = /^0001-01-01/;

export interface VendorSession {
  transport: Transport;
  registry: string;
  credential: RegistryCredential | undefined;
  /** Harbor: the registry's own origin (its API lives beside /v2/). Docker Hub: Hub's API origin. */
  apiBase: URL;
  limits: PagingLimits;
  signal?: AbortSignal;
}

async function send(
  session: VendorSession,
  method: 'GET' | 'DELETE',
  url: URL,
  authorization: string | undefined,
  context: ErrorContext,
): Promise<TransportResponse> {
  return session.transport.request({
    registry: session.registry,
    url,
    method,
    headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
    action: context.action,
    ...(session.signal ? { signal: session.signal } : {}),
  });
}

async function expectDeleted(response: TransportResponse, context: ErrorContext): Promise<void> {
  if (response.status === 200 || response.status === 202 || response.status === 204) {
    await response.body.dump().catch(() => undefined);
    return;
  }
  if (response.status === 404) {
    await response.body.dump().catch(() => undefined);
    throw httpError(404, undefined, {}, context);
  }
  return failure(response, context);
}

/** `namespace/name` on Docker Hub (official images are `library/name`). */
function hubPath(repository: string): string {
  const [namespace, ...rest] = repository.split('/');
  if (!namespace || rest.length !== 1)
    throw new BerthError(
      'invalid_input',
      `"${repository.slice(0, 200)}" is not a Docker Hub repository (namespace/name).`,
    );
  return `${encodeURIComponent(namespace)}/${encodeURIComponent(rest[0]!)}`;
}

async function hubAuthorization(session: VendorSession, action: string): Promise<string> {
  if (session.credential?.kind !== 'basic')
    throw new BerthError(
      'unauthorized',
      `To ${action}, Docker Hub's API needs your username and password or access token; sign in to docker.io in Berth.`,
      { registry: session.registry },
    );
  return `Bearer ${await hubLogin(session.transport, session.apiBase, session.credential, session.signal)}`;
}

export async function hubDeleteTag(session: VendorSession, repository: string, tag: string): Promise<void> {
  const context: ErrorContext = {
    registry: session.registry,
    action: `delete the tag ${repository}:${tag} on Docker Hub`,
    authenticated: true,
  };
  const authorization = await hubAuthorization(session, context.action);
  const url = new URL(`/v2/repositories/${hubPath(repository)}/tags/${encodeURIComponent(tag)}/`, session.apiBase);
  await expectDeleted(await send(session, 'DELETE', url, authorization, context), context);
}

/** Tag -> when it was last pulled (undefined: never), from Hub's tag records, every page. */
export async function hubPullTimes(
  session: VendorSession,
  repository: string,
): Promise<Map<string, string | undefined>> {
  const context: ErrorContext = {
    registry: session.registry,
    action: `read when the tags of ${repository} were last pulled on Docker Hub`,
    authenticated: session.credential?.kind === 'basic',
  };
  const authorization =
    session.credential?.kind === 'basic' ? await hubAuthorization(session, context.action) : undefined;
  const times = new Map<string, string | undefined>();
  const seen = new Set<string>();
  let url: URL | undefined = new URL(`/v2/repositories/${hubPath(repository)}/tags?page_size=100`, session.apiBase);
  for (let page = 0; url; page++) {
    if (page >= session.limits.maxPages || seen.has(url.href))
      throw new BerthError('bad_response', `Could not ${context.action}: Docker Hub's pages do not end.`, {
        registry: session.registry,
      });
    seen.add(url.href);
    const response = await send(session, 'GET', url, authorization, context);
    if (response.status !== 200) return failure(response, context);
    const json = (await readJson(response, context)) as { results?: unknown; next?: unknown } | null;
    if (!Array.isArray(json?.results))
      throw new BerthError('bad_response', `Docker Hub's tag list of ${repository} has an unexpected shape.`, {
        registry: session.registry,
      });
    for (const entry of json.results as { name?: unknown; tag_last_pulled?: unknown }[])
      if (typeof entry?.name === 'string')
        times.set(entry.name, typeof entry.tag_last_pulled === 'string' ? entry.tag_last_pulled : undefined);
    const next: URL | undefined = typeof json.next === 'string' && json.next ? new URL(json.next, url) : undefined;
    url = next && next.origin === session.apiBase.origin ? next : undefined;
  }
  return times;
}

/** `project/a/b` -> the project and the repository inside it, encoded twice as Harbor's API wants. */
function harborPath(repository: string): string {
  const slash = repository.indexOf('/');
  if (slash <= 0)
    throw new BerthError(
      'invalid_input',
      `"${repository.slice(0, 200)}" is not a Harbor repository (project/name): Harbor keeps every repository in a project.`,
    );
  const project = encodeURIComponent(repository.slice(0, slash));
  const name = encodeURIComponent(encodeURIComponent(repository.slice(slash + 1)));
  return `/api/v2.0/projects/${project}/repositories/${name}`;
}

function harborAuthorization(credential: RegistryCredential | undefined): string | undefined {
  // Harbor's API takes basic auth (users and robot accounts); anonymous works on public projects.
  return credential?.kind === 'basic'
    ? `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
    : undefined;
}

function harborContext(session: VendorSession, action: string): ErrorContext {
  return { registry: session.registry, action, authenticated: session.credential?.kind === 'basic' };
}

/** Removes one tag from its artifact; the artifact and its other tags stay. */
export async function harborDeleteTag(session: VendorSession, repository: string, tag: string): Promise<void> {
  const context = harborContext(session, `delete the tag ${repository}:${tag} through Harbor's API`);
  const tagName = encodeURIComponent(tag);
  const url = new URL(`${harborPath(repository)}/artifacts/${tagName}/tags/${tagName}`, session.apiBase);
  await expectDeleted(await send(session, 'DELETE', url, harborAuthorization(session.credential), context), context);
}

/** Deletes an artifact by digest, with every tag on it. */
export async function harborDeleteArtifact(session: VendorSession, repository: string, digest: string): Promise<void> {
  const context = harborContext(session, `delete ${repository}@${digest} through Harbor's API`);
  const url = new URL(`${harborPath(repository)}/artifacts/${encodeURIComponent(digest)}`, session.apiBase);
  await expectDeleted(await send(session, 'DELETE', url, harborAuthorization(session.credential), context), context);
}

const latest = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : Date.parse(a) >= Date.parse(b) ? a : b;

/** Tag -> when it was last pulled (undefined: never): the later of the tag's `pull_time` and its artifact's
 * (a pull by digest moves only the artifact's). */
export async function harborPullTimes(
  session: VendorSession,
  repository: string,
): Promise<Map<string, string | undefined>> {
  const context = harborContext(session, `read when the artifacts of ${repository} were last pulled from Harbor`);
  const times = new Map<string, string | undefined>();
  const pulled = (value: unknown) => (typeof value === 'string' && !NEVER.test(value) ? value : undefined);
  for (let page = 1; ; page++) {
    if (page > session.limits.maxPages)
      throw new BerthError('bad_response', `Could not ${context.action}: Harbor's pages do not end.`, {
        registry: session.registry,
      });
    const url = new URL(
      `${harborPath(repository)}/artifacts?with_tag=true&page=${page}&page_size=${HARBOR_PAGE_SIZE}`,
      session.apiBase,
    );
    const response = await send(session, 'GET', url, harborAuthorization(session.credential), context);
    if (response.status !== 200) return failure(response, context);
    const body = await readBody(
      response,
      MAX_PAGE_BYTES,
      context,
      () => new BerthError('too_large', `Harbor sent an oversized answer while trying to ${context.action}.`),
    );
    let artifacts: unknown;
    try {
      artifacts = JSON.parse(body.toString('utf8'));
    } catch {
      artifacts = undefined;
    }
    if (!Array.isArray(artifacts))
      throw new BerthError('bad_response', `Harbor's artifact list of ${repository} has an unexpected shape.`, {
        registry: session.registry,
      });
    for (const artifact of artifacts as { pull_time?: unknown; tags?: unknown }[]) {
      if (!Array.isArray(artifact?.tags)) continue;
      for (const tag of artifact.tags as { name?: unknown; pull_time?: unknown }[])
        if (typeof tag?.name === 'string')
          times.set(tag.name, latest(pulled(tag.pull_time), pulled(artifact.pull_time)));
    }
    if (artifacts.length < HARBOR_PAGE_SIZE) return times;
  }
}
