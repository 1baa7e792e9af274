/**
 * Registries as the sidebar and settings see them: the configured list, each one's reachability and
 * sign-in state (with Docker Hub's remaining pulls), and each one's repositories (the catalog merged with
 * repositories added by hand). Actions that change settings throw the API's error, for the form that
 * called them to show; loads keep their error in the Loadable.
 *
 * Each registry is indexed in the background once per session (and when added), so search finds tags of
 * repositories never opened; and when Berth changes a registry (`registry.changed`, from any window), a
 * repository the loaded list does not have yet makes the list load again.
 */
import type { RequestInput } from '../../shared/contract';
import type { RegistryChange } from '../../shared/types/registry';
import type { RegistryStatus, RegistryView } from '../../shared/types/settings';
import { apiStore } from './api-store';
import { toErrorData, track, type Loadable } from './loadable';
import { useOperations } from './operations';

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
  /** Indexes a registry in the background (once per session unless `force`), shown in the status bar. */
  index(registryId: string, options?: { force?: boolean }): Promise<void>;
}

/** Failures of background indexing the sidebar already shows (sign-in, reachability) or the user chose. */
const QUIET_INDEX_FAILURES = new Set(['unreachable', 'unauthorized', 'denied', 'cancelled', 'unsupported', 'tls']);

/**
 * Collects `registry.changed` events for a moment and hands them over merged (one per registry and
 * repository, tags united): a promotion writes several manifests in a row, and each view should read again
 * once, not once per manifest.
 */
export function onRegistryChanges(
  api: { on(event: 'registry.changed', listener: (change: RegistryChange) => void): () => void },
  handle: (changes: RegistryChange[]) => void,
  delayMs = 150,
): () => void {
  let pending = new Map<string, RegistryChange>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return api.on('registry.changed', (change) => {
    const key = `${change.host}\u0000${change.repository}`;
    const seen = pending.get(key);
    pending.set(key, seen ? { ...seen, tags: [...new Set([...seen.tags, ...change.tags])] } : change);
    timer ??= setTimeout(() => {
      const changes = [...pending.values()];
      pending = new Map();
      timer = undefined;
      handle(changes);
    }, delayMs);
  });
}

/** The ids a change applies to: the one main named, and every registry in the list with that host. */
export function changedRegistryIds(change: RegistryChange, registries: readonly RegistryView[] | undefined): string[] {
  const hosts = (registries ?? []).filter((r) => r.host.toLowerCase() === change.host.toLowerCase());
  return [...new Set([change.registryId, ...hosts.map((r) => r.id)])];
}

export const useRegistries = apiStore<RegistriesState>((api) => (set, get) => {
  const replace = (view: RegistryView) => {
    const list = get().list?.value ?? [];
    const next = list.some((r) => r.id === view.id) ? list.map((r) => (r.id === view.id ? view : r)) : [...list, view];
    set({ list: { status: 'ready', value: next } });
  };
  const registryById = (id: string) => get().list?.value?.find((r) => r.id === id);
  const indexed = new Set<string>();
  onRegistryChanges(api, (changes) => {
    for (const change of changes) {
      for (const id of changedRegistryIds(change, get().list?.value)) {
        const catalog = get().catalogs[id];
        if (catalog?.status === 'ready' && !catalog.value.includes(change.repository))
          void get().loadCatalog(id, { force: true });
      }
    }
  });
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
      for (const r of registries ?? []) void get().index(r.id);
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
      void get().index(view.id);
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
      for (const view of views) void get().index(view.id);
      await Promise.all(views.map((v) => get().checkStatus(v.id)));
      return views;
    },
    async index(registryId, options) {
      if (indexed.has(registryId) && !options?.force) return;
      indexed.add(registryId);
      const operations = useOperations.of(api).getState();
      const operationId = operations.start({
        kind: 'registry.index',
        label: `Indexing ${registryById(registryId)?.name ?? registryId}`,
      });
      try {
        await api.call('registry.index', { registryId, operationId });
        useOperations.of(api).getState().finish(operationId);
      } catch (error) {
        const data = toErrorData(error);
        const store = useOperations.of(api).getState();
        if (QUIET_INDEX_FAILURES.has(data.code)) {
          // Background work: a registry that cannot be read now is the sidebar's to show, not a failure to dismiss.
          store.finish(operationId, data.code === 'cancelled' ? data : undefined);
          store.dismiss(operationId);
        } else store.finish(operationId, data);
        if (data.code !== 'cancelled') indexed.delete(registryId);
      }
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
