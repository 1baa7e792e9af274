/**
 * Attestations verified under a policy the caller passes (as promotion gates do), through the real trust
 * service on the world's registry: the policy passed decides, whatever the settings hold for the repository.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pushUniqueImage } from '../../env/unique-image';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';
import { DSSE, dsseEnvelope, keyPair, pushLayersManifest, replaceTrustPolicies, trustPolicy } from './signer';

const world = inject('world');
const registry = world.anonymous;
const PREDICATE = 'https://cosign.sigstore.dev/attestation/vuln/v1';
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness([]);
});
afterAll(async () => {
  await harness?.close();
});

describe('attestations under a policy passed explicitly', () => {
  it('the passed policy decides over the stored one, both ways', async () => {
    const repository = `${uniqueName('scratch')}/attested`;
    const { digest } = await pushUniqueImage({ host: registry.host }, repository, '1.0', 1);
    const ref = `${registry.host}/${repository}:1.0`;
    const signer = keyPair('p256');
    const stranger = keyPair('p256');
    await pushLayersManifest({ host: registry.host }, repository, `${digest.replace(':', '-')}.att`, [
      { mediaType: DSSE, payload: dsseEnvelope(signer.privateKey, digest, PREDICATE, {}), annotations: {} },
    ]);
    const stored = (pem: string) => trustPolicy(registry.host, repository, { keys: [{ name: 'stored', pem }] });
    const passed = (pem: string) => ({
      id: 'passed',
      ...trustPolicy(registry.host, repository, { keys: [{ name: 'passed', pem }] }),
    });
    const { trust } = harness.backend.services;

    // Settings trust a stranger's key; the passed policy trusts the signer's: verified.
    await replaceTrustPolicies(harness, [stored(stranger.publicPem)]);
    expect(await harness.call('trust.attestations', { reference: ref })).toEqual([
      expect.objectContaining({ predicateType: PREDICATE, verified: false }),
    ]);
    expect(await trust.attestations(ref, { policy: passed(signer.publicPem) })).toEqual([
      expect.objectContaining({ predicateType: PREDICATE, verified: true }),
    ]);

    // And the other way round: settings trust the signer, the passed policy only the stranger: not verified.
    await replaceTrustPolicies(harness, [stored(signer.publicPem)]);
    expect(await harness.call('trust.attestations', { reference: ref })).toEqual([
      expect.objectContaining({ predicateType: PREDICATE, verified: true }),
    ]);
    expect(await trust.attestations(ref, { policy: passed(stranger.publicPem) })).toEqual([
      expect.objectContaining({
        predicateType: PREDICATE,
        verified: false,
        reason: expect.stringContaining('No signature on the envelope verifies'),
      }),
    ]);
  });
});
