import { describe, expect, it } from 'vitest';
import { parseEngineHost } from '../../../src/main/docker/endpoint';
import { connectionError } from '../../../src/main/docker/engine-errors';
import { networkError } from '../../../src/main/registry/errors';
import { TLS_FAILURE_CODES, tlsFailure } from '../../../src/main/util/tls-errors';

const engine = parseEngineHost('tcp://build.example:2376', { verify: true });
const ctx = { registry: 'r.example', action: 'list tags of r.example/a' };
const fail = (code: string, cause?: unknown) =>
  Object.assign(new Error(`connect ${code}`), { code }, cause ? { cause } : {});

/**
 * The codes the registry client and the engine client each knew before they shared one table (issue 14):
 * written out, so that dropping one from the table fails here.
 */
const KNOWN_BEFORE = [
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'EPROTO',
];

describe('TLS failures, one table for the registry and the engine', () => {
  it.each([...new Set([...KNOWN_BEFORE, ...TLS_FAILURE_CODES, 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'])])(
    '%s is a tls error, explained the same way, for both',
    (code) => {
      const explanation = tlsFailure(fail(code))?.explanation;
      expect(explanation).toBeTruthy();
      for (const error of [networkError(fail(code), ctx), connectionError(fail(code), engine, 'linux')]) {
        expect(error.code).toBe('tls');
        expect(error.message).toContain(`${explanation} (${code})`);
      }
    },
  );

  it('names the TLS code under an undici wrapper, not the wrapper', () => {
    const wrapped = fail('UND_ERR_SOCKET', fail('CERT_HAS_EXPIRED'));
    const registry = networkError(wrapped, ctx);
    expect(registry.code).toBe('tls');
    expect(registry.message).toContain('its certificate has expired (CERT_HAS_EXPIRED)');
    expect(connectionError(wrapped, engine, 'linux').message).toContain(
      'its certificate has expired (CERT_HAS_EXPIRED). Check DOCKER_CERT_PATH',
    );
  });

  it('keeps each caller its own advice', () => {
    expect(networkError(fail('CERT_HAS_EXPIRED'), ctx).message).toBe(
      'Could not list tags of r.example/a: the TLS connection to r.example failed: its certificate has expired (CERT_HAS_EXPIRED). If it uses a private CA, add the CA file in the registry settings; if it only speaks HTTP, mark it insecure.',
    );
    expect(connectionError(fail('ERR_TLS_CERT_ALTNAME_INVALID'), engine, 'linux').message).toBe(
      "TLS with the Docker engine at tcp://build.example:2376 failed: its certificate is for another host name (ERR_TLS_CERT_ALTNAME_INVALID). Check DOCKER_CERT_PATH or the context's certificates.",
    );
  });

  it('is not a TLS failure for other codes', () => {
    expect(tlsFailure(fail('ECONNREFUSED'))).toBeUndefined();
    expect(tlsFailure(new Error('no code'))).toBeUndefined();
    expect(tlsFailure(fail('toString'))).toBeUndefined();
  });
});
