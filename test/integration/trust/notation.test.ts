/**
 * Notation signatures (JWS envelopes, notary.x509) attached as OCI referrers through the fallback tag on the
 * world's distribution 2.8, verified against a trust store of CA certificates: a good one, and every bad case
 * (no CA in the policy, another CA, a changed payload, a signature for another digest, an expired signature,
 * a malformed envelope) with its reason.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pushUniqueImage } from '../../env/unique-image';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';
import {
  createTestNotary,
  JWS_TYPE,
  NOTATION_TYPE,
  pushFallbackIndex,
  pushLayersManifest,
  trustPolicy,
  type TestNotary,
  replaceTrustPolicies,
} from './signer';

const world = inject('world');
const registry = world.anonymous;
const target = { host: registry.host };
let harness: Harness;
let notary: TestNotary;
let stranger: TestNotary;

beforeAll(async () => {
  harness = await startHarness([]);
  [notary, stranger] = await Promise.all([createTestNotary('berth-notary'), createTestNotary('stranger')]);
});
afterAll(async () => {
  await harness?.close();
});

async function signedImage(envelope: (descriptor: { mediaType: string; digest: string; size: number }) => Buffer) {
  const repository = `${uniqueName('scratch')}/notation`;
  const { digest } = await pushUniqueImage(target, repository, '1.0', 1);
  const manifest = await harness.call('registry.manifest', { reference: `${registry.host}/${repository}@${digest}` });
  const descriptor = { mediaType: manifest.mediaType, digest, size: manifest.size };
  const signature = await pushLayersManifest(
    target,
    repository,
    'notation-signature',
    [{ mediaType: JWS_TYPE, payload: envelope(descriptor), annotations: {} }],
    { artifactType: NOTATION_TYPE, subject: descriptor },
  );
  const size = (await harness.call('registry.manifest', { reference: `${registry.host}/${repository}@${signature}` }))
    .size;
  await pushFallbackIndex(target, repository, digest, [{ digest: signature, size, artifactType: NOTATION_TYPE }]);
  return { repository, digest, ref: `${registry.host}/${repository}:1.0` };
}

async function verifyWith(repository: string, ref: string, cas: string[]) {
  await replaceTrustPolicies(harness, [
    trustPolicy(registry.host, repository, { notationCAs: cas.map((pem, i) => ({ name: `ca-${i}`, pem })) }),
  ]);
  return harness.call('trust.verify', { reference: ref });
}

describe('Notation signatures', () => {
  it('verifies against the trust store and names the signer; without a CA it is signed but not verified', async () => {
    const { repository, ref, digest } = await signedImage((descriptor) => notary.sign(descriptor));
    const trust = await verifyWith(repository, ref, [stranger.caPem, notary.caPem]);
    expect(trust).toMatchObject({ digest, verified: true });
    expect(trust.signatures).toEqual([
      expect.objectContaining({
        kind: 'notation',
        state: 'verified',
        signer: 'berth-notary signer',
        foundVia: 'referrers-fallback-tag',
        certificate: expect.objectContaining({ issuer: expect.stringContaining('CN=berth-notary CA') }),
      }),
    ]);
    expect(JSON.parse(trust.signatures[0]!.payload!)).toEqual({ targetArtifact: expect.objectContaining({ digest }) });
    const none = await verifyWith(repository, ref, []);
    expect(none.signatures[0]).toMatchObject({
      state: 'unverified',
      reason: expect.stringContaining('no Notation CA'),
    });
  });

  it('another CA, a changed payload, another digest, an expired signature and a malformed envelope are invalid', async () => {
    const cases = [
      {
        name: 'other CA',
        envelope: (d: Parameters<TestNotary['sign']>[0]) => stranger.sign(d),
        reason: /does not lead to a CA in the trust store/,
      },
      {
        name: 'changed payload',
        envelope: (d: Parameters<TestNotary['sign']>[0]) => notary.sign(d, { tamper: true }),
        reason: /does not verify with its leaf certificate/,
      },
      {
        name: 'another digest',
        envelope: (d: Parameters<TestNotary['sign']>[0]) => notary.sign({ ...d, digest: `sha256:${'1'.repeat(64)}` }),
        reason: /is for sha256:1{64}, not this image/,
      },
      {
        name: 'expired',
        envelope: (d: Parameters<TestNotary['sign']>[0]) => notary.sign(d, { expiry: '2020-01-01T00:00:00Z' }),
        reason: /expired on 2020-01-01/,
      },
      { name: 'malformed', envelope: () => Buffer.from('{"payload": 1}'), reason: /^Malformed Notation JWS envelope/ },
    ];
    for (const testCase of cases) {
      const { repository, ref } = await signedImage(testCase.envelope);
      const trust = await verifyWith(repository, ref, [notary.caPem]);
      expect(trust.verified, testCase.name).toBe(false);
      expect(trust.signatures[0], testCase.name).toMatchObject({ kind: 'notation', state: 'invalid' });
      expect(trust.signatures[0]!.reason, testCase.name).toMatch(testCase.reason);
    }
  });
});
