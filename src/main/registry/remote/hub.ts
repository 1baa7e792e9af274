/**
 * Docker Hub specifics. Its registry's `_catalog` is closed, so a namespace's repositories come from Hub's
 * own API (`GET /v2/repositories/<namespace>/`, paged by `next`); and its pull limit is reported in
 * `ratelimit-limit` / `ratelimit-remaining` headers (https://docs.docker.com/docker-hub/usage/pulls/).
 */
import { BerthError } from '../../../shared/errors';
import { DOCKER_HUB } from '../../../shared/reference';
import type { RateLimitInfo } from '../../../shared/types/registry';
import type { RegistryCredential } from '../../credentials/credential';
import { headerValue, httpError, type ErrorContext } from '../errors';
import type { PagingLimits } from './paging';
import { failure, readBody, type ResponseHeaders, type Transport } from '../transport';

export const DOCKER_HUB_API = 'https://hub.docker.com';
const MAX_PAGE_BYTES = 8 * 1024 * 1024;
const NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** `100;w=21600` -> { value: 100, window: 21600 } */
function parseLimitHeader(value: string | undefined): { value: number; window?: number } | undefined {
  const match = value ? /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(value) : null;
  if (!match) return undefined;
  return { value: Number(match[1]), ...(match[2] ? { window: Number(match[2]) } : {}) };
}

/** The pull limit a response reports, if it reports one. */
export function parseRateLimit(headers: ResponseHeaders, now = new Date()): RateLimitInfo | undefined {
  const limit = parseLimitHeader(headerValue(headers, 'ratelimit-limit'));
  const remaining = parseLimitHeader(headerValue(headers, 'ratelimit-remaining'));
  if (!limit && !remaining) return undefined;
  const windowSeconds = remaining?.window ?? limit?.window;
  return {
    ...(limit ? { limit: limit.value } : {}),
    ...(remaining ? { remaining: remaining.value } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
    observedAt: now.toISOString(),
  };
}

export async function readJson(
  transportResponse: Parameters<typeof readBody>[0],
  context: ErrorContext,
): Promise<unknown> {
  const body = await readBody(
    transportResponse,
    MAX_PAGE_BYTES,
    context,
    () => new BerthError('too_large', `Docker Hub sent an oversized answer while trying to ${context.action}.`),
  );
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BerthError(
      'bad_response',
      `Docker Hub answered with something that is not JSON while trying to ${context.action}.`,
      { registry: DOCKER_HUB },
    );
  }
}

/** A Hub API session token from username and password (or personal access token). */
export async function hubLogin(
  transport: Transport,
  api: URL,
  credential: { username: string; password: string },
  signal?: AbortSignal,
): Promise<string> {
  const context: ErrorContext = { registry: DOCKER_HUB, action: 'sign in to Docker Hub', authenticated: true };
  const response = await transport.request({
    registry: DOCKER_HUB,
    url: new URL('/v2/users/login', api),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: credential.username, password: credential.password }),
    action: context.action,
    ...(signal ? { signal } : {}),
  });
  if (response.status !== 200) return failure(response, context);
  const json = await readJson(response, context);
  const token = (json as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new BerthError('bad_response', 'Docker Hub answered the sign-in without a token.', { registry: DOCKER_HUB });
  }
  return token;
}

/** Every repository of a Docker Hub namespace (user or organisation), as `namespace/name`. */
export async function listHubRepositories(
  transport: Transport,
  apiBase: string,
  namespace: string,
  credential: RegistryCredential | undefined,
  limits: PagingLimits,
  signal?: AbortSignal,
): Promise<string[]> {
  if (!NAMESPACE.test(namespace))
    throw new BerthError('invalid_input', `"${namespace.slice(0, 64)}" is not a Docker Hub namespace.`);
  const api = new URL(apiBase);
  const context: ErrorContext = {
    registry: DOCKER_HUB,
    action: `list the repositories of ${namespace} on Docker Hub`,
    authenticated: credential !== undefined,
  };
  // Only a password or access token can sign in to Hub's API; other credentials list public repositories.
  const token = credential?.kind === 'basic' ? await hubLogin(transport, api, credential, signal) : undefined;
  const repositories: string[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = new URL(`/v2/repositories/${namespace}/?page_size=100`, api);
  for (let page = 0; url; page++) {
    if (page >= limits.maxPages || seen.has(url.href)) {
      throw new BerthError('bad_response', `Could not ${context.action}: Docker Hub's pages do not end.`, {
        registry: DOCKER_HUB,
      });
    }
    seen.add(url.href);
    const response = await transport.request({
      registry: DOCKER_HUB,
      url,
      method: 'GET',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      action: context.action,
      ...(signal ? { signal } : {}),
    });
    if (response.status === 404) {
      await response.body.dump().catch(() => undefined);
      throw httpError(404, undefined, {}, { ...context, action: `find the namespace ${namespace} on Docker Hub` });
    }
    if (response.status !== 200) return failure(response, context);
    const json = (await readJson(response, context)) as { results?: unknown; next?: unknown } | null;
    const results = json?.results;
    if (!Array.isArray(results))
      throw new BerthError('bad_response', `Docker Hub's repository list for ${namespace} has an unexpected shape.`, {
        registry: DOCKER_HUB,
      });
    for (const entry of results as { name?: unknown }[]) {
      if (typeof entry?.name === 'string') repositories.push(`${namespace}/${entry.name}`);
    }
    const next: URL | undefined = typeof json?.next === 'string' && json.next ? new URL(json.next, url) : undefined;
    url = next && next.origin === api.origin ? next : undefined;
  }
  return repositories;
}
