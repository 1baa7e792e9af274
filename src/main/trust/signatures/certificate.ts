/** What the Trust tab shows of a signing certificate, and matching a certificate identity against a policy. */
import { X509Certificate as NodeCertificate } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import type { CertificateInfo, TrustIdentity } from '../../../shared/types/trust';

// Fulcio's OIDC issuer extensions: v1 holds the raw string, v2 a DER UTF8String
// (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';

export function oidcIssuer(der: Buffer): string | undefined {
  try {
    const cert = X509Certificate.parse(Buffer.from(der));
    const v2 = cert.extension(OID_ISSUER_V2);
    if (v2) return v2.valueObj.subs[0]?.value.toString('utf8');
    return cert.extension(OID_ISSUER_V1)?.value.toString('utf8');
  } catch {
    return undefined;
  }
}

/** The readable parts of a DER or PEM certificate; undefined when it does not parse. */
export function certificateInfo(cert: Buffer | string): CertificateInfo | undefined {
  let parsed: NodeCertificate;
  try {
    parsed = new NodeCertificate(cert);
  } catch {
    return undefined;
  }
  const issuer = oidcIssuer(parsed.raw);
  return {
    // Fulcio's certificates have an empty subject (the identity is in the SAN): Node reports it as undefined.
    subject: ((parsed.subject as string | undefined) ?? '').replace(/\n/g, ', '),
    issuer: ((parsed.issuer as string | undefined) ?? '').replace(/\n/g, ', '),
    ...(parsed.subjectAltName ? { san: parsed.subjectAltName } : {}),
    ...(issuer ? { oidcIssuer: issuer } : {}),
    notBefore: new Date(parsed.validFrom).toISOString(),
    notAfter: new Date(parsed.validTo).toISOString(),
    serialNumber: parsed.serialNumber,
  };
}

function matches(exact: string | undefined, pattern: string | undefined, value: string | undefined): boolean {
  if (exact !== undefined && value !== exact) return false;
  if (pattern !== undefined) {
    // Unanchored, as cosign's --certificate-identity-regexp (Go's MatchString); a bad pattern matches nothing.
    try {
      if (value === undefined || !new RegExp(pattern, 'u').test(value)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The first policy identity a signer's SAN and OIDC issuer satisfy; an identity with no field matches nothing. */
export function matchIdentity(
  identities: readonly TrustIdentity[],
  san: string | undefined,
  issuer: string | undefined,
): TrustIdentity | undefined {
  return identities.find(
    (identity) =>
      (identity.subject ?? identity.subjectRegex ?? identity.issuer ?? identity.issuerRegex) !== undefined &&
      matches(identity.subject, identity.subjectRegex, san) &&
      matches(identity.issuer, identity.issuerRegex, issuer),
  );
}

export function describeIdentity(identity: TrustIdentity): string {
  const subject = identity.subject ?? (identity.subjectRegex ? `/${identity.subjectRegex}/` : 'any subject');
  const issuer = identity.issuer ?? (identity.issuerRegex ? `/${identity.issuerRegex}/` : 'any issuer');
  return `${subject} from ${issuer}`;
}
