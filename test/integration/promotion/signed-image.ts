/**
 * An image as CI leaves it: pushed, signed with cosign's key scheme (`sha256-<hex>.sig`) and carrying a
 * cosign vuln attestation (`.att`, a DSSE envelope whose predicate holds a Trivy JSON report), all made with
 * Node's crypto (../trust/signer.ts), for the gate tests and the gate journey.
 */
import { pushUniqueImage } from '../../env/unique-image';
import {
  DSSE,
  cosignLayer,
  dsseEnvelope,
  pushLayersManifest,
  signBytes,
  simpleSigningPayload,
  type KeyPair,
} from '../trust/signer';

export const VULN_PREDICATE = 'https://cosign.sigstore.dev/attestation/vuln/v1';

export interface Finding {
  id: string;
  pkg: string;
  /** Trivy's word: CRITICAL, HIGH, MEDIUM, LOW. */
  severity: string;
}

/** A Trivy JSON report (SchemaVersion 2) as cosign puts it in a vuln attestation's scanner.result. */
function vulnPredicate(findings: Finding[]) {
  return {
    invocation: { uri: 'https://example.invalid/ci/1' },
    scanner: {
      uri: 'pkg:github/aquasecurity/trivy@0.50.0',
      version: '0.50.0',
      result: {
        SchemaVersion: 2,
        ArtifactName: 'app',
        Results: [
          {
            Target: 'app (debian 12)',
            Vulnerabilities: findings.map((finding) => ({
              VulnerabilityID: finding.id,
              PkgName: finding.pkg,
              InstalledVersion: '1.0',
              FixedVersion: '1.1',
              Severity: finding.severity,
            })),
          },
        ],
      },
    },
    metadata: { scanStartedOn: '2026-01-01T00:00:00Z', scanFinishedOn: '2026-01-01T00:01:00Z' },
  };
}

export interface SignedImage {
  digest: string;
  sigTag: string;
  attTag: string;
}

/** Pushes `repository:tag`, its signature by `signer` and a vuln attestation of `findings` by `attester`. */
export async function pushSignedImage(options: {
  host: string;
  repository: string;
  tag: string;
  signer: KeyPair;
  attester: KeyPair;
  findings: Finding[];
}): Promise<SignedImage> {
  const { host, repository } = options;
  const { digest } = await pushUniqueImage({ host }, repository, options.tag, 1);
  const base = digest.replace(':', '-');
  const payload = simpleSigningPayload(`${host}/${repository}`, digest);
  await pushLayersManifest({ host }, repository, `${base}.sig`, [
    cosignLayer(payload, signBytes(options.signer.privateKey, payload)),
  ]);
  const envelope = dsseEnvelope(options.attester.privateKey, digest, VULN_PREDICATE, vulnPredicate(options.findings));
  await pushLayersManifest({ host }, repository, `${base}.att`, [
    { mediaType: DSSE, payload: envelope, annotations: { predicateType: VULN_PREDICATE } },
  ]);
  return { digest, sigTag: `${base}.sig`, attTag: `${base}.att` };
}
