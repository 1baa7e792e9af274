/**
 * What the Referrers tab adds for registries without the OCI referrers API (distribution 2.8 answers 404):
 * it says so, and lists what cosign's tag scheme holds for this digest (`sha256-<hex>.sig/.att/.sbom`),
 * so a signature tag sitting in the repository is not reported as "no signatures".
 * Test hooks: region "Cosign tags"; [data-testid=no-referrers-api].
 */
import { useEffect } from 'react';
import { useTrust } from '../../stores/trust';
import { DigestLink } from '../image/DigestLink';

export function useReferrersOverview(reference: string) {
  const overview = useTrust((s) => s.overviews[reference]);
  const load = useTrust((s) => s.loadOverview);
  useEffect(() => {
    void load(reference);
  }, [load, reference]);
  return overview?.value;
}

export function ReferrersFallback({ reference, onOpen }: { reference: string; onOpen: (digest: string) => void }) {
  const overview = useReferrersOverview(reference);
  if (!overview) return null;
  return (
    <>
      {!overview.referrersApi ? (
        <p className="muted" data-testid="no-referrers-api">
          This registry has no OCI referrers API (it answered 404): what is listed here comes from the referrers
          fallback tag and cosign&apos;s tags.
        </p>
      ) : null}
      {overview.cosignTags.length > 0 ? (
        <section aria-label="Cosign tags" className="referrer-group">
          <h3 className="section-title">cosign tags</h3>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col">Holds</th>
                <th scope="col">Digest</th>
              </tr>
            </thead>
            <tbody>
              {overview.cosignTags.map((tag) => (
                <tr key={tag.tag}>
                  <td>
                    <code>{tag.tag}</code>
                  </td>
                  <td>{tag.kind}</td>
                  <td>
                    <DigestLink digest={tag.digest} onOpen={onOpen} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </>
  );
}
