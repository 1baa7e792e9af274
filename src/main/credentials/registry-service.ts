import { access, constants as fsConstants } from 'node:fs/promises';
import { BerthError } from '../../shared/errors';
import type {
  DockerConfigCandidate,
  RegistrySettings,
  RegistryStatus,
  RegistryView,
} from '../../shared/types/settings';
import type { RegistryCredential } from './credential';
import { sessionNotice, type CredentialService } from './credential-service';
import { parseRegistryHost, tryNormalizeHost } from './hosts';
import { newRegistryRecord, type NewRegistryInput, type RegistryRecord } from './settings-schema';
import type { SettingsStore } from './settings-store';

/**
 * What the registry client answers about access to a host. Implemented over the registry client (its ping
 * and token exchange), so there is one registry auth implementation in Berth.
 */
export interface RegistryVerifier {
  /**
   * Pings the registry and authenticates with `credential` (token fetch, or Basic on `/v2/`). Throws
   * `unauthorized` when the registry rejects it, and the network and TLS errors of the client.
   * Resolves `{ challenged: false }` when the registry does not ask for credentials at all.
   */
  verify(host: string, credential: RegistryCredential, signal?: AbortSignal): Promise<{ challenged: boolean }>;
  /** Reachability and authentication with the credential Berth would use now. */
  status(host: string, signal?: AbortSignal): Promise<Omit<RegistryStatus, 'id'>>;
  /** Drops cached endpoints, tokens and credentials of a host after its settings or credential changed. */
  forget(host: string): void;
}

export type RegistryUpdate = Partial<Omit<RegistrySettings, 'id'>> & { id: string };

export interface RegistryService {
  list(): Promise<RegistryView[]>;
  get(idOrHost: string): Promise<RegistryView>;
  add(input: NewRegistryInput): Promise<RegistryView>;
  update(input: RegistryUpdate): Promise<RegistryView>;
  remove(id: string): Promise<boolean>;
  status(idOrHost: string, signal?: AbortSignal): Promise<RegistryStatus>;
  dockerCandidates(): Promise<DockerConfigCandidate[]>;
  importDocker(hosts: string[]): Promise<RegistryView[]>;
  /**
   * Verifies (unless `verify` is false) and then keeps a credential as Berth's own. A rejected credential
   * throws `unauthorized` and nothing is stored. A registry not in the list yet is added first.
   */
  setCredential(
    input: { registryId: string; username: string; secret: string; verify: boolean; insecure?: boolean },
    signal?: AbortSignal,
  ): Promise<RegistryView>;
  removeCredential(registryId: string): Promise<RegistryView>;
  /**
   * A registry by settings id, or by host for one that is not in the list (the CLI takes plain hosts):
   * then with default settings, not saved.
   */
  resolve(idOrHost: string): RegistrySettings;
  /** Transport options for a host, from its settings (plain defaults for hosts not in the list). */
  hostOptions(host: string): { insecure: boolean; caPath?: string };
}

export interface RegistryServiceOptions {
  settings: SettingsStore;
  credentials: CredentialService;
  access: () => RegistryVerifier;
}

export function createRegistryService(options: RegistryServiceOptions): RegistryService {
  const { settings, credentials } = options;
  /** Host options of a registry whose first login is being verified, before it is saved. */
  const verifying = new Map<string, { insecure: boolean; caPath?: string }>();

  function toSettings(record: RegistryRecord): RegistrySettings {
    const { keychain: _index, ...rest } = record;
    return rest;
  }

  async function view(record: RegistryRecord): Promise<RegistryView> {
    return { ...toSettings(record), credential: await credentials.describe(record.host) };
  }

  function find(idOrHost: string): RegistryRecord | undefined {
    const registries = settings.registries();
    const byId = registries.find((registry) => registry.id === idOrHost);
    if (byId) return byId;
    const host = tryNormalizeHost(idOrHost);
    return host === undefined ? undefined : registries.find((registry) => registry.host === host);
  }

  function require(idOrHost: string): RegistryRecord {
    const record = find(idOrHost);
    if (!record)
      throw new BerthError('not_found', `No registry "${idOrHost.slice(0, 128)}" in Berth's list`, {
        registry: idOrHost.slice(0, 128),
      });
    return record;
  }

  async function checkCaPath(caPath: string | undefined): Promise<void> {
    if (!caPath) return;
    try {
      await access(caPath, fsConstants.R_OK);
    } catch {
      throw new BerthError('invalid_input', `The CA certificate file ${caPath} does not exist or cannot be read`);
    }
  }

  function addRecord(input: NewRegistryInput): RegistryRecord {
    let added: RegistryRecord | undefined;
    settings.updateRegistries((registries) => {
      const record = newRegistryRecord(input, new Set(registries.map((registry) => registry.id)));
      const existing = registries.find((registry) => registry.host === record.host);
      if (existing)
        throw new BerthError('conflict', `${record.host} is already in the list as "${existing.name}"`, {
          registry: existing.id,
        });
      added = record;
      return [...registries, record];
    });
    return added as RegistryRecord;
  }

  const service: RegistryService = {
    async list() {
      return Promise.all(settings.registries().map(view));
    },

    async get(idOrHost) {
      return view(require(idOrHost));
    },

    async add(input) {
      await checkCaPath(input.caPath);
      const record = addRecord(input);
      options.access().forget(record.host);
      return view(record);
    },

    async update(input) {
      const current = require(input.id);
      const { id, ...changes } = input;
      const host = changes.host === undefined ? current.host : parseRegistryHost(changes.host).host;
      if (changes.caPath !== undefined) await checkCaPath(changes.caPath);
      if (host !== current.host) {
        if (settings.registries().some((registry) => registry.host === host))
          throw new BerthError('conflict', `${host} is already in the list`);
        // A credential verified for one server is never sent to another: a new host starts signed out.
        await credentials.forget(current.host);
      }
      let updated: RegistryRecord | undefined;
      settings.updateRegistries((registries) =>
        registries.map((registry) => {
          if (registry.id !== id) return registry;
          const { keychain, ...rest } = registry;
          updated = {
            ...rest,
            ...changes,
            host,
            name: changes.name?.trim() || rest.name,
            ...(host === current.host && keychain ? { keychain } : {}),
          };
          if (changes.caPath === '') delete updated.caPath;
          return updated;
        }),
      );
      options.access().forget(current.host);
      options.access().forget(host);
      return view(updated as RegistryRecord);
    },

    async remove(id) {
      const record = find(id);
      if (!record) return false;
      // First the secret: if the keychain is locked this throws and the registry stays, nothing half-removed.
      await credentials.forget(record.host);
      settings.updateRegistries((registries) => registries.filter((registry) => registry.id !== record.id));
      options.access().forget(record.host);
      return true;
    },

    async status(idOrHost, signal) {
      const registry = service.resolve(idOrHost);
      return { id: registry.id, ...(await options.access().status(registry.host, signal)) };
    },

    async dockerCandidates() {
      const known = new Set(settings.registries().map((registry) => registry.host));
      return (await credentials.dockerHosts()).map((summary) => ({
        ...summary,
        alreadyAdded: known.has(summary.host),
      }));
    },

    async importDocker(hosts) {
      const candidates = await service.dockerCandidates();
      const wanted = hosts.map((host) => parseRegistryHost(host).host);
      const unknown = wanted.filter((host) => !candidates.some((candidate) => candidate.host === host));
      if (unknown.length > 0)
        throw new BerthError('invalid_input', `Your Docker config has no login for ${unknown.join(', ')}`);
      const imported: RegistryView[] = [];
      for (const host of new Set(wanted)) {
        const existing = find(host);
        imported.push(await view(existing ?? addRecord({ host })));
      }
      return imported;
    },

    async setCredential(input, signal) {
      const existing = find(input.registryId);
      const parsed = existing ? { host: existing.host, plainHttp: false } : parseRegistryHost(input.registryId);
      const insecure = Boolean(input.insecure || existing?.insecure || parsed.plainHttp);
      if (input.verify) {
        // A new registry is added only once its credential is accepted: a failed login leaves no trace.
        verifying.set(parsed.host, { insecure, ...(existing?.caPath ? { caPath: existing.caPath } : {}) });
        try {
          options.access().forget(parsed.host);
          await options
            .access()
            .verify(parsed.host, { kind: 'basic', username: input.username, password: input.secret }, signal);
        } finally {
          verifying.delete(parsed.host);
          options.access().forget(parsed.host);
        }
      }
      const record = existing ?? addRecord({ host: parsed.host, insecure });
      if (insecure && !record.insecure)
        settings.updateRegistries((registries) =>
          registries.map((registry) => (registry.id === record.id ? { ...registry, insecure } : registry)),
        );
      const backing = await credentials.save(record.host, input.username, input.secret);
      options.access().forget(record.host);
      const result = await service.get(record.id);
      const notice = sessionNotice(backing);
      return notice ? { ...result, credential: { ...result.credential, notice } } : result;
    },

    async removeCredential(registryId) {
      const record = require(registryId);
      await credentials.forget(record.host);
      options.access().forget(record.host);
      return view(record);
    },

    resolve(idOrHost) {
      const record = find(idOrHost);
      if (record) return toSettings(record);
      let host: string;
      try {
        host = parseRegistryHost(idOrHost).host;
      } catch {
        throw new BerthError(
          'not_found',
          `No registry "${idOrHost.slice(0, 128)}" in Berth's list, and it is not a registry host either`,
        );
      }
      return { ...newRegistryRecord({ host }, new Set()), id: host };
    },

    hostOptions(host) {
      const pending = verifying.get(host);
      if (pending) return pending;
      const record = find(host);
      return record
        ? { insecure: record.insecure, ...(record.caPath ? { caPath: record.caPath } : {}) }
        : { insecure: false };
    },
  };
  return service;
}
