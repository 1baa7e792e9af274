/**
 * Where a registry's bytes are: one bar per namespace and repository directly below the current namespace
 * (unique bytes, then shared bytes, to scale with the biggest row), a namespace row drills in, a repository
 * row opens it. The figures come from the registry index and fill in while a refresh reads the registry,
 * under a progress bar. Then the biggest images and layers of the scope.
 * Test hooks: list "Storage by namespace and repository", its rows' buttons named by path; progressbar
 * "Reading the registry"; tables "Biggest images" and "Biggest layers".
 */
import { useEffect, useMemo } from 'react';
import { useApi } from '../../api/context';
import type { StorageUsage } from '../../../shared/types/storage';
import { Breadcrumbs, type Crumb } from '../../components/Breadcrumbs';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatBytes, formatCount, plural, shortDigest } from '../../logic/format';
import { scopeFigures, storageRows, type StorageRow } from '../../logic/storage-rows';
import { useNavigation } from '../../navigation/store';
import { useOperations } from '../../stores/operations';
import { useStorage } from '../../stores/storage';
import { useRegistry } from '../browse/common';
import './storage.css';
import { RefreshButton } from '../../components/RefreshButton';

function UsageBar({ row, max }: { row: StorageRow; max: number }) {
  const share = (bytes: number) => `${max > 0 ? (bytes / max) * 100 : 0}%`;
  return (
    <div
      className="storage-bar"
      role="meter"
      aria-label={`${row.path}: ${formatBytes(row.bytes)}, ${formatBytes(row.uniqueBytes)} unique`}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={row.bytes}
    >
      <div className="storage-bar-unique" style={{ width: share(row.uniqueBytes) }} />
      <div className="storage-bar-shared" style={{ width: share(row.sharedBytes) }} />
    </div>
  );
}

function Summary({ usage, namespace }: { usage: StorageUsage; namespace: string }) {
  const figures = scopeFigures(usage, namespace);
  if (!figures) return null;
  return (
    <p className="storage-summary" data-testid="storage-summary">
      <strong>{formatBytes(figures.bytes)}</strong> stored · {formatBytes(figures.uniqueBytes)} unique ·{' '}
      {formatBytes(figures.sharedBytes)} shared · dedup {figures.dedupRatio.toFixed(2)}x · {plural(figures.tags, 'tag')}
      {usage.pendingTags > 0 ? (
        <span className="muted"> · {formatCount(usage.pendingTags)} tags not read yet</span>
      ) : null}
    </p>
  );
}

export function StorageView({ registryId, namespace }: { registryId: string; namespace: string }) {
  const { registry } = useRegistry(registryId);
  const registryName = registry?.name ?? registryId;
  const usage = useStorage((s) => s.usage[registryId]);
  const operationId = useStorage((s) => s.refreshing[registryId]);
  const load = useStorage((s) => s.load);
  const progress = useOperations((s) => (operationId ? s.entries[operationId] : undefined));
  const navigate = useNavigation((s) => s.navigate);

  const api = useApi();
  // Drilling in or coming back reuses what was read; the refresh button reads the registry again.
  useEffect(() => {
    if (!useStorage.of(api).getState().usage[registryId]) void load(registryId, registryName);
  }, [api, registryId, registryName, load]);

  const value = usage?.value;
  const rows = useMemo(() => (value ? storageRows(value, namespace) : []), [value, namespace]);
  const max = Math.max(0, ...rows.map((row) => row.bytes));
  const images =
    (namespace === value?.namespace
      ? value.biggestImages
      : value?.namespaces.find((entry) => entry.name === namespace)?.biggestImages) ?? [];

  const parts = namespace.split('/').filter(Boolean);
  const crumbs: Crumb[] = [
    { label: registryName, onSelect: () => navigate({ view: 'registry', registryId }) },
    { label: 'Storage', onSelect: () => navigate({ view: 'storage', registryId }) },
    ...parts.map((part, position) => ({
      label: part,
      onSelect: () => navigate({ view: 'storage', registryId, namespace: parts.slice(0, position + 1).join('/') }),
    })),
  ];

  return (
    <div className="view storage-view">
      <header className="view-header">
        <Breadcrumbs crumbs={crumbs} />
        <div className="view-actions">
          <RefreshButton
            label="Refresh storage usage"
            disabled={operationId !== undefined}
            onClick={() => void load(registryId, registryName)}
          />
        </div>
      </header>
      {operationId ? (
        <div className="storage-progress">
          <ProgressBar label="Reading the registry" current={progress?.current ?? 0} total={progress?.total ?? 0} />
          <span className="muted">{progress?.status ?? 'Starting'}</span>
        </div>
      ) : null}
      {usage?.status === 'error' ? (
        <ErrorState error={usage.error} handlers={{ retry: () => void load(registryId, registryName) }} />
      ) : null}
      {value ? <Summary usage={value} namespace={namespace} /> : null}
      {!value && usage?.status !== 'error' ? <LoadingState label="Reading storage usage…" /> : null}
      {value && rows.length === 0 && !operationId ? (
        <EmptyState
          title="Nothing stored here"
          message="No tagged image is indexed under this namespace."
          icon="registry"
        />
      ) : null}
      {rows.length > 0 ? (
        <>
          <div className="storage-legend muted" aria-hidden="true">
            <span className="storage-swatch storage-bar-unique" /> unique
            <span className="storage-swatch storage-bar-shared" /> shared with other repositories
          </div>
          <ul className="storage-rows" aria-label="Storage by namespace and repository">
            {rows.map((row) => (
              <li key={row.path} className="storage-row" data-path={row.path}>
                <button
                  type="button"
                  className="link-button storage-name"
                  aria-label={row.path}
                  title={row.kind === 'namespace' ? `Show ${row.path}` : `Open ${row.path}`}
                  onClick={() =>
                    navigate(
                      row.kind === 'namespace'
                        ? { view: 'storage', registryId, namespace: row.path }
                        : { view: 'repository', registryId, repository: row.path },
                    )
                  }
                >
                  <Icon name={row.kind === 'namespace' ? 'folder' : 'repository'} size={14} /> {row.name}
                </button>
                <UsageBar row={row} max={max} />
                <span className="storage-figures">
                  {formatBytes(row.bytes)}
                  <span className="muted">
                    {' '}
                    · {formatBytes(row.uniqueBytes)} unique ·{' '}
                    {row.kind === 'namespace'
                      ? plural(row.repositories, 'repository', 'repositories')
                      : plural(row.tags, 'tag')}
                  </span>
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {images.length > 0 ? (
        <section className="storage-biggest">
          <table aria-label="Biggest images">
            <caption>Biggest images</caption>
            <thead>
              <tr>
                <th>Image</th>
                <th>Tags</th>
                <th className="num">Size</th>
              </tr>
            </thead>
            <tbody>
              {images.map((image) => (
                <tr key={`${image.repository}@${image.digest}`}>
                  <td>
                    <code>
                      {image.repository}@{shortDigest(image.digest)}
                    </code>
                  </td>
                  <td className="storage-tags" title={image.tags.join(', ')}>
                    {image.tags.slice(0, 3).join(', ') + (image.tags.length > 3 ? ` +${image.tags.length - 3}` : '')}
                  </td>
                  <td className="num">{formatBytes(image.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {namespace === '' && value && value.biggestLayers.length > 0 ? (
            <table aria-label="Biggest layers">
              <caption>Biggest layers</caption>
              <thead>
                <tr>
                  <th>Layer</th>
                  <th className="num">Repositories</th>
                  <th className="num">Size</th>
                </tr>
              </thead>
              <tbody>
                {value.biggestLayers.map((layer) => (
                  <tr key={layer.digest}>
                    <td>
                      <code>{shortDigest(layer.digest)}</code>
                    </td>
                    <td className="num">{layer.repositories}</td>
                    <td className="num">{formatBytes(layer.size)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
