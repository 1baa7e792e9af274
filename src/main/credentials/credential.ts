/**
 * What the registry client and the Docker engine client receive for a host. Resolved by the credentials
 * service (keychain first, then the user's Docker config and credential helpers). Never logged, never
 * returned through the API.
 */
export type RegistryCredential =
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token endpoint by POST. */
  | { kind: 'identity-token'; username?: string; token: string }
  /** A bearer token to send as is (Docker's `registrytoken`). */
  | { kind: 'registry-token'; token: string };

export type CredentialResolver = (host: string) => Promise<RegistryCredential | undefined>;
