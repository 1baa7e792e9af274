/** Image references and the commands users paste, built from the pieces the views hold. */
import { DOCKER_HUB, parseReference, type ImageReference } from '../../shared/reference';

export function tagReference(host: string, repository: string, tag: string): string {
  return `${host}/${repository}:${tag}`;
}

export function digestReference(host: string, repository: string, digest: string): string {
  return `${host}/${repository}@${digest}`;
}

/**
 * What a person types for `docker pull`: Docker Hub's official images lose `docker.io/library/`, other
 * Docker Hub images lose `docker.io/`, everything else keeps its host.
 */
export function pullName(host: string, repository: string): string {
  if (host !== DOCKER_HUB) return `${host}/${repository}`;
  return repository.startsWith('library/') ? repository.slice('library/'.length) : repository;
}

export function pullByTag(host: string, repository: string, tag: string): string {
  return `docker pull ${pullName(host, repository)}:${tag}`;
}

export function pullByDigest(host: string, repository: string, digest: string): string {
  return `docker pull ${pullName(host, repository)}@${digest}`;
}

/** Parses without throwing: views show a message for a malformed deep link instead of crashing. */
export function tryParseReference(reference: string): ImageReference | undefined {
  try {
    return parseReference(reference);
  } catch {
    return undefined;
  }
}
