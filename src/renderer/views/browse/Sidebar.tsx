/**
 * The sidebar: every registry with its reachability, sign-in state and (Docker Hub) remaining pulls, each
 * expanding into a namespace tree built from its repository paths, then links to the other views.
 * Test hooks: the tree is role "tree" named "Registries"; registry items have data-testid
 * `registry-<id>`, namespaces `namespace-<id>-<path>`, repositories `repository-<id>-<path>`.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RegistryStatus, RegistryView } from '../../../shared/types/settings';
import { Icon, type IconName } from '../../components/Icon';
import { Spinner } from '../../components/states';
import { Tree, type TreeItem } from '../../components/Tree';
import { adviseOn } from '../../logic/errors';
import { ancestorPaths, buildNamespaceTree, type NamespaceNode } from '../../logic/namespace-tree';
import { tryParseReference } from '../../logic/references';
import type { Route } from '../../navigation/route';
import { useNavigation } from '../../navigation/store';
import { useCompare } from '../../stores/compare';
import type { Loadable } from '../../stores/loadable';
import { findRegistryByHost, repositoriesOf, useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import { dropTargetOfRoute, usePromoteDrop } from '../promote/drop-targets';

const registryNodeId = (id: string) => `registry:${id}`;
const namespaceNodeId = (id: string, path: string) => `ns:${id}:${path}`;
const repositoryNodeId = (id: string, path: string) => `repo:${id}:${path}`;

type NodeAction = { route: Route } | { signIn: string } | { addRepository: string };

export function Sidebar() {
  const route = useNavigation((s) => s.route);
  const navigate = useNavigation((s) => s.navigate);
  // Compare opens on the last pair compared, whose result the session keeps.
  const compared = useCompare(useShallow((s) => ({ a: s.a, b: s.b })));
  const compareRoute: Route =
    compared.a && compared.b ? { view: 'compare', a: compared.a, b: compared.b } : { view: 'compare' };
  const list = useRegistries((s) => s.list);
  const statuses = useRegistries((s) => s.status);
  const catalogs = useRegistries((s) => s.catalogs);
  const loadCatalog = useRegistries((s) => s.loadCatalog);
  const expanded = useUi(useShallow((s) => s.expanded));
  const setExpanded = useUi((s) => s.setExpanded);
  const expand = useUi((s) => s.expand);
  const openDialog = useUi((s) => s.openDialog);
  const promoteDrop = usePromoteDrop();
  const registries = list?.value ?? [];
  const treeScroller = useRef<HTMLDivElement>(null);

  // Open the registry and namespaces of the current place, so the selection is visible.
  const place = useMemo(() => placeOf(route, registries), [route, registries]);
  useEffect(() => {
    if (place)
      expand([
        registryNodeId(place.registryId),
        ...ancestorPaths(place.path).map((p) => namespaceNodeId(place.registryId, p)),
      ]);
  }, [place, expand]);

  // Expanded registries need their repositories.
  const expandedSet = useMemo(() => new Set(expanded), [expanded]);
  useEffect(() => {
    for (const registry of registries) if (expandedSet.has(registryNodeId(registry.id))) void loadCatalog(registry.id);
  }, [registries, expandedSet, loadCatalog]);

  const { items, actions } = useMemo(
    () => flattenTree(registries, statuses, catalogs, expandedSet, place),
    [registries, statuses, catalogs, expandedSet, place],
  );

  const onSelect = (id: string) => {
    const action = actions.get(id);
    if (!action) return;
    // Opening a registry or namespace also unfolds it, as file explorers do.
    const item = items.find((i) => i.id === id);
    if (item?.expandable && !item.expanded) setExpanded(id, true);
    if ('route' in action) navigate(action.route);
    else if ('signIn' in action) openDialog({ kind: 'signIn', registryId: action.signIn });
    else openDialog({ kind: 'addRepository', registryId: action.addRepository });
  };

  return (
    <nav className="sidebar" aria-label="Sidebar">
      <div className="sidebar-section-header">
        <span>Registries</span>
        <button
          type="button"
          className="icon-button"
          aria-label="Add registry"
          title="Add registry"
          onClick={() => openDialog({ kind: 'addRegistry' })}
        >
          <Icon name="plus" size={14} />
        </button>
      </div>
      <div className="sidebar-tree" ref={treeScroller}>
        {list?.status === 'loading' && !list.value ? (
          <div className="sidebar-note">
            <Spinner /> Loading registries…
          </div>
        ) : list?.status === 'error' ? (
          <div className="sidebar-note error" role="alert">
            {list.error.message}
          </div>
        ) : registries.length === 0 ? (
          <div className="sidebar-note">
            No registries yet:{' '}
            <button type="button" className="link-button" onClick={() => openDialog({ kind: 'addRegistry' })}>
              Add one
            </button>{' '}
            or{' '}
            <button type="button" className="link-button" onClick={() => openDialog({ kind: 'importDocker' })}>
              import from Docker
            </button>
          </div>
        ) : (
          <Tree
            label="Registries"
            items={items}
            onToggle={setExpanded}
            onSelect={onSelect}
            scrollElement={() => treeScroller.current}
            itemProps={(item) => {
              const action = actions.get(item.id);
              return action && 'route' in action ? promoteDrop(dropTargetOfRoute(action.route)) : undefined;
            }}
          />
        )}
      </div>
      <div className="sidebar-nav" role="list">
        <NavLink icon="compare" label="Compare" route={compareRoute} />
        <NavLink icon="lanes" label="Promotion lanes" route={{ view: 'lanes' }} />
        <NavLink icon="refresh" label="Sync" route={{ view: 'sync' }} />
        <NavLink icon="grid" label="Drift matrix" route={{ view: 'matrix' }} />
        <NavLink icon="docker" label="Local Docker" route={{ view: 'docker' }} />
        <NavLink icon="history" label="History" route={{ view: 'history' }} />
        <NavLink icon="settings" label="Settings" route={{ view: 'settings' }} />
      </div>
    </nav>
  );
}

function NavLink({ icon, label, route }: { icon: IconName; label: string; route: Route }) {
  const current = useNavigation((s) => s.route.view === route.view);
  const navigate = useNavigation((s) => s.navigate);
  return (
    <button
      type="button"
      role="listitem"
      className={`nav-link${current ? ' selected' : ''}`}
      aria-current={current ? 'page' : undefined}
      onClick={() => navigate(route)}
    >
      <Icon name={icon} size={15} />
      {label}
    </button>
  );
}

function RegistryBadges({ registry, status }: { registry: RegistryView; status?: Loadable<RegistryStatus> }) {
  const value = status?.value;
  const rate = value?.rateLimit;
  const state =
    status?.status === 'loading' && !value
      ? 'checking'
      : status?.status === 'error'
        ? 'error'
        : !value
          ? 'unknown'
          : !value.reachable
            ? 'unreachable'
            : 'reachable';
  const title =
    state === 'unreachable' || state === 'error'
      ? (value?.message ?? (status?.status === 'error' ? status.error.message : 'Unreachable'))
      : state === 'reachable'
        ? `Reachable${value?.authenticated ? ` · signed in${registry.credential.username ? ` as ${registry.credential.username}` : ''}` : registry.credential.source === 'none' ? ' · anonymous' : ' · sign-in failed'}`
        : 'Checking…';
  return (
    <span className="registry-badges">
      {rate?.remaining !== undefined ? (
        <span
          className={`badge${rate.remaining < 10 ? ' badge-warn' : ''}`}
          title={`Docker Hub pulls left in this window${rate.limit ? ` (of ${rate.limit})` : ''}`}
          data-testid="rate-limit"
        >
          {rate.remaining}
          {rate.limit ? `/${rate.limit}` : ''}
        </span>
      ) : null}
      {value?.authenticated ? (
        <span title={title}>
          <Icon name="key" size={12} className="signed-in" label="Signed in" />
        </span>
      ) : registry.credential.source !== 'none' && value?.reachable ? (
        <span title={title}>
          <Icon name="lock" size={12} className="sign-in-failed" label="Sign-in failed" />
        </span>
      ) : null}
      <span className={`status-dot ${state}`} title={title} aria-label={title} role="img" data-status={state} />
    </span>
  );
}

/** The registry and path the route is about: a namespace, a repository, or the repository of an image. */
interface Place {
  registryId: string;
  path: string;
}

function placeOf(route: Route, registries: RegistryView[]): Place | undefined {
  if (route.view === 'repository') return { registryId: route.registryId, path: route.repository };
  if (route.view === 'registry') return { registryId: route.registryId, path: route.namespace ?? '' };
  if (route.view === 'image') {
    const reference = tryParseReference(route.reference);
    const registry = reference && findRegistryByHost(registries, reference.registry);
    return registry && reference ? { registryId: registry.id, path: reference.repository } : undefined;
  }
  return undefined;
}

function flattenTree(
  registries: RegistryView[],
  statuses: Record<string, Loadable<RegistryStatus>>,
  catalogs: Record<string, Loadable<string[]>>,
  expanded: Set<string>,
  selectedPath: Place | undefined,
): { items: TreeItem[]; actions: Map<string, NodeAction> } {
  const items: TreeItem[] = [];
  const actions = new Map<string, NodeAction>();

  for (const registry of registries) {
    const id = registryNodeId(registry.id);
    const isOpen = expanded.has(id);
    items.push({
      id,
      text: registry.name,
      depth: 0,
      expandable: true,
      expanded: isOpen,
      selected: selectedPath?.registryId === registry.id && selectedPath.path === '',
      testId: `registry-${registry.id}`,
      content: (
        <span className="tree-row">
          <Icon name="registry" size={14} className="tree-icon" />
          <span className="tree-label" title={registry.host}>
            {registry.name}
          </span>
          <RegistryBadges registry={registry} status={statuses[registry.id]} />
        </span>
      ),
    });
    actions.set(id, { route: { view: 'registry', registryId: registry.id } });
    if (!isOpen) continue;

    const catalog = catalogs[registry.id];
    const repositories = repositoriesOf(registry, catalog);
    const info = (key: string, text: string, action?: NodeAction, icon: IconName = 'alert') => {
      const infoId = `info:${registry.id}:${key}`;
      items.push({
        id: infoId,
        text,
        depth: 1,
        expandable: false,
        expanded: false,
        selected: false,
        content: (
          <span className="tree-row tree-info">
            <Icon name={icon} size={13} className="tree-icon" />
            <span className="tree-label">{text}</span>
          </span>
        ),
      });
      if (action) actions.set(infoId, action);
    };

    if (catalog?.status === 'loading' && repositories.length === 0)
      info('loading', 'Loading repositories…', undefined, 'refresh');
    if (catalog?.status === 'error') {
      const code = catalog.error.code;
      if (code === 'unauthorized' || code === 'denied')
        info('signin', 'Sign in to list repositories', { signIn: registry.id }, 'key');
      else if (code === 'unsupported' || code === 'not_found')
        info('closed', 'No catalog: add repositories by name', { addRepository: registry.id }, 'plus');
      else info('error', adviseOn(catalog.error).title, { route: { view: 'registry', registryId: registry.id } });
    }
    if (catalog?.status === 'ready' && repositories.length === 0)
      info('empty', 'No repositories: add one by name', { addRepository: registry.id }, 'plus');

    const root = buildNamespaceTree(repositories);
    const walk = (node: NamespaceNode, depth: number) => {
      for (const child of node.children) {
        const hasChildren = child.children.length > 0;
        const nodeId = hasChildren
          ? namespaceNodeId(registry.id, child.path)
          : repositoryNodeId(registry.id, child.path);
        const childOpen = hasChildren && expanded.has(nodeId);
        items.push({
          id: nodeId,
          text: child.name,
          depth,
          expandable: hasChildren,
          expanded: childOpen,
          selected: selectedPath?.registryId === registry.id && selectedPath.path === child.path,
          testId: `${hasChildren ? 'namespace' : 'repository'}-${registry.id}-${child.path}`,
          content: (
            <span className="tree-row">
              <Icon name={hasChildren ? 'folder' : 'repository'} size={14} className="tree-icon" />
              <span className="tree-label">{child.name}</span>
              {/* The item is named by its name (type-ahead, the label in its accessible name): the count is drawn
                  by CSS, for the eye, and the registry view says it in words. */}
              {hasChildren ? (
                <span className="tree-count" aria-hidden="true" data-count={child.repositoryCount} />
              ) : null}
            </span>
          ),
        });
        // A path that is a repository opens it, even when it is also a namespace of deeper repositories.
        actions.set(nodeId, {
          route: child.isRepository
            ? { view: 'repository', registryId: registry.id, repository: child.path }
            : { view: 'registry', registryId: registry.id, namespace: child.path },
        });
        if (childOpen) walk(child, depth + 1);
      }
    };
    walk(root, 1);
  }
  return { items, actions };
}
