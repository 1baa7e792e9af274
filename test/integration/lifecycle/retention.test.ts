/**
 * Retention plan and apply on real distribution registries of the test's own (garbage collection reads the
 * whole storage, so no other test may write there): the plan equals an expectation worked out here from the
 * seeded dates and rules, apply leaves exactly the kept tags, `bytesFreed` equals what distribution's own
 * `garbage-collect --dry-run` (without -m) lists, a plan whose tag moved is refused with nothing changed,
 * and an apply cut short is completed by running the same plan again, touching nothing outside it.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionPlan } from '../../../src/shared/types/deletion';
import { run } from '../../env/process';
import { startRegistry, type RunningRegistry } from '../../env/registry';
import { startHarness, tagDigest, type Harness } from '../promotion/harness';
import { pushImage, registryTags, type PushedImage } from './delete-support';

let harness: Harness;
let gcRegistry: RunningRegistry;
let scratch: RunningRegistry;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

beforeAll(async () => {
  [harness, gcRegistry, scratch] = await Promise.all([startHarness([]), startRegistry(), startRegistry()]);
});
afterAll(async () => {
  await Promise.all([harness?.close(), gcRegistry?.dispose(), scratch?.dispose()]);
});

/** app: six versions by date, an alias, a stable tag and a signature; other: one image sharing v1.1.0's layer. */
async function seedRepository(registry: RunningRegistry, repository: string) {
  const target = { host: registry.host };
  const images: Record<string, PushedImage> = {
    A: await pushImage(target, repository, ['v1.0.0'], { created: daysAgo(100) }),
    B: await pushImage(target, repository, ['v1.1.0'], { created: daysAgo(80) }),
    C: await pushImage(target, repository, ['v1.2.0', 'old-alias'], { created: daysAgo(60) }),
    D: await pushImage(target, repository, ['v1.3.0'], { created: daysAgo(40) }),
    E: await pushImage(target, repository, ['v1.4.0', 'latest'], { created: daysAgo(20) }),
    F: await pushImage(target, repository, ['stable-1'], { created: daysAgo(90) }),
  };
  const signatureTag = `${images.A!.digest.replace(':', '-')}.sig`;
  images.S = await pushImage(target, repository, [signatureTag], { created: daysAgo(100) });
  images.O = await pushImage(target, `${repository}-other`, ['1'], { layers: images.B!.layers, created: daysAgo(5) });
  return { images, signatureTag };
}

async function snapshot(registry: RunningRegistry, repository: string): Promise<Record<string, string | null>> {
  const tags = await registryTags(registry, repository);
  return Object.fromEntries(
    await Promise.all(tags.map(async (tag) => [tag, await tagDigest(registry, repository, tag)])),
  );
}

const policy = { keepLast: 2, keep: ['stable-*'] };

describe('retention', () => {
  it('plans what the rules say, applies exactly that, and frees what garbage collection frees', async () => {
    const repository = 'team/app';
    const { images, signatureTag } = await seedRepository(gcRegistry, repository);
    const plan = await harness.call('retention.plan', {
      scope: `${gcRegistry.host}/${repository}`,
      policy,
      operationId: 'r1',
    });
    // Worked out by hand: by created date E (20 d) and D (40 d) are the last two versions; stable-1 matches
    // the glob; the signature is not a version; A, B and C (with its alias) go, each as a whole digest.
    const keepRule = 'keep-last 2 by created';
    expect(plan.keep.map(({ tag, rule }) => ({ tag, rule })).sort((a, b) => a.tag.localeCompare(b.tag))).toEqual(
      [
        { tag: 'latest', rule: keepRule },
        { tag: 'stable-1', rule: 'keep stable-*' },
        { tag: 'v1.3.0', rule: keepRule },
        { tag: 'v1.4.0', rule: keepRule },
        { tag: signatureTag, rule: 'signature of a removed image: not a version, left for you to remove' },
      ].sort((a, b) => a.tag.localeCompare(b.tag)),
    );
    expect(
      plan.delete
        .map(({ tag, digest, action }) => ({ tag, digest, action }))
        .sort((a, b) => a.tag.localeCompare(b.tag)),
    ).toEqual([
      { tag: 'old-alias', digest: images.C!.digest, action: 'delete' },
      { tag: 'v1.0.0', digest: images.A!.digest, action: 'delete' },
      { tag: 'v1.1.0', digest: images.B!.digest, action: 'delete' },
      { tag: 'v1.2.0', digest: images.C!.digest, action: 'delete' },
    ]);
    expect(plan.orphanedReferrers).toEqual([
      { reference: `${gcRegistry.host}/${repository}:${signatureTag}`, kind: 'signature' },
    ]);
    // A's and C's manifest, config and layer; B's manifest and config (its layer is used by the other repository).
    const sum = (blobs: { size: number }[]) => blobs.reduce((total, blob) => total + blob.size, 0);
    expect(plan.bytesFreed).toBe(sum(images.A!.blobs) + sum(images.B!.blobs.slice(0, 2)) + sum(images.C!.blobs));
    expect(plan.planHash).toMatch(/^sha256:[a-f0-9]{64}$/);

    const otherBefore = await snapshot(gcRegistry, `${repository}-other`);
    const result = await harness.call('retention.apply', { plan, operationId: 'r2' });
    expect(result.deletedDigests.sort()).toEqual(
      [images.A, images.B, images.C].map((image) => `${gcRegistry.host}/${repository}@${image!.digest}`).sort(),
    );
    expect(result.gc.summary).toContain('garbage collection');
    expect(result.gc.warnings.join(' ')).toContain('--delete-untagged');
    expect(await registryTags(gcRegistry, repository)).toEqual(
      ['latest', 'stable-1', 'v1.3.0', 'v1.4.0', signatureTag].sort(),
    );
    expect(await snapshot(gcRegistry, `${repository}-other`)).toEqual(otherBefore);

    // The registry's own accounting: what its garbage collector would remove, sized from the storage folder.
    const gc = await run('docker-registry', ['garbage-collect', '--dry-run', join(gcRegistry.rootDir, 'config.yml')], {
      timeoutMs: 120_000,
    });
    const eligible = [
      ...new Set(
        [...`${gc.stdout}\n${gc.stderr}`.matchAll(/blob eligible for deletion: (sha256:[a-f0-9]{64})/g)].map(
          (m) => m[1]!,
        ),
      ),
    ];
    expect(eligible.length).toBeGreaterThan(0);
    let collected = 0;
    for (const digest of eligible) {
      const hex = digest.slice('sha256:'.length);
      collected += (
        await stat(join(gcRegistry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'))
      ).size;
    }
    expect(collected).toBe(plan.bytesFreed);
  });

  it('refuses a plan whose tag moved, changing nothing', async () => {
    const repository = 'moved/app';
    await seedRepository(scratch, repository);
    const plan = await harness.call('retention.plan', {
      scope: `${scratch.host}/${repository}`,
      policy,
      operationId: 'm1',
    });
    await pushImage({ host: scratch.host }, repository, ['v1.1.0'], { created: daysAgo(1) });
    const before = await snapshot(scratch, repository);
    await expect(harness.call('retention.apply', { plan, operationId: 'm2' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`${scratch.host}/${repository}:v1.1.0 moved from`),
    });
    expect(await snapshot(scratch, repository)).toEqual(before);
  });

  it('refuses a plan changed after it was made', async () => {
    const repository = 'edited/app';
    await seedRepository(scratch, repository);
    const plan = await harness.call('retention.plan', {
      scope: `${scratch.host}/${repository}`,
      policy,
      operationId: 'e1',
    });
    const edited: RetentionPlan = { ...plan, delete: plan.delete.slice(1) };
    await expect(harness.call('retention.apply', { plan: edited, operationId: 'e2' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('changed after it was made'),
    });
  });

  it('an apply cut short is completed by running the same plan again; nothing outside the plan is touched', async () => {
    const repository = 'cut/app';
    await seedRepository(scratch, repository);
    const plan = await harness.call('retention.plan', {
      scope: `${scratch.host}/${repository}`,
      policy,
      operationId: 'c1',
    });
    const otherBefore = await snapshot(scratch, `${repository}-other`);
    const controller = new AbortController();
    await expect(
      harness.call(
        'retention.apply',
        { plan, operationId: 'c2' },
        (progress) => {
          if (!progress.done && progress.current === 1) controller.abort();
        },
        controller.signal,
      ),
    ).rejects.toMatchObject({ code: 'cancelled' });
    const partial = await registryTags(scratch, repository);
    const planned = plan.delete.map((entry) => entry.tag);
    const keptTags = plan.keep.map((entry) => entry.tag).sort();
    // One digest went (with its tags), the rest of the plan did not run.
    expect(planned.filter((tag) => partial.includes(tag)).length).toBeGreaterThan(0);
    expect(planned.filter((tag) => !partial.includes(tag)).length).toBeGreaterThan(0);

    const result = await harness.call('retention.apply', { plan, operationId: 'c3' });
    expect(result.alreadyGone).toHaveLength(1);
    expect(result.deletedDigests).toHaveLength(2);
    expect(await registryTags(scratch, repository)).toEqual(keptTags);
    expect(await snapshot(scratch, `${repository}-other`)).toEqual(otherBefore);
  });
});
