/**
 * Untag and delete by digest through the real backend (dispatcher -> delete service -> registry client)
 * against real distribution 2.8.2 registries, checked through the registry's own API: untag removes exactly
 * one tag (the placeholder technique, since 2.8 deletes by digest only), a delete by digest removes exactly
 * the tags its blast radius named, a platform of a multi-arch image names its index, a plan whose tag moved
 * is refused with nothing changed, and a registry with deletes disabled says so before anything is tried.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SeedPusher } from '../../env/pusher';
import { startRegistry, type RunningRegistry } from '../../env/registry';
import { startHarness, tagDigest, uniqueName, type Harness } from '../promotion/harness';
import { pushImage, pushIndex, registryTags } from './delete-support';

const world = inject('world');
const registry = world.anonymous;
let harness: Harness;
let disabled: RunningRegistry;

beforeAll(async () => {
  [harness, disabled] = await Promise.all([startHarness([]), startRegistry({ deleteEnabled: false })]);
});
afterAll(async () => {
  await Promise.all([harness?.close(), disabled?.dispose()]);
});

describe('capabilities', () => {
  it('a registry with deletes enabled deletes by digest only (distribution 2.8): untag uses the placeholder', async () => {
    const caps = await harness.call('lifecycle.capabilities', {
      registryId: registry.host,
      repository: 'scratch/caps',
    });
    expect(caps).toMatchObject({ manifestDelete: 'enabled', tagDelete: false, untagMethod: 'placeholder-manifest' });
  });

  it('bearer-token registries: the token server grants delete to a pusher, and a pull-only user is told', async () => {
    const token = world.token;
    const [alice, bob] = token.users;
    const [asAlice, asBob] = await Promise.all([
      startHarness([{ host: token.host, users: [alice!] }]),
      startHarness([{ host: token.host, users: [bob!] }]),
    ]);
    try {
      const caps = await asAlice.call('lifecycle.capabilities', { registryId: token.host, repository: 'scratch/caps' });
      expect(caps).toMatchObject({ manifestDelete: 'enabled', untagMethod: 'placeholder-manifest' });
      await expect(
        asBob.call('lifecycle.capabilities', { registryId: token.host, repository: 'scratch/caps' }),
      ).rejects.toMatchObject({
        code: expect.stringMatching(/^(denied|unauthorized)$/),
        message: expect.stringMatching(/delete/i),
      });
    } finally {
      await Promise.all([asAlice.close(), asBob.close()]);
    }
  });

  it('a registry with deletes disabled says so before anything is tried', async () => {
    const repository = `${uniqueName('scratch')}/app`;
    await pushImage({ host: disabled.host }, repository, ['1']);
    const caps = await harness.call('lifecycle.capabilities', { registryId: disabled.host, repository });
    expect(caps).toMatchObject({ manifestDelete: 'disabled', untagMethod: 'none' });
    expect(caps.message).toContain('storage.delete.enabled');
    await expect(
      harness.call('lifecycle.planRemove', { references: [`${disabled.host}/${repository}:1`] }),
    ).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('deletes disabled') });
    expect(await tagDigest(disabled, repository, '1')).not.toBeNull();
  });
});

describe('untag', () => {
  it('removes one of three tags sharing a digest; the other two still resolve to the same digest', async () => {
    const repository = `${uniqueName('scratch')}/untag`;
    const image = await pushImage({ host: registry.host }, repository, ['a', 'b', 'c']);
    const plan = await harness.call('lifecycle.planRemove', { references: [`${registry.host}/${repository}:b`] });
    expect(plan.steps).toEqual([
      { registry: registry.host, repository, action: 'untag', digest: image.digest, tags: ['b'] },
    ]);
    expect(plan.radius).toEqual([]);
    const result = await harness.call('lifecycle.remove', {
      steps: plan.steps,
      orphanedReferrers: [],
      operationId: 'u1',
    });
    expect(result).toMatchObject({
      untagged: [`${registry.host}/${repository}:b`],
      deletedDigests: [],
      alsoRemovedTags: [],
    });
    expect(await tagDigest(registry, repository, 'a')).toBe(image.digest);
    expect(await tagDigest(registry, repository, 'c')).toBe(image.digest);
    expect(await tagDigest(registry, repository, 'b')).toBeNull();
    expect(await registryTags(registry, repository)).toEqual(['a', 'c']);
    // The image itself is still there by digest.
    expect(await tagDigest(registry, repository, image.digest)).toBe(image.digest);

    const entries = await harness.call('promotion.audit', { limit: 50, query: `${repository}:b` });
    expect(entries[0]).toMatchObject({ action: 'untag', outcome: 'success', digest: image.digest });
  });

  it('refuses, changing nothing, when the tag moved after the plan', async () => {
    const repository = `${uniqueName('scratch')}/moved`;
    await pushImage({ host: registry.host }, repository, ['a', 'b']);
    const plan = await harness.call('lifecycle.planRemove', { references: [`${registry.host}/${repository}:b`] });
    const moved = await pushImage({ host: registry.host }, repository, ['b']);
    const before = await Promise.all(['a', 'b'].map((tag) => tagDigest(registry, repository, tag)));
    await expect(
      harness.call('lifecycle.remove', { steps: plan.steps, orphanedReferrers: [], operationId: 'u2' }),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining(`:b moved from`) });
    expect(await Promise.all(['a', 'b'].map((tag) => tagDigest(registry, repository, tag)))).toEqual(before);
    expect(before[1]).toBe(moved.digest);
  });
});

describe('delete by digest', () => {
  it('with referrers kept, shows its tags and orphaned signatures first, then removes exactly those tags', async () => {
    const repository = `${uniqueName('scratch')}/del`;
    const target = await pushImage({ host: registry.host }, repository, ['1.0', 'stable']);
    const other = await pushImage({ host: registry.host }, repository, ['2.0']);
    const signatureTag = `${target.digest.replace(':', '-')}.sig`;
    await pushImage({ host: registry.host }, repository, [signatureTag]);
    const plan = await harness.call('lifecycle.planRemove', {
      references: [`${registry.host}/${repository}:1.0`],
      digest: true,
      withReferrers: false,
    });
    expect(plan.radius).toHaveLength(1);
    expect(plan.radius[0]).toMatchObject({
      digest: target.digest,
      tags: ['1.0', 'stable'],
      orphanedReferrers: [{ reference: `${registry.host}/${repository}:${signatureTag}`, kind: 'signature' }],
      indexes: [],
      lanes: [],
    });
    const result = await harness.call('lifecycle.remove', {
      steps: plan.steps,
      orphanedReferrers: plan.radius[0]!.orphanedReferrers.map((entry) => entry.reference),
      operationId: 'd1',
    });
    expect(result).toMatchObject({
      untagged: [],
      deletedDigests: [`${registry.host}/${repository}@${target.digest}`],
      alsoRemovedTags: [`${registry.host}/${repository}:1.0`, `${registry.host}/${repository}:stable`],
      orphanedReferrers: [`${registry.host}/${repository}:${signatureTag}`],
    });
    expect(await registryTags(registry, repository)).toEqual(['2.0', signatureTag].sort());
    expect(await tagDigest(registry, repository, '2.0')).toBe(other.digest);
    expect(await tagDigest(registry, repository, target.digest)).toBeNull();
  });

  it('a platform of a multi-arch image reports its index', async () => {
    const repository = `${uniqueName('scratch')}/multi`;
    const amd64 = await pushImage({ host: registry.host }, repository, [], { architecture: 'amd64' });
    const arm64 = await pushImage({ host: registry.host }, repository, [], { architecture: 'arm64' });
    const index = await pushIndex(
      { host: registry.host },
      repository,
      ['1.0', 'latest'],
      [
        { image: amd64, architecture: 'amd64' },
        { image: arm64, architecture: 'arm64' },
      ],
    );
    const plan = await harness.call('lifecycle.planRemove', {
      references: [`${registry.host}/${repository}@${arm64.digest}`],
    });
    expect(plan.radius[0]).toMatchObject({
      digest: arm64.digest,
      tags: [],
      indexes: [{ digest: index.digest, tags: ['1.0', 'latest'], platform: 'linux/arm64' }],
    });
    expect(plan.warnings.join('\n')).toContain('linux/arm64 platform of the multi-arch image');
  });

  it('refuses when the digest gained a tag outside the plan', async () => {
    const repository = `${uniqueName('scratch')}/gained`;
    const image = await pushImage({ host: registry.host }, repository, ['1.0']);
    const plan = await harness.call('lifecycle.planRemove', {
      references: [`${registry.host}/${repository}@${image.digest}`],
    });
    await new SeedPusher({ host: registry.host }).pushManifest(
      repository,
      'keep-me',
      image.manifest,
      'application/vnd.oci.image.manifest.v1+json',
    );
    await expect(
      harness.call('lifecycle.remove', { steps: plan.steps, orphanedReferrers: [], operationId: 'd2' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('gained tag(s) outside the plan: keep-me'),
    });
    expect(await tagDigest(registry, repository, '1.0')).toBe(image.digest);
    expect(await tagDigest(registry, repository, 'keep-me')).toBe(image.digest);
  });
});
