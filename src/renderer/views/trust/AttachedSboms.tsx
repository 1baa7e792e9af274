/**
 * The SBOMs attached to an image (SPDX / CycloneDX documents as OCI referrers, or in in-toto attestations),
 * in the Trust tab: per document its format, how it was attached, whether its signature was verified (an
 * unverified one does not satisfy a gate), and its packages as a table, not raw JSON.
 * Test hooks: region "Attached SBOMs"; one article per document with aria-label "<Format> SBOM" and
 * data-verification; a table "Packages of <source>" per document; [data-testid=sbom-problems].
 */
import { useEffect, useState } from 'react';
import type { AttachedSbom } from '../../../shared/types/packages';
import { ErrorState, LoadingState } from '../../components/states';
import { Icon } from '../../components/Icon';
import { useTrust } from '../../stores/trust';
import { KeyValueTable } from '../image/KeyValueTable';

const FORMAT_NAMES: Record<AttachedSbom['format'], string> = { cyclonedx: 'CycloneDX', spdx: 'SPDX' };
const VIA_NAMES: Record<AttachedSbom['via'], string> = {
  referrer: 'OCI referrer',
  attestation: 'in-toto attestation (DSSE)',
};
const VERIFICATION_NAMES: Record<AttachedSbom['verification'], string> = {
  verified: 'Verified',
  unverified: 'Not verified',
  pending: 'Not checked',
};
/** Rows shown before "Show all": an SBOM can list thousands of packages. */
const FIRST_ROWS = 200;

export function AttachedSboms({ reference }: { reference: string }) {
  const attached = useTrust((s) => s.sboms[reference]);
  const load = useTrust((s) => s.loadSboms);
  useEffect(() => {
    void load(reference);
  }, [load, reference]);

  let body;
  if (!attached || (attached.status === 'loading' && !attached.value))
    body = <LoadingState label="Reading attached SBOMs…" />;
  else if (attached.status === 'error' && !attached.value)
    body = (
      <ErrorState error={attached.error} compact handlers={{ retry: () => void load(reference, { force: true }) }} />
    );
  else {
    const { sboms, problems } = attached.value!;
    body = (
      <>
        {sboms.length === 0 ? <p className="muted">No SPDX or CycloneDX document is attached to this image.</p> : null}
        {sboms.map((sbom, index) => (
          <SbomCard key={`${sbom.source}-${index}`} sbom={sbom} />
        ))}
        {problems.length ? (
          <div className="sbom-problems" data-testid="sbom-problems">
            <p>
              <Icon name="alert" size={13} /> Attached documents that could not be read:
            </p>
            <ul>
              {problems.map((problem, index) => (
                <li key={index}>{problem}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </>
    );
  }
  return (
    <section className="attached-sboms" aria-label="Attached SBOMs">
      <h3 className="section-title">
        <Icon name="layers" size={14} /> Attached SBOMs
      </h3>
      {body}
    </section>
  );
}

function SbomCard({ sbom }: { sbom: AttachedSbom }) {
  const [all, setAll] = useState(false);
  const shown = all ? sbom.packages : sbom.packages.slice(0, FIRST_ROWS);
  const entries: [string, string][] = [
    ['Format', FORMAT_NAMES[sbom.format]],
    ['Attached as', VIA_NAMES[sbom.via]],
    ['Source', sbom.source],
    ['Signature', VERIFICATION_NAMES[sbom.verification]],
    ...(sbom.reason ? ([['Reason', sbom.reason]] as [string, string][]) : []),
    ['Packages', String(sbom.packages.length)],
  ];
  return (
    <article
      className={`sbom-card trust-${sbom.verification === 'verified' ? 'verified' : 'unverified'}`}
      aria-label={`${FORMAT_NAMES[sbom.format]} SBOM`}
      data-verification={sbom.verification}
    >
      <KeyValueTable label="SBOM" entries={entries} empty="" />
      <table className="data-table" aria-label={`Packages of ${sbom.source}`}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Version</th>
            <th scope="col">License</th>
            <th scope="col">purl</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((pkg, index) => (
            <tr key={`${pkg.name}-${pkg.version ?? ''}-${index}`}>
              <td>{pkg.name}</td>
              <td>{pkg.version ?? '—'}</td>
              <td>{pkg.license ?? '—'}</td>
              <td>{pkg.purl ? <code>{pkg.purl}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < sbom.packages.length ? (
        <button type="button" className="link-button" onClick={() => setAll(true)}>
          Show all {sbom.packages.length} packages
        </button>
      ) : null}
    </article>
  );
}
