/**
 * Signature, attestation and SBOM tags (`sha256-<hex>.sig/.att/.sbom`) follow their subject: deleting a
 * digest deletes them too by default, saying so in the blast radius first ("removed with it"); opting out
 * lists them as orphaned and leaves them. Retention deletes them only with --with-referrers. The signature
 * of an image that stays is never touched.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../env/cli';
import { makeTempDir } from '../../env/process';
import { startHarness, tagDigest, uniqueName, type Harness } from '../promotion/harness';
import { pushImage, registryTags } from './delete-support';

const world = inject('world');
const registry = world.anonymous;
let harness: Harness;
let dir: string;

beforeAll(async () => {
  [harness, dir] = await Promise.all([startHarness([]), makeTempDir('berth-referrers-')]);
});
afterAll(async () => {
  await Promise.all([harness?.close(), rm(dir, { recursive: true, force: true })]);
});

const signatureOf = (digest: string) => `${digest.replace(':', '-')}.sig`;
const attestationOf = (digest: string) => `${digest.replace(':', '-')}.att`;

async function seed(repository: string) {
  const target = { host: registry.host };
  const gone = await pushImage(target, repository, ['1.0', 'old']);
  const kept = await pushImage(target, repository, ['2.0']);
  const signature = await pushImage(target, repository, [signatureOf(gone.digest)]);
  await pushImage(target, repository, [attestationOf(gone.digest)]);
  const keptSignature = await pushImage(target, repository, [signatureOf(kept.digest)]);
  return { gone, kept, signature, keptSignature };
}

describe('signature tags follow their subject', () => {
  it('by default a digest delete takes its .sig/.att tags along, listed in the blast radius first', async () => {
    const repository = `${uniqueName('scratch')}/signed`;
    const { gone, kept, keptSignature } = await seed(repository);
    const plan = await harness.call('lifecycle.planRemove', {
      references: [`${registry.host}/${repository}:1.0`],
      digest: true,
    });
    const ref = (tag: string) => `${registry.host}/${repository}:${tag}`;
    expect(plan.radius[0]!.removedReferrers).toEqual([
      { reference: ref(attestationOf(gone.digest)), kind: 'attestation' },
      { reference: ref(signatureOf(gone.digest)), kind: 'signature' },
    ]);
    expect(plan.radius[0]!.orphanedReferrers).toEqual([]);
    expect(plan.steps.flatMap((step) => step.tags).sort()).toEqual(
      ['1.0', 'old', signatureOf(gone.digest), attestationOf(gone.digest)].sort(),
    );
    const result = await harness.call('lifecycle.remove', {
      steps: plan.steps,
      orphanedReferrers: [],
      operationId: 'r1',
    });
    expect(result.removedReferrers.sort()).toEqual(
      [ref(attestationOf(gone.digest)), ref(signatureOf(gone.digest))].sort(),
    );
    expect(await registryTags(registry, repository)).toEqual(['2.0', signatureOf(kept.digest)].sort());
    expect(await tagDigest(registry, repository, signatureOf(kept.digest))).toBe(keptSignature.digest);
  });

  it('berth rm --keep-referrers lists them as orphaned and leaves them', async () => {
    const repository = `${uniqueName('scratch')}/signed`;
    const { gone } = await seed(repository);
    const env = { HOME: dir, BERTH_CONFIG_DIR: join(dir, 'config'), DOCKER_CONFIG: join(dir, 'docker') };
    const reference = `${registry.host}/${repository}:1.0`;
    const dry = await runCli(['rm', reference, '--digest', '--dry-run'], { env });
    expect(dry.stdout).toContain(
      `removed with it, its signature: ${registry.host}/${repository}:${signatureOf(gone.digest)}`,
    );
    const kept = await runCli(['rm', reference, '--digest', '--keep-referrers', '--yes', '--json'], { env });
    expect(kept.code).toBe(0);
    const result = JSON.parse(kept.stdout) as { orphanedReferrers: string[]; removedReferrers: string[] };
    expect(result.removedReferrers).toEqual([]);
    expect(result.orphanedReferrers).toContain(`${registry.host}/${repository}:${signatureOf(gone.digest)}`);
    expect(await registryTags(registry, repository)).toContain(signatureOf(gone.digest));
  });

  it('retention deletes them only with --with-referrers', async () => {
    const repository = `${uniqueName('scratch')}/signed`;
    const { gone, kept, signature } = await seed(repository);
    const scope = `${registry.host}/${repository}`;
    const policy = { keep: ['2.0'] };
    const listOnly = await harness.call('retention.plan', { scope, policy, operationId: 'r2' });
    expect(listOnly.delete.map((entry) => entry.tag).sort()).toEqual(['1.0', 'old']);
    expect(listOnly.orphanedReferrers.map((entry) => entry.kind).sort()).toEqual(['attestation', 'signature']);
    const withReferrers = await harness.call('retention.plan', {
      scope,
      policy,
      withReferrers: true,
      operationId: 'r3',
    });
    expect(withReferrers.delete.find((entry) => entry.tag === signatureOf(gone.digest))).toEqual({
      tag: signatureOf(gone.digest),
      digest: signature.digest,
      repository,
      action: 'delete',
      rule: 'signature of a removed image: follows its subject (--with-referrers)',
    });
    expect(withReferrers.orphanedReferrers).toEqual([]);
    await harness.call('retention.apply', { plan: withReferrers, operationId: 'r4' });
    expect(await registryTags(registry, repository)).toEqual(['2.0', signatureOf(kept.digest)].sort());
  });
});
