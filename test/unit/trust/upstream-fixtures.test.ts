/**
 * Verification against artifacts Berth did not make (test/fixtures/trust/README.md): sigstore-conformance
 * bundle cases, a cosign-made OCI attestation bundle with the public-good trusted root, and notation-go JWS
 * envelopes. A misreading of a spec shared by Berth's own test signer and its verifier cannot pass these.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPublicKey } from '../../../src/main/trust/signatures/keys';
import { verifyNotation } from '../../../src/main/trust/signatures/notation';
import { verifyBundle } from '../../../src/main/trust/signatures/sigstore';
import type { TrustIdentity } from '../../../src/shared/types/trust';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'trust');
const CONFORMANCE = join(FIXTURES, 'sigstore-conformance');
const PUBLIC_GOOD_ROOT = readFileSync(join(FIXTURES, 'cosign', 'trusted_root_pgi.json'), 'utf8');
// sigstore-conformance's default identity (its test/assets/bundle-verify/README.md).
const BEACON = {
  subject:
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
};

function conformanceCase(name: string) {
  const dir = join(CONFORMANCE, name);
  const read = (file: string) => readFileSync(join(dir, file));
  return {
    bundleText: read('bundle.sigstore.json').toString('utf8'),
    artifact: existsSync(join(dir, 'artifact')) ? read('artifact') : readFileSync(join(CONFORMANCE, 'a.txt')),
    root: existsSync(join(dir, 'trusted_root.json')) ? read('trusted_root.json').toString('utf8') : PUBLIC_GOOD_ROOT,
    key: existsSync(join(dir, 'key.pub')) ? read('key.pub').toString('utf8') : undefined,
  };
}

function verifyCase(name: string, identities: TrustIdentity[] = [BEACON]) {
  const { bundleText, artifact, root, key } = conformanceCase(name);
  const result = verifyBundle(JSON.parse(bundleText), artifact, {
    roots: [{ name: 'root', json: root }],
    identities,
    keys: key ? [loadPublicKey({ name: 'key.pub', pem: key })] : [],
  });
  return { result, artifact };
}

describe('sigstore-conformance bundles', () => {
  it('happy-path-v0.3: a message signature verifies with the public-good root, signer from the certificate', () => {
    const { result } = verifyCase('happy-path-v0.3');
    expect(result).toMatchObject({
      state: 'verified',
      signer: `${BEACON.subject} (${BEACON.issuer})`,
      logEntry: { proof: 'both' },
    });
    expect(result.certificate).toMatchObject({ subject: '', oidcIssuer: BEACON.issuer, san: `URI:${BEACON.subject}` });
  });

  it('happy-path-v0.3 over another artifact, or for another identity, is not verified', () => {
    const { bundleText, root } = conformanceCase('happy-path-v0.3');
    const other = verifyBundle(JSON.parse(bundleText), Buffer.from('not a.txt'), {
      roots: [{ name: 'pgi', json: root }],
      identities: [BEACON],
      keys: [],
    });
    expect(other.state).toBe('invalid');
    const someoneElse = verifyCase('happy-path-v0.3', [
      { subject: BEACON.subject.replace('main', 'evil'), issuer: BEACON.issuer },
    ]);
    expect(someoneElse.result).toMatchObject({
      state: 'unverified',
      reason: expect.stringContaining('matches none of'),
    });
  });

  it('intoto-with-custom-trust-root: a DSSE bundle verifies and its statement names the artifact', () => {
    const { result, artifact } = verifyCase('intoto-with-custom-trust-root', [
      { subjectRegex: '.', issuerRegex: '.' } as never,
    ]);
    expect(result.state).toBe('verified');
    const statement = JSON.parse(result.dsse!.payload.toString('utf8')) as {
      subject: { digest: { sha256: string } }[];
    };
    expect(statement.subject.map((s) => s.digest.sha256)).toContain(
      createHash('sha256').update(artifact).digest('hex'),
    );
  });

  it('managed-key-and-trusted-root: a key-signed bundle verifies with key.pub, not without it', () => {
    expect(verifyCase('managed-key-and-trusted-root').result).toMatchObject({ state: 'verified', signer: 'key.pub' });
    const { bundleText, artifact, root } = conformanceCase('managed-key-and-trusted-root');
    const keyless = verifyBundle(JSON.parse(bundleText), artifact, {
      roots: [{ name: 'root', json: root }],
      identities: [BEACON],
      keys: [],
    });
    expect(keyless).toMatchObject({ state: 'invalid', reason: expect.stringContaining('PUBLIC_KEY_ERROR') });
  });

  it.each([
    ['intoto-expired-certificate_fail', /certificate is not valid or expired/],
    ['intoto-set-outside-signing-cert-validity_fail', /certificate is not valid or expired/],
    ['intoto-log-entry-mismatch_fail', /TLOG_BODY_ERROR/],
  ])('%s is invalid with its reason', (name, reason) => {
    const { result } = verifyCase(name, [{ subjectRegex: '.' }]);
    expect(result.state).toBe('invalid');
    expect(result.reason).toMatch(reason);
  });

  it('bundle-malformed-json_fail: the document does not even parse; a parsed but wrong shape is a malformed bundle', () => {
    const { bundleText } = conformanceCase('bundle-malformed-json_fail');
    expect(() => JSON.parse(bundleText) as unknown).toThrow();
    const shape = verifyBundle({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }, Buffer.alloc(0), {
      roots: [{ name: 'pgi', json: PUBLIC_GOOD_ROOT }],
      identities: [BEACON],
      keys: [],
    });
    expect(shape).toMatchObject({ state: 'invalid', reason: expect.stringMatching(/^Malformed Sigstore bundle/) });
  });
});

describe("cosign's OCI attestation bundle (new bundle format)", () => {
  it('verifies with the public-good root and is about go-containerregistry’s empty image', () => {
    const bundle = JSON.parse(
      readFileSync(join(FIXTURES, 'cosign', 'oci-attestation.sigstore.json'), 'utf8'),
    ) as unknown;
    const result = verifyBundle(bundle, undefined, {
      roots: [{ name: 'pgi', json: PUBLIC_GOOD_ROOT }],
      identities: [{ subject: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' }],
      keys: [],
    });
    expect(result).toMatchObject({ state: 'verified', signer: 'cody@soyland.com (https://github.com/login/oauth)' });
    const statement = JSON.parse(result.dsse!.payload.toString('utf8')) as {
      predicateType: string;
      subject: { digest: { sha256: string } }[];
    };
    expect(statement.predicateType).toBe('https://cosign.sigstore.dev/attestation/v1');
    expect(statement.subject[0]!.digest.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Another root (sigstore-conformance's custom one) does not vouch for it.
    const custom = conformanceCase('intoto-with-custom-trust-root').root;
    expect(
      verifyBundle(bundle, undefined, {
        roots: [{ name: 'custom', json: custom }],
        identities: [{ subjectRegex: '.' }],
        keys: [],
      }).state,
    ).toBe('invalid');
  });
});

describe('notation-go JWS envelopes', () => {
  const envelope = (name: string) => readFileSync(join(FIXTURES, 'notation-go', name));
  /** notation-go's test envelopes carry a self-signed "alpine" certificate: the trust store holds it. */
  const selfSigned = (name: string) => {
    const x5c = (JSON.parse(envelope(name).toString('utf8')) as { header: { x5c: string[] } }).header.x5c[0]!;
    return new X509Certificate(Buffer.from(x5c, 'base64')).toString();
  };
  const cases = [
    { file: 'jws_signature.sig', digest: 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0' },
    { file: 'withoutTimestamp.sig', digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda' },
  ];

  it.each(cases)('$file verifies (PS256, notary.x509) for its digest, signed by alpine', ({ file, digest }) => {
    const result = verifyNotation(
      envelope(file),
      digest,
      [{ name: 'alpine', pem: selfSigned(file) }],
      new Date('2025-01-01T00:00:00Z'),
    );
    expect(result).toMatchObject({ state: 'verified', signer: 'alpine' });
  });

  it.each(cases)('$file: another digest, another trust store, a changed byte are invalid', ({ file, digest }) => {
    const store = [{ name: 'alpine', pem: selfSigned(file) }];
    const at = new Date('2025-01-01T00:00:00Z');
    expect(verifyNotation(envelope(file), `sha256:${'2'.repeat(64)}`, store, at)).toMatchObject({
      state: 'invalid',
      reason: expect.stringContaining('not this image'),
    });
    const root = readFileSync(join(FIXTURES, 'notation-go', 'NotationTestRoot.pem'), 'utf8');
    expect(verifyNotation(envelope(file), digest, [{ name: 'root', pem: root }], at)).toMatchObject({
      state: 'invalid',
      reason: expect.stringContaining('trust store'),
    });
    const parsed = JSON.parse(envelope(file).toString('utf8')) as { signature: string };
    const flipped = Buffer.from(parsed.signature, 'base64url');
    flipped[10] = flipped[10]! ^ 1;
    const tampered = Buffer.from(JSON.stringify({ ...parsed, signature: flipped.toString('base64url') }));
    expect(verifyNotation(tampered, digest, store, at)).toMatchObject({
      state: 'invalid',
      reason: expect.stringContaining('does not verify'),
    });
  });
});
