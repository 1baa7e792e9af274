/**
 * A registry, or one namespace of it: the namespaces and repositories directly below, filterable, with
 * the registry's state and what to do when it cannot list (sign in, add a repository by name).
 * Test hooks: grid "Repositories"; rows keyed by path.
 */
import { useEffect, useMemo, useState } from 'react';
import { Icon } from '../../components/Icon';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { buildNamespaceTree, findNamespace, type NamespaceNode } from '../../logic/namespace-tree';
import { plural } from '../../logic/format';
import { useNavigation } from '../../navigation/store';
import { repositoriesOf, useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import { PathCrumbs, useRegistry } from './common';
import { RefreshButton } from '../../components/RefreshButton';

/**
 * What the rows are, for the filter box: "3 namespaces and 1 repository". The count beside it is every
 * repository below them ("5 repositories in all"), so the two numbers say what each counts.
 */
function describeRows(rows: readonly NamespaceNode[]): string {
  const namespaces = rows.filter((row) => row.children.length > 0).length;
  const repositories = rows.length - namespaces;
  const parts = [
    ...(namespaces > 0 ? [plural(namespaces, 'namespace')] : []),
    ...(repositories > 0 || namespaces === 0 ? [plural(repositories, 'repository', 'repositories')] : []),
  ];
  return parts.join(' and ');
}

export function RegistryView({ registryId, namespace }: { registryId: string; namespace: string }) {
  const { registry, listLoaded } = useRegistry(registryId);
  const catalog = useRegistries((s) => s.catalogs[registryId]);
  const status = useRegistries((s) => s.status[registryId]);
  const loadCatalog = useRegistries((s) => s.loadCatalog);
  const navigate = useNavigation((s) => s.navigate);
  const openDialog = useUi((s) => s.openDialog);
  const [filter, setFilter] = useState('');

  useEffect(() => {
    if (registry) void loadCatalog(registryId);
  }, [registry, registryId, loadCatalog]);

  const repositories = useMemo(() => repositoriesOf(registry, catalog), [registry, catalog]);
  const node = useMemo(() => findNamespace(buildNamespaceTree(repositories), namespace), [repositories, namespace]);
  const rows = useMemo(() => {
    const children = node?.children ?? [];
    const needle = filter.trim().toLowerCase();
    return needle ? children.filter((c) => c.path.toLowerCase().includes(needle)) : children;
  }, [node, filter]);

  if (!registry) {
    return listLoaded ? (
      <EmptyState
        title="Registry not found"
        message={`No registry with id "${registryId}" is configured. It may have been removed.`}
        icon="registry"
      >
        <button type="button" className="button" onClick={() => navigate({ view: 'settings' })}>
          Open settings
        </button>
      </EmptyState>
    ) : (
      <LoadingState label="Loading registries…" />
    );
  }

  const signIn = () => openDialog({ kind: 'signIn', registryId });
  const addRepository = () => openDialog({ kind: 'addRepository', registryId, ...(namespace ? { namespace } : {}) });
  const columns: Column<NamespaceNode>[] = [
    {
      id: 'name',
      header: 'Name',
      width: 'minmax(200px, 2fr)',
      cell: (n) => (
        <span className="cell-name">
          <Icon name={n.children.length > 0 ? 'folder' : 'repository'} size={14} className="tree-icon" />
          {n.name}
        </span>
      ),
    },
    { id: 'path', header: 'Path', width: 'minmax(200px, 3fr)', cell: (n) => <code className="muted">{n.path}</code> },
    {
      id: 'kind',
      header: 'Contains',
      width: '160px',
      align: 'end',
      cell: (n) => (n.children.length > 0 ? plural(n.repositoryCount, 'repository', 'repositories') : 'repository'),
    },
  ];

  const s = status?.value;
  return (
    <div className="view registry-view">
      <header className="view-header">
        <PathCrumbs registryId={registryId} registryName={registry.name} path={namespace} />
        <div className="view-actions">
          <button type="button" className="button" onClick={addRepository}>
            <Icon name="plus" size={13} /> Add repository
          </button>
          <button
            type="button"
            className="button"
            onClick={() => navigate({ view: 'storage', registryId, ...(namespace ? { namespace } : {}) })}
          >
            Storage
          </button>
          <button
            type="button"
            className="button"
            onClick={() => navigate({ view: 'rebuild', registryId, ...(namespace ? { namespace } : {}) })}
          >
            Needs rebuild
          </button>
          <RefreshButton label="Refresh repositories" onClick={() => void loadCatalog(registryId, { force: true })} />
          <button
            type="button"
            className="icon-button"
            aria-label="Registry settings"
            title="Registry settings"
            onClick={() => navigate({ view: 'settings', registryId })}
          >
            <Icon name="settings" size={14} />
          </button>
        </div>
      </header>
      <div className="view-subheader muted">
        <code>{registry.host}</code>
        {s ? (
          <>
            {' · '}
            {/* Why it is unreachable is the error below (or this tooltip): said once, not twice. */}
            {!s.reachable ? (
              <span className="change-removed" title={s.message}>
                unreachable
              </span>
            ) : s.authenticated ? (
              `signed in as ${registry.credential.username ?? 'user'}`
            ) : (
              'anonymous'
            )}
          </>
        ) : null}
        {s?.rateLimit?.remaining !== undefined
          ? ` · ${s.rateLimit.remaining}${s.rateLimit.limit ? `/${s.rateLimit.limit}` : ''} pulls left`
          : ''}
        {s && !s.authenticated && s.reachable ? (
          <>
            {' · '}
            <button type="button" className="link-button" onClick={signIn}>
              Sign in…
            </button>
          </>
        ) : null}
      </div>

      {catalog?.status === 'error' && repositories.length === 0 ? (
        catalog.error.code === 'unsupported' ? (
          <EmptyState
            title="This registry does not list its repositories"
            message={`${catalog.error.message} Add the repositories you use by name.`}
            icon="repository"
          >
            <button type="button" className="button button-primary" onClick={addRepository}>
              <Icon name="plus" size={13} /> Add a repository by name
            </button>
          </EmptyState>
        ) : (
          <ErrorState
            error={catalog.error}
            context="Repositories"
            handlers={{
              signIn,
              retry: () => void loadCatalog(registryId, { force: true }),
              addRepository,
              openSettings: () => navigate({ view: 'settings', registryId }),
            }}
          />
        )
      ) : !catalog || (catalog.status === 'loading' && repositories.length === 0) ? (
        <LoadingState label="Listing repositories…" />
      ) : !node ? (
        <EmptyState title="No such namespace" message={`Nothing in ${registry.name} lives under "${namespace}/".`}>
          <button type="button" className="button" onClick={() => navigate({ view: 'registry', registryId })}>
            Show all repositories
          </button>
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            <input
              className="input toolbar-filter"
              type="search"
              placeholder={`Filter ${describeRows(node.children)}`}
              aria-label="Filter repositories"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <span className="muted" data-testid="registry-count">
              {plural(node.repositoryCount, 'repository', 'repositories')}
              {node.children.some((child) => child.children.length > 0) ? ' in all' : ''}
              {namespace ? ` under ${namespace}/` : ''}
            </span>
            {node.isRepository && namespace ? (
              <button
                type="button"
                className="button button-small"
                onClick={() => navigate({ view: 'repository', registryId, repository: namespace })}
              >
                <Icon name="repository" size={12} /> Open repository {namespace}
              </button>
            ) : null}
          </div>
          <VirtualTable
            label="Repositories"
            rows={rows}
            columns={columns}
            rowKey={(n) => n.path}
            onActivate={(n) =>
              navigate(
                n.isRepository && n.children.length === 0
                  ? { view: 'repository', registryId, repository: n.path }
                  : { view: 'registry', registryId, namespace: n.path },
              )
            }
            empty={
              repositories.length === 0 ? (
                <EmptyState
                  title="No repositories yet"
                  message="Push an image, or add a repository by name."
                  icon="repository"
                >
                  <button type="button" className="button" onClick={addRepository}>
                    Add a repository by name
                  </button>
                </EmptyState>
              ) : (
                <EmptyState title="Nothing matches the filter" icon="search" />
              )
            }
          />
        </>
      )}
    </div>
  );
}
