/**
 * The one table of the TLS failures Node reports, with what each means in words. The registry client and the
 * Docker engine client both explain TLS failures from it, each adding its own advice (CA file, insecure flag;
 * DOCKER_CERT_PATH). The certificate codes are OpenSSL's as Node names them:
 * https://nodejs.org/api/tls.html#x509-certificate-error-codes
 */

const TLS_FAILURES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: "its certificate is not valid yet (check this machine's clock)",
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed CA that is not trusted here',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'its certificate is signed by an unknown CA (a private CA, or the server does not send its intermediate certificates)',
  UNABLE_TO_GET_ISSUER_CERT: 'the certificate of a CA in its chain is missing',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is signed by a CA that is not trusted here',
  CERT_UNTRUSTED: 'its root CA is not trusted for this purpose',
  CERT_REJECTED: 'its root CA is marked to reject this purpose',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it did not answer in TLS (it may speak plain HTTP on this port)',
  // Node reports some handshake failures only as EPROTO, with OpenSSL's reason in the message.
  EPROTO: 'the handshake failed',
};

/** Every code the table explains; codes starting ERR_TLS_ or ERR_SSL_ count as TLS failures too. */
export const TLS_FAILURE_CODES: readonly string[] = Object.keys(TLS_FAILURES);

export interface TlsFailure {
  /** Node's code, e.g. CERT_HAS_EXPIRED. */
  code: string;
  /** What it means, said of the server: "its certificate has expired". */
  explanation: string;
}

/**
 * Node error codes on an error and its causes, outermost first. undici wraps socket and TLS errors
 * (`fetch failed`, UND_ERR_SOCKET), so the errno or OpenSSL code often sits on a cause.
 */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** The TLS failure behind `error` (its own code or a cause's), or undefined when it is not one. */
export function tlsFailure(error: unknown): TlsFailure | undefined {
  for (const code of errorCodes(error)) {
    const explanation = Object.hasOwn(TLS_FAILURES, code) ? TLS_FAILURES[code] : undefined;
    if (explanation) return { code, explanation };
    if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
      return { code, explanation: 'the handshake failed' };
    }
  }
  return undefined;
}
