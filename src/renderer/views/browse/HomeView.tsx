/**
 * What a developer sees on opening Berth: the registries with their state, or how to connect the first.
 * Test hooks: region "Registries overview"; each card is an article named after the registry.
 */
import { Icon } from '../../components/Icon';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { useNavigation } from '../../navigation/store';
import { repositoriesOf, useRegistries } from '../../stores/registries';
import { useUi } from '../../stores/ui';
import { searchShortcutLabel } from '../search/SearchPalette';

export function HomeView() {
  const list = useRegistries((s) => s.list);
  const statuses = useRegistries((s) => s.status);
  const catalogs = useRegistries((s) => s.catalogs);
  const load = useRegistries((s) => s.load);
  const navigate = useNavigation((s) => s.navigate);
  const openDialog = useUi((s) => s.openDialog);

  if (!list || (list.status === 'loading' && !list.value)) return <LoadingState label="Loading registries…" />;
  if (list.status === 'error')
    return <ErrorState error={list.error} handlers={{ retry: () => void load() }} context="Registries" />;
  const registries = list.value ?? [];
  if (registries.length === 0) {
    return (
      <EmptyState
        title="Connect a registry"
        message="Add Docker Hub, GHCR, Quay, Harbor, GitLab, ECR or your own registry, or import the ones your Docker CLI already uses."
        icon="registry"
      >
        <button type="button" className="button button-primary" onClick={() => openDialog({ kind: 'addRegistry' })}>
          <Icon name="plus" size={13} /> Add registry
        </button>
        <button type="button" className="button" onClick={() => openDialog({ kind: 'importDocker' })}>
          <Icon name="download" size={13} /> Import from Docker
        </button>
      </EmptyState>
    );
  }
  return (
    <div className="view home-view">
      <header className="view-header">
        <div className="view-title">
          <Icon name="anchor" size={18} />
          <h1>Registries</h1>
        </div>
        <div className="view-actions">
          <button type="button" className="button" onClick={() => openDialog({ kind: 'addRegistry' })}>
            <Icon name="plus" size={13} /> Add registry
          </button>
        </div>
      </header>
      <section className="card-grid" aria-label="Registries overview">
        {registries.map((r) => {
          const status = statuses[r.id]?.value;
          const catalog = catalogs[r.id];
          const count = catalog?.value ? repositoriesOf(r, catalog).length : undefined;
          return (
            <article key={r.id} className="card" aria-label={r.name}>
              <button
                type="button"
                className="card-main"
                onClick={() => navigate({ view: 'registry', registryId: r.id })}
              >
                <div className="card-title">
                  <Icon name="registry" size={15} />
                  <span className="truncate">{r.name}</span>
                  <span
                    className={`status-dot ${!status ? 'unknown' : status.reachable ? 'reachable' : 'unreachable'}`}
                  />
                </div>
                <code className="muted">{r.host}</code>
                <div className="card-meta">
                  {!status
                    ? 'Checking…'
                    : !status.reachable
                      ? (status.message ?? 'Unreachable')
                      : status.authenticated
                        ? `Signed in as ${r.credential.username ?? 'user'}`
                        : 'Anonymous'}
                  {count !== undefined ? ` · ${count} repositories` : ''}
                  {status?.rateLimit?.remaining !== undefined ? ` · ${status.rateLimit.remaining} pulls left` : ''}
                </div>
              </button>
              {/* A stored credential the registry no longer accepts: offer to replace it. */}
              {status?.reachable && !status.authenticated && r.credential.source !== 'none' ? (
                <button
                  type="button"
                  className="link-button card-action"
                  onClick={() => openDialog({ kind: 'signIn', registryId: r.id })}
                >
                  Sign in again…
                </button>
              ) : null}
            </article>
          );
        })}
      </section>
      <section className="tips" aria-label="Keyboard">
        <h2>Keyboard</h2>
        <ul>
          <li>
            <kbd>{searchShortcutLabel()}</kbd> or <kbd>/</kbd> search repositories and tags everywhere
          </li>
          <li>
            <kbd>↑</kbd> <kbd>↓</kbd> <kbd>←</kbd> <kbd>→</kbd> walk the sidebar tree and tables, <kbd>Enter</kbd> opens
          </li>
          <li>
            <kbd>Ctrl</kbd>+<kbd>,</kbd> settings
          </li>
        </ul>
      </section>
    </div>
  );
}
