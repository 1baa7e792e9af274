/**
 * SBOMs attached to an image, through the real backend on the world's distribution 2.8 registry (no referrers
 * API: the referrers fallback tag is read): a CycloneDX document pushed as a referrer (unverified: nothing
 * signs it), an SPDX document in a DSSE attestation under `.att` (verified when the policy trusts its key,
 * unverified otherwise), and a referrer that claims to be an SBOM but is not one (reported, not fatal).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pushUniqueImage } from '../../env/unique-image';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';
import {
  DSSE,
  dsseEnvelope,
  keyPair,
  pushFallbackIndex,
  pushLayersManifest,
  replaceTrustPolicies,
  trustPolicy,
} from '../trust/signer';

const world = inject('world');
const registry = world.anonymous;
const target = { host: registry.host };
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness([]);
});
afterAll(async () => {
  await harness?.close();
});

const CYCLONEDX = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  components: [
    {
      type: 'library',
      name: 'left-pad',
      version: '1.3.0',
      purl: 'pkg:npm/left-pad@1.3.0',
      licenses: [{ license: { id: 'WTFPL' } }],
    },
    {
      type: 'application',
      name: 'app',
      version: '2.0.0',
      components: [
        { type: 'library', name: 'inner', version: '0.1.0', licenses: [{ expression: 'MIT OR Apache-2.0' }] },
      ],
    },
  ],
};
const SPDX = {
  spdxVersion: 'SPDX-2.3',
  SPDXID: 'SPDXRef-DOCUMENT',
  packages: [
    {
      name: 'libc6',
      SPDXID: 'SPDXRef-Package-libc6',
      versionInfo: '2.36-9+deb12u4',
      licenseDeclared: 'NOASSERTION',
      licenseConcluded: 'LGPL-2.1-only',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:deb/debian/libc6@2.36-9+deb12u4',
        },
      ],
    },
  ],
};

describe('attached SBOMs', () => {
  it('reads referrer documents and attestations as package lists, each with its verification', async () => {
    const repository = `${uniqueName('scratch')}/sbom`;
    const { digest } = await pushUniqueImage(target, repository, '1.0', 1);
    const subject = { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest, size: 0 };
    const cyclonedx = await pushLayersManifest(
      target,
      repository,
      'sbom-cdx',
      [
        {
          mediaType: 'application/vnd.cyclonedx+json',
          payload: Buffer.from(JSON.stringify(CYCLONEDX)),
          annotations: {},
        },
      ],
      { artifactType: 'application/vnd.cyclonedx+json', subject },
    );
    const bogus = await pushLayersManifest(
      target,
      repository,
      'sbom-bogus',
      [{ mediaType: 'application/spdx+json', payload: Buffer.from('{"not":"spdx"}'), annotations: {} }],
      { artifactType: 'application/spdx+json', subject },
    );
    const sizes = async (reference: string) =>
      (await harness.backend.services.registry.getManifest({ registry: registry.host, repository, digest: reference }))
        .size;
    await pushFallbackIndex(target, repository, digest, [
      { digest: cyclonedx, size: await sizes(cyclonedx), artifactType: 'application/vnd.cyclonedx+json' },
      { digest: bogus, size: await sizes(bogus), artifactType: 'application/spdx+json' },
    ]);
    const key = keyPair('p256');
    await pushLayersManifest(target, repository, `${digest.replace(':', '-')}.att`, [
      {
        mediaType: DSSE,
        payload: dsseEnvelope(key.privateKey, digest, 'https://spdx.dev/Document/v2.3', SPDX),
        annotations: {},
      },
    ]);
    await replaceTrustPolicies(harness, [
      trustPolicy(registry.host, repository, { keys: [{ name: 'ci', pem: key.publicPem }] }),
    ]);
    const reference = `${registry.host}/${repository}:1.0`;
    const attached = await harness.call('packages.attached', { reference });
    expect(attached.sboms).toEqual([
      {
        format: 'cyclonedx',
        source: cyclonedx,
        via: 'referrer',
        verification: 'unverified',
        reason: 'a plain referrer document: nothing signs it',
        packages: [
          { name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0', license: 'WTFPL' },
          { name: 'app', version: '2.0.0' },
          { name: 'inner', version: '0.1.0', license: 'MIT OR Apache-2.0' },
        ],
      },
      {
        format: 'spdx',
        source: `${digest.replace(':', '-')}.att`,
        via: 'attestation',
        verification: 'verified',
        packages: [
          {
            name: 'libc6',
            version: '2.36-9+deb12u4',
            purl: 'pkg:deb/debian/libc6@2.36-9+deb12u4',
            license: 'LGPL-2.1-only',
          },
        ],
      },
    ]);
    expect(attached.problems).toEqual([`${bogus}: the document is not SPDX JSON`]);

    await replaceTrustPolicies(harness, [
      trustPolicy(registry.host, repository, { keys: [{ name: 'other', pem: keyPair('p256').publicPem }] }),
    ]);
    const foreign = await harness.call('packages.attached', { reference });
    expect(foreign.sboms[1]).toMatchObject({
      via: 'attestation',
      verification: 'unverified',
      reason: expect.any(String),
    });
  });
});
