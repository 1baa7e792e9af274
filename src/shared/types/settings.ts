/** Registry settings and credential state as the UI sees them. Secrets never appear in these types. */
import type { ErrorData } from '../errors';
import type { RateLimitInfo } from './registry';

export const REGISTRY_KINDS = [
  'distribution',
  'dockerhub',
  'ghcr',
  'quay',
  'harbor',
  'gitlab',
  'ecr',
  'acr',
  'gar',
  'zot',
  'other',
] as const;

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

export interface CredentialState {
  /** keychain: Berth's own, in the OS keychain. session: Berth's own, in memory only (no keychain available).
   * docker-config / credential-helper: from the user's Docker config. none: anonymous. */
  source: CredentialSource;
  username?: string;
  /** The Docker config file or the `docker-credential-NAME` program the credential comes from. */
  origin?: string;
  /** Something the user should know, e.g. that a credential is kept for this session only. */
  notice?: string;
  /** The credential exists but cannot be used now: a locked keychain, a failing helper, a broken config. */
  problem?: ErrorData;
}

export interface RegistryView extends RegistrySettings {
  credential: CredentialState;
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
