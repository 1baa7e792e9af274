/**
 * Lineage scopes as users write them: `HOST` (a whole registry) or `HOST/NAMESPACE` (`team-a` takes
 * `team-a/x` and `team-a` itself, not `team-ab/x`). Shared so the CLI, main and the renderer agree.
 */
import { BerthError } from './errors';
import { isValidRegistryHost, normalizeRegistryHost } from './reference';
import type { LineageScope } from './types/lineage';

const NAMESPACE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function parseScope(text: string): LineageScope {
  const trimmed = text.trim().replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  const hostPart = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const namespace = slash < 0 ? '' : trimmed.slice(slash + 1);
  if (!isValidRegistryHost(hostPart.toLowerCase()))
    throw new BerthError('invalid_input', `"${text.slice(0, 128)}" is not a scope: write HOST or HOST/NAMESPACE.`);
  const host = normalizeRegistryHost(hostPart);
  if (namespace && !NAMESPACE.test(namespace))
    throw new BerthError('invalid_input', `"${namespace.slice(0, 128)}" is not a namespace of ${host}.`);
  return namespace ? { host, namespace } : { host };
}

export function formatScope(scope: LineageScope): string {
  return scope.namespace ? `${scope.host}/${scope.namespace}` : scope.host;
}

export function inScope(scope: LineageScope, host: string, repository: string): boolean {
  if (scope.host !== host) return false;
  const { namespace } = scope;
  return !namespace || repository === namespace || repository.startsWith(`${namespace}/`);
}
