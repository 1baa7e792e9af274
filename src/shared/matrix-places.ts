/**
 * A drift matrix column as typed by a person, `HOST[/NAMESPACE]` (the CLI's `--in`, the matrix view's
 * places, its `/matrix?in=` links): a registry (settings id or host) and the namespace below it.
 */
import { BerthError } from './errors';

export interface MatrixPlace {
  registryId: string;
  namespace: string;
}

export function parsePlace(text: string): MatrixPlace {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const registryId = slash < 0 ? trimmed : trimmed.slice(0, slash);
  if (!registryId || /[\s,]/.test(trimmed))
    throw new BerthError(
      'invalid_input',
      `A place is HOST or HOST/NAMESPACE, e.g. registry.example.com/prod (got "${trimmed.slice(0, 100)}").`,
    );
  return { registryId, namespace: slash < 0 ? '' : trimmed.slice(slash + 1) };
}
