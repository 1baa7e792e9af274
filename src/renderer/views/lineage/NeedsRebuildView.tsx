/**
 * "Needs rebuild" for a registry or namespace: every image whose base tag now points at another digest than
 * the one it was built on, with the base tag, the old and new base digests, when the base moved, and a
 * link comparing the old base with the new. Answers from the registry index at once, then refreshes the
 * scope (progress bar, status bar) and answers again.
 * Test hooks: table "Needs rebuild" (one row per stale image, data-reference); progressbar "Reading layer
 * chains"; button "Refresh needs rebuild".
 */
import { useEffect } from 'react';
import { parseReference } from '../../../shared/reference';
import { Breadcrumbs, type Crumb } from '../../components/Breadcrumbs';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatDateTime, shortDigest } from '../../logic/format';
import { digestReference } from '../../logic/references';
import { useNavigation } from '../../navigation/store';
import { useLineage } from '../../stores/lineage';
import { useOperations } from '../../stores/operations';
import { useRegistry } from '../browse/common';
import './lineage.css';
import { RefreshButton } from '../../components/RefreshButton';

/** A reference without its registry host (the view is about one registry): `team/app:1`. */
const withoutHost = (reference: string, host: string) =>
  reference.startsWith(`${host}/`) ? reference.slice(host.length + 1) : reference;

export function NeedsRebuildView({ registryId, namespace }: { registryId: string; namespace: string }) {
  const { registry } = useRegistry(registryId);
  const host = registry?.host ?? registryId;
  const scope = namespace ? `${host}/${namespace}` : host;
  const entry = useLineage((s) => s.stale[scope]);
  const load = useLineage((s) => s.loadStale);
  const operationId = useLineage((s) => s.refreshing[scope]);
  const progress = useOperations((s) => (operationId ? s.entries[operationId] : undefined));
  const navigate = useNavigation((s) => s.navigate);

  useEffect(() => {
    if (registry) void load(scope);
  }, [registry, scope, load]);

  const crumbs: Crumb[] = [
    { label: registry?.name ?? registryId, onSelect: () => navigate({ view: 'registry', registryId }) },
    ...(namespace ? [{ label: namespace, onSelect: () => navigate({ view: 'registry', registryId, namespace }) }] : []),
    { label: 'Needs rebuild' },
  ];
  const rows = entry?.value?.stale ?? [];
  return (
    <div className="view needs-rebuild-view">
      <header className="view-header">
        <Breadcrumbs crumbs={crumbs} />
        <div className="view-actions">
          <RefreshButton
            label="Refresh needs rebuild"
            disabled={operationId !== undefined}
            onClick={() => void load(scope)}
          />
        </div>
      </header>
      <p className="view-subheader muted">
        Images in <code>{scope}</code> whose base tag has moved since they were built.
      </p>
      {operationId ? (
        <ProgressBar label="Reading layer chains" current={progress?.current ?? 0} total={progress?.total ?? 0} />
      ) : null}
      {entry?.status === 'error' ? (
        <ErrorState error={entry.error} handlers={{ retry: () => void load(scope) }} />
      ) : null}
      {!entry?.value && entry?.status !== 'error' ? <LoadingState label="Comparing layer chains…" /> : null}
      {entry?.value && rows.length === 0 && !operationId ? (
        <EmptyState
          title="Nothing needs a rebuild"
          message="Every base tag still points at the digest its images were built on."
          icon="layers"
        />
      ) : null}
      {rows.length > 0 ? (
        <table className="data-table" aria-label="Needs rebuild">
          <thead>
            <tr>
              <th>Image</th>
              <th>Base tag</th>
              <th>Old base</th>
              <th>New base</th>
              <th>Base moved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const base = parseReference(row.base);
              return (
                <tr key={`${row.reference}\u0000${row.platform ?? ''}`} data-reference={row.reference}>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      title={row.reference}
                      onClick={() => navigate({ view: 'image', reference: row.reference })}
                    >
                      {withoutHost(row.reference, host)}
                    </button>
                    {row.platform ? <span className="muted"> {row.platform}</span> : null}
                  </td>
                  <td title={row.base}>{withoutHost(row.base, host)}</td>
                  <td>
                    <code title={row.oldBaseDigest}>{shortDigest(row.oldBaseDigest)}</code>
                  </td>
                  <td>
                    <code title={row.newBaseDigest}>{shortDigest(row.newBaseDigest)}</code>
                  </td>
                  <td>{row.baseMoved ? formatDateTime(row.baseMoved) : ''}</td>
                  <td>
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Compare old and new base of ${row.reference}`}
                      onClick={() =>
                        navigate({
                          view: 'compare',
                          a: digestReference(base.registry, base.repository, row.oldBaseDigest),
                          b: row.base,
                        })
                      }
                    >
                      <Icon name="compare" size={12} /> Compare bases
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
