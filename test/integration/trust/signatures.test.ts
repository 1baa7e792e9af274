/**
 * Signatures found and verified through the real backend against the world's distribution 2.8 registry
 * (no referrers API: the fallback tag is read). Every signature is made here (signer.ts) and pushed; every
 * bad case (tampered payload, another digest, wrong key, untrusted or expired certificate, malformed bundle,
 * a signature for another repository) must come back invalid with its reason, never verified.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TrustPolicy } from '../../../src/shared/types/trust';
import { pushUniqueImage } from '../../env/unique-image';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';
import {
  cosignLayer,
  createTestSigstore,
  DSSE,
  dsseEnvelope,
  keyPair,
  pushFallbackIndex,
  pushLayersManifest,
  signBytes,
  simpleSigningPayload,
  trustPolicy,
  type TestSigstore,
  replaceTrustPolicies,
} from './signer';

const world = inject('world');
const registry = world.anonymous;
const target = { host: registry.host };
let harness: Harness;
let sigstore: TestSigstore;
let otherSigstore: TestSigstore;

beforeAll(async () => {
  harness = await startHarness([]);
  [sigstore, otherSigstore] = await Promise.all([createTestSigstore('berth-test'), createTestSigstore('stranger')]);
});
afterAll(async () => {
  await harness?.close();
});

function policy(repository: string, fields: Partial<TrustPolicy> = {}): Omit<TrustPolicy, 'id'> {
  return trustPolicy(registry.host, repository, fields);
}

async function image(): Promise<{ repository: string; digest: string; ref: string }> {
  const repository = `${uniqueName('scratch')}/signed`;
  const { digest } = await pushUniqueImage(target, repository, '1.0', 1);
  return { repository, digest, ref: `${registry.host}/${repository}:1.0` };
}

async function signWithKey(repository: string, digest: string, key: ReturnType<typeof keyPair>, payload?: Buffer) {
  const signed = payload ?? simpleSigningPayload(`${registry.host}/${repository}`, digest);
  await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
    cosignLayer(signed, signBytes(key.privateKey, signed)),
  ]);
}

describe('cosign key-based signatures', () => {
  it.each(['p256', 'ed25519', 'rsa'] as const)(
    'a %s key verifies; without a policy it is signed but not verified',
    async (type) => {
      const { repository, digest, ref } = await image();
      const key = keyPair(type);
      await signWithKey(repository, digest, key);

      const unpoliced = await harness.call('trust.verify', { reference: ref });
      expect(unpoliced).toMatchObject({
        digest,
        verified: false,
        satisfied: false,
        referrersApi: false,
        policy: { source: 'none' },
      });
      expect(unpoliced.signatures).toEqual([
        expect.objectContaining({
          kind: 'cosign',
          state: 'unverified',
          verified: false,
          foundVia: 'cosign-tag',
          source: `${digest.replace(':', '-')}.sig`,
        }),
      ]);

      await replaceTrustPolicies(harness, [policy(repository, { keys: [{ name: `ci-${type}`, pem: key.publicPem }] })]);
      const trust = await harness.call('trust.verify', { reference: ref });
      expect(trust).toMatchObject({
        verified: true,
        satisfied: true,
        policy: { source: 'settings', name: repository },
      });
      expect(trust.signatures[0]).toMatchObject({
        state: 'verified',
        signer: `ci-${type}`,
        dockerReference: `${registry.host}/${repository}`,
      });
      expect(JSON.parse(trust.signatures[0]!.payload!)).toMatchObject({
        critical: { image: { 'docker-manifest-digest': digest } },
      });
    },
  );

  it('a tampered payload, a payload naming another digest and the wrong key are invalid with their reason', async () => {
    const key = keyPair('p256');
    const cases: {
      name: string;
      sign: (repository: string, digest: string) => Promise<void>;
      reason: RegExp;
      keyPem?: string;
    }[] = [
      {
        name: 'tampered',
        reason: /does not verify with any trusted key/,
        sign: async (repository, digest) => {
          const original = simpleSigningPayload(`${registry.host}/${repository}`, digest);
          const tampered = Buffer.from(original.toString().replace(repository, `${repository}-evil`));
          await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
            cosignLayer(tampered, signBytes(key.privateKey, original)),
          ]);
        },
      },
      {
        name: 'another digest',
        reason: /names sha256:0{64}, not this image/,
        sign: (repository) =>
          signWithKey(repository, `sha256:${'0'.repeat(64)}`, key).then(async () => {
            // the signature sits on the real image's tag but names another digest
            const { digest } = await harness.call('registry.manifest', {
              reference: `${registry.host}/${repository}:1.0`,
            });
            const payload = simpleSigningPayload(`${registry.host}/${repository}`, `sha256:${'0'.repeat(64)}`);
            await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
              cosignLayer(payload, signBytes(key.privateKey, payload)),
            ]);
          }),
      },
      {
        name: 'wrong key',
        reason: /does not verify with any trusted key \(trusted\)/,
        keyPem: keyPair('p256').publicPem,
        sign: (repository, digest) => signWithKey(repository, digest, key),
      },
      {
        name: 'garbage signature',
        reason: /does not verify/,
        sign: async (repository, digest) => {
          const payload = simpleSigningPayload(`${registry.host}/${repository}`, digest);
          await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
            cosignLayer(payload, Buffer.from('not a signature')),
          ]);
        },
      },
      {
        name: 'a signature layer too big to be one',
        reason: /larger than 1048576 bytes/,
        sign: async (repository, digest) => {
          const payload = Buffer.alloc(1024 * 1024 + 1, 0x20);
          await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
            cosignLayer(payload, signBytes(key.privateKey, payload)),
          ]);
        },
      },
      {
        name: 'not a simple-signing payload',
        reason: /not JSON/,
        sign: async (repository, digest) => {
          const payload = Buffer.from('{{{');
          await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
            cosignLayer(payload, signBytes(key.privateKey, payload)),
          ]);
        },
      },
    ];
    for (const testCase of cases) {
      const { repository, digest, ref } = await image();
      await testCase.sign(repository, digest);
      await replaceTrustPolicies(harness, [
        policy(repository, { keys: [{ name: 'trusted', pem: testCase.keyPem ?? key.publicPem }] }),
      ]);
      const trust = await harness.call('trust.verify', { reference: ref });
      expect(trust.verified, testCase.name).toBe(false);
      expect(trust.signatures, testCase.name).toHaveLength(1);
      expect(trust.signatures[0], testCase.name).toMatchObject({ state: 'invalid', verified: false });
      expect(trust.signatures[0]!.reason, testCase.name).toMatch(testCase.reason);
    }
  });

  it('checks docker-reference where the policy asks, accepting the source repository of a promoted image when allowed', async () => {
    const key = keyPair('p256');
    const { repository, digest, ref } = await image();
    const signedFor = `${registry.host}/dev/source-app`;
    await signWithKey(repository, digest, key, simpleSigningPayload(signedFor, digest));
    const base = policy(repository, { keys: [{ name: 'ci', pem: key.publicPem }] });

    await replaceTrustPolicies(harness, [base]);
    expect((await harness.call('trust.verify', { reference: ref })).verified).toBe(true);

    await replaceTrustPolicies(harness, [{ ...base, checkReference: true }]);
    const strict = await harness.call('trust.verify', { reference: ref });
    expect(strict.signatures[0]).toMatchObject({ state: 'invalid', signer: 'ci' });
    expect(strict.signatures[0]!.reason).toContain(`signed for ${signedFor}, not ${registry.host}/${repository}`);

    await replaceTrustPolicies(harness, [
      { ...base, checkReference: true, acceptedReferences: [`${registry.host}/dev/`] },
    ]);
    expect((await harness.call('trust.verify', { reference: ref })).signatures[0]).toMatchObject({ state: 'verified' });
  });

  it('a policy with an unusable key is refused when saved', async () => {
    await expect(
      replaceTrustPolicies(harness, [policy('x', { keys: [{ name: 'k', pem: 'not a key' }] })]),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('"k" is not a PEM public key') });
    const { privateKey } = keyPair('p256');
    await expect(
      replaceTrustPolicies(harness, [
        policy('x', {
          keys: [{ name: 'secret', pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }],
        }),
      ]),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('private key') });
  });

  it('policies are saved and removed one at a time, by id', async () => {
    await replaceTrustPolicies(harness, []);
    const [first] = await harness.call('trust.savePolicy', { policy: policy('one') });
    const both = await harness.call('trust.savePolicy', { policy: policy('two') });
    expect(both.map((p) => p.name)).toEqual(['one', 'two']);
    const edited = await harness.call('trust.savePolicy', { policy: { ...first!, required: false } });
    expect(edited).toEqual([{ ...first, required: false }, both[1]]);
    expect(await harness.call('trust.removePolicy', { id: first!.id })).toEqual([both[1]]);
    await expect(harness.call('trust.removePolicy', { id: first!.id })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining(first!.id),
    });
    expect(await harness.call('trust.policies', {})).toEqual([both[1]]);
  });
});

describe('keyless cosign signatures (test CA and log)', () => {
  const identity = { subject: 'release@example.test', issuer: 'https://issuer.example.test' };

  async function signKeyless(
    repository: string,
    digest: string,
    options: { integratedTime?: number; by?: TestSigstore; rekor?: (text: string) => string } = {},
  ) {
    const payload = simpleSigningPayload(`${registry.host}/${repository}`, digest);
    const signed = await (options.by ?? sigstore).signKeyless(payload, {
      san: identity.subject,
      issuer: identity.issuer,
      ...(options.integratedTime ? { integratedTime: options.integratedTime } : {}),
    });
    await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
      cosignLayer(payload, signed.signature, {
        'dev.sigstore.cosign/certificate': signed.certificatePem,
        'dev.sigstore.cosign/chain': sigstore.caPem,
        'dev.sigstore.cosign/bundle': options.rekor ? options.rekor(signed.rekorBundle) : signed.rekorBundle,
      }),
    ]);
  }

  it('verifies chain, log entry and identity (exact and regex); another identity is signed but not verified', async () => {
    const { repository, digest, ref } = await image();
    await signKeyless(repository, digest);
    const roots = [{ name: 'test-root', json: sigstore.trustedRoot }];

    await replaceTrustPolicies(harness, [policy(repository, { trustedRoots: roots, identities: [identity] })]);
    const exact = await harness.call('trust.verify', { reference: ref });
    expect(exact.verified).toBe(true);
    expect(exact.signatures[0]).toMatchObject({
      kind: 'cosign',
      state: 'verified',
      signer: `${identity.subject} (${identity.issuer})`,
      certificate: { san: `email:${identity.subject}`, oidcIssuer: identity.issuer },
      logEntry: { proof: 'promise' },
    });

    await replaceTrustPolicies(harness, [
      policy(repository, {
        trustedRoots: roots,
        identities: [{ subjectRegex: '@example\\.test$', issuerRegex: '^https://issuer\\.' }],
      }),
    ]);
    expect((await harness.call('trust.verify', { reference: ref })).verified).toBe(true);

    await replaceTrustPolicies(harness, [
      policy(repository, {
        trustedRoots: roots,
        identities: [{ subject: 'someone@else.test', issuer: identity.issuer }],
      }),
    ]);
    const other = await harness.call('trust.verify', { reference: ref });
    expect(other.signatures[0]).toMatchObject({ state: 'unverified', verified: false });
    expect(other.signatures[0]!.reason).toContain('matches none of: someone@else.test');
  });

  it('an untrusted CA, an expired certificate and a broken log entry are invalid', async () => {
    const roots = [{ name: 'test-root', json: sigstore.trustedRoot }];
    const cases = [
      {
        name: 'untrusted CA',
        sign: (r: string, d: string) => signKeyless(r, d, { by: otherSigstore }),
        reason: /certificate/i,
      },
      {
        name: 'expired at signing time',
        // the certificate lives one day; the log says it was used three days later
        sign: (r: string, d: string) =>
          signKeyless(r, d, { integratedTime: Math.floor(Date.now() / 1000) + 3 * 86_400 }),
        reason: /expired|not valid/i,
      },
      {
        name: 'log entry changed after the log signed it',
        sign: (r: string, d: string) =>
          signKeyless(r, d, {
            rekor: (text) => text.replace(/"logIndex":(\d+)/, (_, n: string) => `"logIndex":${Number(n) + 1}`),
          }),
        reason: /inclusion promise could not be verified/,
      },
      {
        name: 'not a Rekor bundle',
        sign: (r: string, d: string) => signKeyless(r, d, { rekor: () => '{"SignedEntryTimestamp": 1}' }),
        reason: /^Malformed keyless signature: its dev.sigstore.cosign\/bundle annotation is not a Rekor bundle/,
      },
    ];
    for (const testCase of cases) {
      const { repository, digest, ref } = await image();
      await testCase.sign(repository, digest);
      await replaceTrustPolicies(harness, [policy(repository, { trustedRoots: roots, identities: [identity] })]);
      const trust = await harness.call('trust.verify', { reference: ref });
      expect(trust.verified, testCase.name).toBe(false);
      expect(trust.signatures[0], testCase.name).toMatchObject({ state: 'invalid' });
      expect(trust.signatures[0]!.reason, testCase.name).toMatch(testCase.reason);
    }
  });
});

describe('Sigstore bundles as OCI referrers (fallback tag on distribution 2.8)', () => {
  const identity = { subject: 'bundle@example.test', issuer: 'https://issuer.example.test' };
  const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const trustTestRoot = (repository: string) =>
    replaceTrustPolicies(harness, [
      policy(repository, {
        trustedRoots: [{ name: 'test-root', json: sigstore.trustedRoot }],
        identities: [identity],
      }),
    ]);

  async function attachBundle(repository: string, digest: string, bundle: Buffer) {
    const manifest = await harness.call('registry.manifest', { reference: `${registry.host}/${repository}@${digest}` });
    const subject = { mediaType: manifest.mediaType, digest, size: manifest.size };
    const referrer = await pushLayersManifest(
      target,
      repository,
      'bundle-referrer',
      [{ mediaType: BUNDLE_TYPE, payload: bundle, annotations: {} }],
      {
        artifactType: BUNDLE_TYPE,
        subject,
      },
    );
    const size = (await harness.call('registry.manifest', { reference: `${registry.host}/${repository}@${referrer}` }))
      .size;
    await pushFallbackIndex(target, repository, digest, [{ digest: referrer, size, artifactType: BUNDLE_TYPE }]);
  }

  it('a v0.3 bundle over the image manifest verifies (inclusion proof and promise); a malformed one is invalid', async () => {
    const { repository, digest, ref } = await image();
    const manifestBytes = Buffer.from((await harness.backend.services.registry.getManifest(ref)).bytes);
    const bundle = await sigstore.bundle(manifestBytes, { san: identity.subject, issuer: identity.issuer });
    await attachBundle(repository, digest, Buffer.from(JSON.stringify(bundle)));
    await trustTestRoot(repository);
    const trust = await harness.call('trust.verify', { reference: ref });
    expect(trust.referrersApi).toBe(false);
    expect(trust.signatures).toEqual([
      expect.objectContaining({
        kind: 'sigstore-bundle',
        state: 'verified',
        foundVia: 'referrers-fallback-tag',
        logEntry: expect.objectContaining({ proof: 'both' }),
      }),
    ]);

    const broken = await image();
    const bad = structuredClone(bundle) as { verificationMaterial: Record<string, unknown> };
    delete bad.verificationMaterial['certificate'];
    await attachBundle(broken.repository, broken.digest, Buffer.from(JSON.stringify(bad)));
    await trustTestRoot(broken.repository);
    const malformed = await harness.call('trust.verify', { reference: broken.ref });
    expect(malformed.signatures[0]).toMatchObject({ kind: 'sigstore-bundle', state: 'invalid' });
    expect(malformed.signatures[0]!.reason).toMatch(/^Malformed Sigstore bundle/);

    const notJson = await image();
    await attachBundle(
      notJson.repository,
      notJson.digest,
      Buffer.from('{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"'),
    );
    expect((await harness.call('trust.verify', { reference: notJson.ref })).signatures[0]).toMatchObject({
      state: 'invalid',
      reason: 'Malformed Sigstore bundle: it is not JSON.',
    });
  });

  it('a bundle signed over another artifact is invalid', async () => {
    const { repository, digest, ref } = await image();
    const bundle = await sigstore.bundle(Buffer.from('some other manifest'), {
      san: identity.subject,
      issuer: identity.issuer,
    });
    await attachBundle(repository, digest, Buffer.from(JSON.stringify(bundle)));
    await trustTestRoot(repository);
    const trust = await harness.call('trust.verify', { reference: ref });
    expect(trust.signatures[0]).toMatchObject({ state: 'invalid', verified: false });
  });
});

describe('attestations and tag states', () => {
  it('DSSE attestations from .att tags are verified against the policy; a foreign key leaves them unverified', async () => {
    const { repository, digest, ref } = await image();
    const key = keyPair('p256');
    const envelope = dsseEnvelope(key.privateKey, digest, 'https://cosign.sigstore.dev/attestation/vuln/v1', {
      scanner: { uri: 'test' },
    });
    await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.att`, [
      { mediaType: DSSE, payload: envelope, annotations: {} },
    ]);
    await replaceTrustPolicies(harness, [policy(repository, { keys: [{ name: 'ci', pem: key.publicPem }] })]);
    const verified = await harness.call('trust.attestations', { reference: ref });
    expect(verified).toEqual([
      expect.objectContaining({
        predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1',
        verified: true,
        source: `${digest.replace(':', '-')}.att`,
      }),
    ]);
    expect(verified[0]!.statement).toMatchObject({ subject: [{ digest: { sha256: digest.slice(7) } }] });

    await replaceTrustPolicies(harness, [
      policy(repository, { keys: [{ name: 'other', pem: keyPair('p256').publicPem }] }),
    ]);
    const foreign = await harness.call('trust.attestations', { reference: ref });
    expect(foreign[0]).toMatchObject({
      verified: false,
      reason: expect.stringContaining('No signature on the envelope verifies'),
    });
  });

  it('tag states: verified by whom, unsigned, invalid; the referrers overview lists cosign tags', async () => {
    const key = keyPair('p256');
    const repository = `${uniqueName('scratch')}/states`;
    const signed = await pushUniqueImage(target, repository, 'signed', 1);
    const unsigned = await pushUniqueImage(target, repository, 'unsigned', 1);
    const lying = await pushUniqueImage(target, repository, 'lying', 1);
    await signWithKey(repository, signed.digest, key);
    const payload = simpleSigningPayload(`${registry.host}/${repository}`, signed.digest);
    await pushLayersManifest(target, repository, `${lying.digest.replace(':', '-')}.sig`, [
      cosignLayer(payload, signBytes(key.privateKey, payload)),
    ]);
    await replaceTrustPolicies(harness, [policy(repository, { keys: [{ name: 'ci', pem: key.publicPem }] })]);
    const states = await harness.call('trust.tagStates', {
      registryId: registry.host,
      repository,
      digests: [signed.digest, unsigned.digest, lying.digest],
    });
    expect(states).toEqual([
      { digest: signed.digest, state: 'verified', signer: 'ci' },
      { digest: unsigned.digest, state: 'unsigned' },
      expect.objectContaining({
        digest: lying.digest,
        state: 'invalid',
        reason: expect.stringContaining(`names ${signed.digest}`),
      }),
    ]);
    const overview = await harness.call('trust.referrers', { reference: `${registry.host}/${repository}:signed` });
    expect(overview).toEqual({
      digest: signed.digest,
      referrersApi: false,
      cosignTags: [
        { tag: `${signed.digest.replace(':', '-')}.sig`, kind: 'signature', digest: expect.stringMatching(/^sha256:/) },
      ],
    });
  });
});

// The Rekor entry cosign attaches to a key-based signature (`dev.sigstore.cosign/bundle`): with a trusted root
// in the policy its signed entry timestamp is checked offline against the root's log key (a forged or foreign
// entry makes the signature invalid, as `cosign verify --key` fails); without one the signature verifies by
// its key and the entry is shown, plainly marked as not checked.
/** An image signed with `key`, its signature carrying the Rekor entry `rekor(payload, signature)` makes. */
async function signedWithLogEntry(key: ReturnType<typeof keyPair>, rekor: (payload: Buffer, sig: Buffer) => string) {
  const repository = `${uniqueName('scratch')}/logged`;
  const { digest } = await pushUniqueImage(target, repository, '1.0', 1);
  const payload = simpleSigningPayload(`${registry.host}/${repository}`, digest);
  const signature = signBytes(key.privateKey, payload);
  await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.sig`, [
    cosignLayer(payload, signature, { 'dev.sigstore.cosign/bundle': rekor(payload, signature) }),
  ]);
  return { repository, ref: `${registry.host}/${repository}:1.0` };
}

describe('the Rekor entry of a key-based cosign signature', () => {
  it('is checked against the trusted root where the policy has one, and said to be unchecked where not', async () => {
    const key = keyPair('p256');
    const { repository, ref } = await signedWithLogEntry(key, (payload, signature) =>
      sigstore.logKeyed(payload, signature, key.publicPem),
    );
    const keys = [{ name: 'ci', pem: key.publicPem }];

    await replaceTrustPolicies(harness, [trustPolicy(registry.host, repository, { keys })]);
    const unchecked = await harness.call('trust.verify', { reference: ref });
    expect(unchecked.verified).toBe(true);
    expect(unchecked.signatures[0]).toMatchObject({
      state: 'verified',
      signer: 'ci',
      logEntry: { proof: 'none', note: expect.stringContaining('Log entry not checked') },
    });

    await replaceTrustPolicies(harness, [
      trustPolicy(registry.host, repository, { keys, trustedRoots: [{ name: 'log', json: sigstore.trustedRoot }] }),
    ]);
    const checked = await harness.call('trust.verify', { reference: ref });
    expect(checked.signatures[0]).toMatchObject({ state: 'verified', signer: 'ci', logEntry: { proof: 'promise' } });
    expect(checked.signatures[0]!.logEntry!.note).toBeUndefined();

    await replaceTrustPolicies(harness, [
      trustPolicy(registry.host, repository, {
        keys,
        trustedRoots: [{ name: 'other', json: otherSigstore.trustedRoot }],
      }),
    ]);
    const foreign = await harness.call('trust.verify', { reference: ref });
    expect(foreign.verified).toBe(false);
    expect(foreign.signatures[0]).toMatchObject({ state: 'invalid', signer: 'ci' });
    expect(foreign.signatures[0]!.reason).toContain('verifies with "ci", but its Rekor entry does not');
  });

  it('a forged entry (its timestamp changed after the log signed it) or a malformed one is invalid', async () => {
    const key = keyPair('ed25519');
    const keys = [{ name: 'ci', pem: key.publicPem }];
    const forged = await signedWithLogEntry(key, (payload, signature) => {
      const entry = JSON.parse(sigstore.logKeyed(payload, signature, key.publicPem)) as {
        Payload: { integratedTime: number };
      };
      entry.Payload.integratedTime -= 3600;
      return JSON.stringify(entry);
    });
    const malformed = await signedWithLogEntry(key, () => '{"SignedEntryTimestamp": 1}');
    const root = [{ name: 'log', json: sigstore.trustedRoot }];
    await replaceTrustPolicies(
      harness,
      [forged, malformed].map(({ repository }) => trustPolicy(registry.host, repository, { keys, trustedRoots: root })),
    );
    const [forgedTrust, malformedTrust] = await Promise.all(
      [forged, malformed].map(({ ref }) => harness.call('trust.verify', { reference: ref })),
    );
    for (const trust of [forgedTrust!, malformedTrust!]) {
      expect(trust.verified).toBe(false);
      expect(trust.signatures[0]).toMatchObject({ state: 'invalid', signer: 'ci' });
    }
    expect(forgedTrust!.signatures[0]!.reason).toContain('Rekor entry does not');
    expect(malformedTrust!.signatures[0]!.reason).toContain('Malformed Rekor entry');
  });
});
