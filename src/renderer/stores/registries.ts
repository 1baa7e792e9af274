/**
 * Registries as the sidebar and settings see them: the configured list, each one's reachability and
 * sign-in state (with Docker Hub's remaining pulls), and each one's repositories (the catalog merged with
 * repositories added by hand). Actions that change settings throw the API's error, for the form that
 * called them to show; loads keep their error in the Loadable.
 */
import type { RequestInput } from '../../shared/contract';
import type { RegistryStatus, RegistryView } from '../../shared/types/settings';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';

export interface RegistriesState {
  list?: Loadable<RegistryView[]>;
  status: Record<string, Loadable<RegistryStatus>>;
  /** `registry.listRepositories` per registry id. */
  catalogs: Record<string, Loadable<string[]>>;
  load(): Promise<void>;
  checkStatus(id: string): Promise<RegistryStatus | undefined>;
  loadCatalog(id: string, options?: { force?: boolean }): Promise<void>;
  add(input: RequestInput<'registries.add'>): Promise<RegistryView>;
  update(input: RequestInput<'registries.update'>): Promise<RegistryView>;
  remove(id: string): Promise<void>;
  setCredential(registryId: string, username: string, secret: string): Promise<RegistryView>;
  testCredential(registryId: string): Promise<RegistryStatus>;
  removeCredential(registryId: string): Promise<RegistryView>;
  /** Adds a repository by name, for registries whose catalog is closed or partial. */
  addRepository(registryId: string, repository: string): Promise<RegistryView>;
  removeRepository(registryId: string, repository: string): Promise<RegistryView>;
  importDocker(hosts: string[]): Promise<RegistryView[]>;
}

export const useRegistries = apiStore<RegistriesState>((api) => (set, get) => {
  const replace = (view: RegistryView) => {
    const list = get().list?.value ?? [];
    const next = list.some((r) => r.id === view.id) ? list.map((r) => (r.id === view.id ? view : r)) : [...list, view];
    set({ list: { status: 'ready', value: next } });
  };
  const registryById = (id: string) => get().list?.value?.find((r) => r.id === id);
  /** After sign-in changes, what was refused may now be allowed: recheck and reload what failed. */
  const afterCredentialChange = async (registryId: string) => {
    await get().checkStatus(registryId);
    if (get().catalogs[registryId]) await get().loadCatalog(registryId, { force: true });
  };

  return {
    status: {},
    catalogs: {},
    async load() {
      const registries = await track(
        get().list,
        (list) => set({ list }),
        () => api.call('registries.list', {}),
      );
      await Promise.all((registries ?? []).map((r) => get().checkStatus(r.id)));
    },
    async checkStatus(id) {
      return track(
        get().status[id],
        (status) => set((s) => ({ status: { ...s.status, [id]: status } })),
        () => api.call('registries.status', { id }),
      );
    },
    async loadCatalog(id, options) {
      const current = get().catalogs[id];
      if (!options?.force && (current?.status === 'ready' || current?.status === 'loading')) return;
      await track(
        current,
        (catalog) => set((s) => ({ catalogs: { ...s.catalogs, [id]: catalog } })),
        async () => (await api.call('registry.listRepositories', { registryId: id })).repositories,
      );
    },
    async add(input) {
      const view = await api.call('registries.add', input);
      replace(view);
      void get().checkStatus(view.id);
      return view;
    },
    async update(input) {
      const view = await api.call('registries.update', input);
      replace(view);
      void afterCredentialChange(view.id);
      return view;
    },
    async remove(id) {
      await api.call('registries.remove', { id });
      set((s) => {
        const { [id]: _status, ...status } = s.status;
        const { [id]: _catalog, ...catalogs } = s.catalogs;
        return { list: { status: 'ready', value: (s.list?.value ?? []).filter((r) => r.id !== id) }, status, catalogs };
      });
    },
    async setCredential(registryId, username, secret) {
      const view = await api.call('credentials.set', { registryId, username, secret, verify: true });
      replace(view);
      await afterCredentialChange(registryId);
      return view;
    },
    async testCredential(registryId) {
      const status = await api.call('credentials.test', { registryId });
      set((s) => ({ status: { ...s.status, [registryId]: { status: 'ready', value: status } } }));
      return status;
    },
    async removeCredential(registryId) {
      const view = await api.call('credentials.remove', { registryId });
      replace(view);
      await afterCredentialChange(registryId);
      return view;
    },
    async addRepository(registryId, repository) {
      const registry = registryById(registryId);
      const repositories = [...new Set([...(registry?.repositories ?? []), repository])];
      const view = await api.call('registries.update', { id: registryId, repositories });
      replace(view);
      return view;
    },
    async removeRepository(registryId, repository) {
      const registry = registryById(registryId);
      const view = await api.call('registries.update', {
        id: registryId,
        repositories: (registry?.repositories ?? []).filter((r) => r !== repository),
      });
      replace(view);
      return view;
    },
    async importDocker(hosts) {
      const views = await api.call('registries.importDocker', { hosts });
      views.forEach(replace);
      await Promise.all(views.map((v) => get().checkStatus(v.id)));
      return views;
    },
  };
});

/** The registry's repositories: its catalog (when it has one) plus those added by hand, sorted, unique. */
export function repositoriesOf(registry: RegistryView | undefined, catalog: Loadable<string[]> | undefined): string[] {
  const all = new Set([...(catalog?.value ?? []), ...(registry?.repositories ?? [])]);
  return [...all].sort();
}

export function findRegistryByHost(
  registries: readonly RegistryView[] | undefined,
  host: string,
): RegistryView | undefined {
  return registries?.find((r) => r.host.toLowerCase() === host.toLowerCase());
}
