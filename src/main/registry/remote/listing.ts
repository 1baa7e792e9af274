/**
 * Repository and tag listing: `GET /v2/_catalog` and `GET /v2/<name>/tags/list`, all pages
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#content-discovery).
 */
import { BerthError } from '../../../shared/errors';
import type { RepositoryName } from '../../../shared/reference';
import { CATALOG_SCOPE, repositoryScope } from '../auth';
import { parseOciErrors } from '../errors';
import type { Requester } from '../requester';
import { collectPages, type PagingLimits } from './paging';

export interface ListOptions {
  signal?: AbortSignal;
  /** `n` per page; undefined lets the registry choose (distribution 2.x sends every tag at once). */
  pageSize?: number;
  limits: PagingLimits;
}

/** The first page's path, asking for `pageSize` entries, with the registry's own default as the fallback. */
function firstPage(path: string, pageSize: number | undefined): { first: string; fallbackFirst?: string } {
  return pageSize === undefined ? { first: path } : { first: `${path}?n=${pageSize}`, fallbackFirst: path };
}

function badPage(registry: string, what: string): BerthError {
  return new BerthError('bad_response', `${registry} answered the ${what} request with JSON of the wrong shape.`, {
    registry,
  });
}

/** Every repository in the registry's catalog. A closed catalog is an `unsupported` error that says what to do. */
export async function listCatalog(requester: Requester, registry: string, options: ListOptions): Promise<string[]> {
  const action = `list the repositories of ${registry}`;
  return collectPages(requester, {
    registry,
    ...firstPage('/v2/_catalog', options.pageSize),
    scopes: [CATALOG_SCOPE],
    action,
    limits: options.limits,
    ...(options.signal ? { signal: options.signal } : {}),
    items: (json) => {
      if (typeof json !== 'object' || json === null) throw badPage(registry, 'catalog');
      const repositories = (json as { repositories?: unknown }).repositories;
      if (repositories === null || repositories === undefined) return [];
      if (!Array.isArray(repositories) || !repositories.every((name) => typeof name === 'string'))
        throw badPage(registry, 'catalog');
      return repositories as string[];
    },
    // Many registries (Docker Hub, GHCR, GitLab, ECR for other accounts) do not list repositories at all.
    handles: [401, 403, 404, 405],
    onHandled: async (status, body) => {
      const context = await requester.errorContext(registry, action);
      const unsupported = parseOciErrors(body).some((entry) => entry.code === 'UNSUPPORTED');
      if (status === 401 && !context.authenticated && !unsupported) {
        throw new BerthError(
          'unauthorized',
          `${registry} requires signing in to list its repositories. Add credentials in the registry settings, or add repositories by name.`,
          {
            registry,
            status,
          },
        );
      }
      throw new BerthError(
        'unsupported',
        `${registry} does not list repositories${status === 401 || status === 403 ? ' for this account' : ''}: add one by name.`,
        { registry, status },
      );
    },
  });
}

/** Every tag of a repository, in the order the registry sends them. */
export async function listTags(requester: Requester, repo: RepositoryName, options: ListOptions): Promise<string[]> {
  const { registry, repository } = repo;
  return collectPages(requester, {
    registry,
    ...firstPage(`/v2/${repository}/tags/list`, options.pageSize),
    scopes: [repositoryScope(repository, 'pull')],
    action: `list the tags of ${repository}`,
    limits: options.limits,
    ...(options.signal ? { signal: options.signal } : {}),
    items: (json) => {
      if (typeof json !== 'object' || json === null) throw badPage(registry, 'tag list');
      const tags = (json as { tags?: unknown }).tags;
      if (tags === null || tags === undefined) return [];
      if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) throw badPage(registry, 'tag list');
      return tags as string[];
    },
  });
}
