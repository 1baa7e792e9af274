import { DOCKER_HUB } from '../../shared/reference';
import type { RegistryCredential } from '../credentials/credential';

/** The server address the Docker CLI records for Docker Hub; other registries go by host. */
const DOCKER_HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';

/**
 * The `X-Registry-Auth` header for pull and push: base64url of the engine's AuthConfig JSON
 * (https://docs.docker.com/engine/api/v1.41/#section/Authentication). A basic credential becomes
 * `{username, password, serveraddress}`, an OAuth refresh token `{identitytoken}`, a bearer token
 * `{registrytoken}`; no credential sends `{}`, which the engine reads as anonymous (a missing header on push
 * makes it read the body instead).
 *
 * The engine decodes with Go's `base64.URLEncoding`, which wants `=` padding: Node's 'base64url' drops it, and
 * an undecodable header is silently treated as anonymous, so the padding is kept.
 */
export function registryAuthHeader(registry: string, credential: RegistryCredential | undefined): string {
  const serveraddress = registry === DOCKER_HUB ? DOCKER_HUB_SERVER_ADDRESS : registry;
  let config: Record<string, string> = {};
  if (credential?.kind === 'basic')
    config = { username: credential.username, password: credential.password, serveraddress };
  else if (credential?.kind === 'identity-token')
    config = {
      ...(credential.username ? { username: credential.username } : {}),
      identitytoken: credential.token,
      serveraddress,
    };
  else if (credential?.kind === 'registry-token') config = { registrytoken: credential.token, serveraddress };
  return Buffer.from(JSON.stringify(config), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
