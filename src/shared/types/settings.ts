import type { RateLimitInfo } from './registry';

/** Registry settings and credential state as the UI sees them. Secrets never appear in these types. */

export const REGISTRY_KINDS = ['distribution', 'dockerhub', 'ghcr', 'quay', 'harbor', 'gitlab', 'ecr', 'acr', 'gar', 'zot', 'other'] as const;

export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export type CredentialSource = 'keychain' | 'session' | 'docker-config' | 'credential-helper' | 'none';

export interface EnvironmentRole {
  /** e.g. "dev", "test", "prod" */
  role: string;
  /** Namespace prefix in this registry that plays the role, e.g. "dev/". */
  namespace: string;
}

export interface RegistrySettings {
  id: string;
  name: string;
  /** Host with optional port, e.g. `ghcr.io`, `127.0.0.1:5000`; Docker Hub is `docker.io`. */
  host: string;
  kind: RegistryKind;
  insecure: boolean;
  caPath?: string;
  environments: EnvironmentRole[];
  /** Repositories added by hand, for registries whose catalog is closed. */
  repositories: string[];
}

export interface RegistryView extends RegistrySettings {
  credential: { source: CredentialSource; username?: string };
}

export interface RegistryStatus {
  id: string;
  reachable: boolean;
  authenticated: boolean;
  message?: string;
  rateLimit?: RateLimitInfo;
}

export interface DockerConfigCandidate {
  host: string;
  source: CredentialSource;
  username?: string;
  alreadyAdded: boolean;
}
