/**
 * The image view's Trust tab: every signature found on the image (cosign tags, OCI referrers or their
 * fallback tag, Sigstore bundles, Notation), each with its kind, state, signer, certificate, log entry,
 * payload and the exact reason it is not verified, under the policy that applied; then the attached SBOMs
 * (AttachedSboms.tsx).
 * Test hooks: region "Trust"; one article per signature with aria-label "<kind> signature" and
 * data-state; [data-testid=trust-verdict].
 */
import { useEffect } from 'react';
import type { SignatureReport } from '../../../shared/types/trust';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { Icon } from '../../components/Icon';
import { formatTimestamp } from '../../logic/format';
import { useNavigation } from '../../navigation/store';
import { useTrust } from '../../stores/trust';
import './trust.css';
import { KeyValueTable } from '../image/KeyValueTable';
import { AttachedSboms } from './AttachedSboms';

const KIND_NAMES: Record<SignatureReport['kind'], string> = {
  cosign: 'cosign',
  'sigstore-bundle': 'Sigstore bundle',
  notation: 'Notation',
};
const STATE_NAMES: Record<SignatureReport['state'], string> = {
  verified: 'Verified',
  unverified: 'Signed, not verified',
  invalid: 'Invalid',
};
const FOUND_VIA: Record<SignatureReport['foundVia'], string> = {
  'cosign-tag': 'cosign tag',
  'referrers-api': 'referrers API',
  'referrers-fallback-tag': 'referrers fallback tag',
};

export function TrustTab({ reference }: { reference: string }) {
  const trust = useTrust((s) => s.images[reference]);
  const verify = useTrust((s) => s.verify);
  const navigate = useNavigation((s) => s.navigate);
  useEffect(() => {
    void verify(reference);
  }, [verify, reference]);

  if (!trust || (trust.status === 'loading' && !trust.value))
    return <LoadingState label="Finding and verifying signatures…" />;
  if (trust.status === 'error' && !trust.value)
    return (
      <ErrorState error={trust.error} compact handlers={{ retry: () => void verify(reference, { force: true }) }} />
    );
  const value = trust.value!;
  const policy =
    value.policy.source === 'none'
      ? 'No trust policy covers this repository: signatures are shown, but none can be verified.'
      : `Policy "${value.policy.name ?? ''}"${value.policy.required ? ' (a verified signature is required)' : ''}.`;
  return (
    <section className="tab-content trust" aria-label="Trust">
      <div
        className={`trust-verdict trust-${value.verified ? 'verified' : value.signatures.length ? 'unverified' : 'unsigned'}`}
        data-testid="trust-verdict"
      >
        <Icon name={value.verified ? 'check' : 'alert'} size={14} />
        <strong>{value.verified ? 'Verified' : value.signatures.length ? 'Not verified' : 'Unsigned'}</strong>
        <span className="muted"> {policy}</span>
        <button type="button" className="link-button" onClick={() => navigate({ view: 'settings' })}>
          Trust policies…
        </button>
      </div>
      {value.referrersProblem ? (
        <p className="trust-problem" data-testid="referrers-problem">
          <Icon name="alert" size={13} /> {value.referrersProblem} Only cosign&apos;s tags were read.
        </p>
      ) : !value.referrersApi ? (
        <p className="muted">
          This registry has no OCI referrers API; Berth read the referrers fallback tag and cosign&apos;s tags instead.
        </p>
      ) : null}
      {value.signatures.length === 0 ? (
        <EmptyState
          title="No signatures"
          message="No cosign tag, referrer or Notation signature is attached to this image."
          icon="signature"
        />
      ) : (
        value.signatures.map((signature, index) => (
          <SignatureCard key={`${signature.source}-${index}`} signature={signature} />
        ))
      )}
      <AttachedSboms reference={reference} />
    </section>
  );
}

function SignatureCard({ signature }: { signature: SignatureReport }) {
  const rows: [string, string][] = [
    ['State', STATE_NAMES[signature.state]],
    ...(signature.signer ? ([['Signer', signature.signer]] as [string, string][]) : []),
    ...(signature.reason ? ([['Reason', signature.reason]] as [string, string][]) : []),
    ['Found', `${FOUND_VIA[signature.foundVia]}: ${signature.source}`],
    ...(signature.manifestDigest ? ([['Manifest', signature.manifestDigest]] as [string, string][]) : []),
    ...(signature.dockerReference ? ([['Signed for', signature.dockerReference]] as [string, string][]) : []),
  ];
  const cert = signature.certificate;
  const certRows: [string, string][] = cert
    ? [
        ['Subject', cert.subject || '—'],
        ['Issuer', cert.issuer],
        ...(cert.san ? ([['SAN', cert.san]] as [string, string][]) : []),
        ...(cert.oidcIssuer ? ([['OIDC issuer', cert.oidcIssuer]] as [string, string][]) : []),
        ['Valid', `${formatTimestamp(cert.notBefore)} – ${formatTimestamp(cert.notAfter)}`],
        ['Serial', cert.serialNumber],
      ]
    : [];
  const log = signature.logEntry;
  const logRows: [string, string][] = log
    ? [
        ['Index', log.logIndex],
        ...(log.integratedTime ? ([['Integrated', formatTimestamp(log.integratedTime)]] as [string, string][]) : []),
        ...(log.logId ? ([['Log ID', log.logId]] as [string, string][]) : []),
        ...(log.note ? ([['Checked', log.note]] as [string, string][]) : []),
        [
          'Proof',
          log.proof === 'both'
            ? 'signed entry timestamp and inclusion proof'
            : log.proof === 'promise'
              ? 'signed entry timestamp'
              : log.proof,
        ],
      ]
    : [];
  return (
    <article
      className={`signature-card trust-${signature.state}`}
      aria-label={`${KIND_NAMES[signature.kind]} signature`}
      data-state={signature.state}
    >
      <h3 className="section-title">
        <Icon
          name={signature.state === 'verified' ? 'check' : signature.state === 'invalid' ? 'alert' : 'signature'}
          size={14}
        />{' '}
        {KIND_NAMES[signature.kind]} · {STATE_NAMES[signature.state]}
      </h3>
      <KeyValueTable label="Signature" entries={rows} empty="" />
      {certRows.length ? (
        <>
          <h4>Certificate</h4>
          <KeyValueTable label="Certificate" entries={certRows} empty="" />
        </>
      ) : null}
      {logRows.length ? (
        <>
          <h4>Transparency log entry</h4>
          <KeyValueTable label="Transparency log entry" entries={logRows} empty="" />
        </>
      ) : null}
      {signature.payload ? (
        <details>
          <summary>Signed payload</summary>
          <pre className="payload">{prettyJson(signature.payload)}</pre>
        </details>
      ) : null}
    </article>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
