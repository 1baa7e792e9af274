/**
 * Artifacts that refer to this manifest (OCI referrers API, or the tag-schema fallback): signatures,
 * SBOMs, attestations and others, grouped by type.
 * Test hooks: one section per type with aria-label "Signatures" / "SBOMs" / "Attestations" / "Other".
 */
import { useEffect } from 'react';
import type { Referrer, ReferrerType } from '../../../shared/types/registry';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { Icon, type IconName } from '../../components/Icon';
import { formatBytes, formatTimestamp } from '../../logic/format';
import { useImages } from '../../stores/images';
import { DigestLink } from './DigestLink';
import { ReferrersFallback, useReferrersOverview } from '../trust/ReferrersFallback';

const GROUPS: { type: ReferrerType; title: string; icon: IconName }[] = [
  { type: 'signature', title: 'Signatures', icon: 'signature' },
  { type: 'sbom', title: 'SBOMs', icon: 'file' },
  { type: 'attestation', title: 'Attestations', icon: 'check' },
  { type: 'other', title: 'Other', icon: 'link' },
];

const CREATED_ANNOTATION = 'org.opencontainers.image.created';

export function ReferrersTab({ reference, onOpen }: { reference: string; onOpen: (digest: string) => void }) {
  const referrers = useImages((s) => s.referrers[reference]);
  const load = useImages((s) => s.loadReferrers);
  const overview = useReferrersOverview(reference);
  useEffect(() => {
    void load(reference);
  }, [load, reference]);

  if (!referrers || (referrers.status === 'loading' && !referrers.value))
    return <LoadingState label="Looking for signatures, SBOMs and attestations…" />;
  if (referrers.status === 'error' && !referrers.value)
    return (
      <ErrorState error={referrers.error} compact handlers={{ retry: () => void load(reference, { force: true }) }} />
    );
  const list = referrers.value ?? [];
  if (list.length === 0 && !overview?.cosignTags.length) {
    return (
      <EmptyState
        title="No referrers"
        message={`Nothing in this repository refers to this manifest: no signatures, SBOMs or attestations were attached${overview && !overview.referrersApi ? ' (the registry has no referrers API: its fallback tag and cosign’s tags were read)' : ''}.`}
        icon="signature"
      />
    );
  }
  return (
    <div className="tab-content referrers">
      <ReferrersFallback reference={reference} onOpen={onOpen} />
      {GROUPS.map((group) => {
        const items = list.filter((r) => r.type === group.type);
        if (items.length === 0) return null;
        return (
          <section key={group.type} aria-label={group.title} className="referrer-group">
            <h3 className="section-title">
              <Icon name={group.icon} size={14} /> {group.title} <span className="muted">({items.length})</span>
            </h3>
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Artifact type</th>
                  <th scope="col">Digest</th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r: Referrer) => (
                  <tr key={r.digest}>
                    <td>
                      <code>{r.artifactType || r.mediaType}</code>
                    </td>
                    <td>
                      <DigestLink digest={r.digest} onOpen={onOpen} />
                    </td>
                    <td className="num">{formatBytes(r.size)}</td>
                    <td className="muted">
                      {r.annotations?.[CREATED_ANNOTATION] ? formatTimestamp(r.annotations[CREATED_ANNOTATION]) : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </div>
  );
}
