/**
 * The image view's Lineage tab: the chain of bases upward (found by layer chains among the images of the
 * scope), the base annotations and whether they agree, a stale badge with a link comparing the old base
 * with what its tag points at now, and the images built on this one. It answers from the registry index
 * at once and fills in while the scope is refreshed (status bar).
 * Test hooks: region "Lineage"; combobox "Scope"; list "Bases upward"; list "Built on this image";
 * [data-testid=lineage-stale] (the badge) and button "Compare old and new base".
 */
import { useEffect, useState } from 'react';
import { parseReference } from '../../../shared/reference';
import type { PlatformLineage } from '../../../shared/types/lineage';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatDateTime, plural, shortDigest } from '../../logic/format';
import { digestReference } from '../../logic/references';
import { useNavigation } from '../../navigation/store';
import { imageKey, scopesFor, useLineage } from '../../stores/lineage';
import { useOperations } from '../../stores/operations';
import './lineage.css';

function OpenLink({ reference, children }: { reference: string; children?: React.ReactNode }) {
  const navigate = useNavigation((s) => s.navigate);
  return (
    <button type="button" className="link-button" onClick={() => navigate({ view: 'image', reference })}>
      {children ?? reference}
    </button>
  );
}

/** A reference to the base digest in the base tag's repository: what the image was built on. */
function oldBaseReference(baseTag: string, digest: string): string {
  const ref = parseReference(baseTag);
  return digestReference(ref.registry, ref.repository, digest);
}

function PlatformSection({ lineage, reference }: { lineage: PlatformLineage; reference: string }) {
  const navigate = useNavigation((s) => s.navigate);
  const { base, annotation } = lineage;
  return (
    <div className="lineage-platform">
      {lineage.stale && lineage.baseTag && lineage.baseNow ? (
        <p className="lineage-stale">
          <span className="chip chip-warn" data-testid="lineage-stale">
            <Icon name="alert" size={12} /> Stale: needs a rebuild
          </span>{' '}
          {lineage.baseTag} now points at <code>{shortDigest(lineage.baseNow.digest)}</code>
          {lineage.baseNow.created ? ` (created ${formatDateTime(lineage.baseNow.created)})` : ''}.{' '}
          <button
            type="button"
            className="button button-small"
            onClick={() =>
              navigate({
                view: 'compare',
                a: oldBaseReference(lineage.baseTag!, base?.digest ?? annotation?.digest ?? ''),
                b: lineage.baseTag!,
              })
            }
          >
            <Icon name="compare" size={12} /> Compare old and new base
          </button>
        </p>
      ) : null}
      {base ? (
        <p data-testid="lineage-base">
          Built on <OpenLink reference={base.reference} /> ({base.sharedLayers} of {plural(base.totalLayers, 'layer')})
          {base.heldBy.length > 1 ? (
            <span className="muted">
              {' '}
              · also{' '}
              {base.heldBy
                .filter((held) => held.reference !== base.reference)
                .map((held) => `${held.reference}${held.current ? '' : ' (moved since)'}`)
                .join(', ')}
            </span>
          ) : null}
        </p>
      ) : (
        <p className="muted">No base in the scope: no other image's layers are a prefix of this one's.</p>
      )}
      {lineage.sameLayersAs.length > 0 ? (
        <p>
          Same layers as{' '}
          {lineage.sameLayersAs.map((other, position) => (
            <span key={other}>
              {position > 0 ? ', ' : ''}
              <OpenLink reference={other} />
            </span>
          ))}
        </p>
      ) : null}
      {annotation ? (
        <p data-testid="lineage-annotation">
          Annotation ({annotation.source === 'labels' ? 'config labels' : 'manifest'}): {annotation.name ?? '?'}
          {annotation.digest ? <code> @{shortDigest(annotation.digest)}</code> : null}{' '}
          {lineage.annotationAgrees === true ? (
            <span className="chip">agrees with the layers</span>
          ) : lineage.annotationAgrees === false ? (
            <span className="chip chip-warn">disagrees with the layers</span>
          ) : null}
          {lineage.annotationNote ? <span className="muted"> {lineage.annotationNote}</span> : null}
        </p>
      ) : null}
      {lineage.chain.length > 0 ? (
        <>
          <h4>Bases upward</h4>
          <ol aria-label="Bases upward" className="lineage-chain">
            <li>
              <code>{reference}</code> <span className="muted">({plural(lineage.totalLayers, 'layer')})</span>
            </li>
            {lineage.chain.map((link) => (
              <li key={link.digest}>
                <OpenLink reference={link.reference} /> <span className="muted">({plural(link.layers, 'layer')})</span>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </div>
  );
}

export function LineagePanel({ reference, platform }: { reference: string; platform?: string }) {
  const parsed = parseReference(reference);
  const scopes = scopesFor(parsed.registry, parsed.repository);
  const [scope, setScope] = useState(scopes[0]!);
  const key = imageKey(reference, scope, platform);
  const entry = useLineage((s) => s.images[key]);
  const load = useLineage((s) => s.loadImage);
  const operationId = useLineage((s) => s.refreshing[scope]);
  const progress = useOperations((s) => (operationId ? s.entries[operationId] : undefined));

  useEffect(() => {
    void load(reference, scope, platform);
  }, [load, reference, scope, platform]);

  const view = entry?.value;
  return (
    <section className="lineage-panel" aria-label="Lineage">
      <div className="lineage-toolbar">
        <label>
          <span className="muted">Scope </span>
          <select aria-label="Scope" value={scope} onChange={(event) => setScope(event.target.value)}>
            {scopes.map((option) => (
              <option key={option} value={option}>
                {option === parsed.registry ? `${option} (whole registry)` : option}
              </option>
            ))}
          </select>
        </label>
        {progress && !progress.done ? (
          <ProgressBar current={progress.current} total={progress.total} label="Reading layer chains" />
        ) : null}
      </div>
      {!view ? (
        entry?.status === 'error' ? (
          <ErrorState
            error={entry.error}
            context="Lineage"
            handlers={{ retry: () => void load(reference, scope, platform) }}
          />
        ) : (
          <LoadingState label="Comparing layer chains…" detail={`Images of ${scope}`} />
        )
      ) : (
        <>
          {view.lineage.platforms.length > 1 ? (
            view.lineage.platforms.map((one) => (
              <div key={one.digest}>
                <h4>{one.platform}</h4>
                <PlatformSection lineage={one} reference={reference} />
              </div>
            ))
          ) : (
            <PlatformSection lineage={view.lineage} reference={reference} />
          )}
          <h4>Built on this image</h4>
          {view.dependents.dependents.length === 0 ? (
            <EmptyState title="No image in the scope is built on this one" />
          ) : (
            <ul aria-label="Built on this image" className="lineage-dependents">
              {view.dependents.dependents.map((dependent) => (
                <li key={`${dependent.reference}\u0000${dependent.platform ?? ''}`}>
                  <OpenLink reference={dependent.reference} />{' '}
                  <span className="muted">
                    {dependent.platform ? `${dependent.platform} · ` : ''}
                    {dependent.sharedLayers} of {plural(dependent.totalLayers, 'layer')}
                    {dependent.direct ? '' : ' · through another base'}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
