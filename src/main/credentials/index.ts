/**
 * Registry settings and credentials: the settings file (conf / electron-store), Berth's own secrets in
 * the OS keychain (keytar), and the user's Docker config and credential helpers, read but never written.
 */
export type { CredentialResolver, RegistryCredential } from './credential';
export { createCredentialService, type CredentialDescription, type CredentialService } from './credential-service';
export { createRegistryVerifier } from './registry-access';
export { createRegistryService, type RegistryService, type RegistryVerifier } from './registry-service';
export {
  createSessionSecretStore,
  createSystemSecretStore,
  type SecretBacking,
  type SecretStore,
} from './secret-store';
export {
  confBackend,
  createSettingsStore,
  settingsBackendOptions,
  type SettingsBackend,
  type SettingsBackendFactory,
  type SettingsBackendOptions,
  type SettingsSection,
  type SettingsStore,
} from './settings-store';

/** The keychain service Berth's items are filed under (what Keychain Access / Seahorse show). */
export const KEYCHAIN_SERVICE = 'Berth';
