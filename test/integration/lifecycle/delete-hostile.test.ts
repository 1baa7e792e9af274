/**
 * Registries that misanswer deletes, played by a proxy in front of a real registry: one that answers 202 to
 * any DELETE (even of a manifest that cannot exist) is not trusted at all; one that answers 202 without
 * deleting is caught by the check after the write; one that fails in the middle of a run says how far it got
 * and that running the same plan again finishes it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHarness, tagDigest, uniqueName, type Harness } from '../promotion/harness';
import { startInterposer, type RunningInterposer } from '../promotion/interposer';
import { pushImage, registryTags } from './delete-support';

const world = inject('world');
const registry = world.anonymous;
let harness: Harness;
const proxies: RunningInterposer[] = [];

beforeAll(async () => {
  harness = await startHarness([]);
});
afterAll(async () => {
  await Promise.all([harness?.close(), ...proxies.map((proxy) => proxy.close())]);
});

async function proxy(answerDelete: NonNullable<Parameters<typeof startInterposer>[1]['answerDelete']>) {
  const started = await startInterposer(registry, { answerDelete });
  proxies.push(started);
  return started;
}

const accepted = { status: 202, body: '' };

describe('registries that misanswer deletes', () => {
  it('one that "deletes" a manifest that cannot exist is not trusted with any delete', async () => {
    const repository = `${uniqueName('scratch')}/liar`;
    await pushImage({ host: registry.host }, repository, ['1']);
    const liar = await proxy(() => accepted);
    await expect(
      harness.call('lifecycle.planRemove', { references: [`${liar.host}/${repository}:1`] }),
    ).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('cannot be trusted') });
    expect(await tagDigest(registry, repository, '1')).not.toBeNull();
  });

  it('one that answers 202 without deleting is caught after the write', async () => {
    const repository = `${uniqueName('scratch')}/ignores`;
    const image = await pushImage({ host: registry.host }, repository, ['a', 'b']);
    // The two capability probes go through; every real delete is "accepted" and dropped.
    const ignores = await proxy((_path, before) => (before >= 2 ? accepted : undefined));
    const plan = await harness.call('lifecycle.planRemove', { references: [`${ignores.host}/${repository}:b`] });
    await expect(
      harness.call('lifecycle.remove', { steps: plan.steps, orphanedReferrers: [], operationId: 'h1' }),
    ).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringContaining(`accepted the delete of ${repository}:b but the tag still resolves`),
    });
    expect(await tagDigest(registry, repository, 'a')).toBe(image.digest);
  });

  it('one that fails mid-run says how far it got; the same plan run again finishes it', async () => {
    const repository = `${uniqueName('scratch')}/flaky`;
    const first = await pushImage({ host: registry.host }, repository, ['1']);
    const second = await pushImage({ host: registry.host }, repository, ['2']);
    let failing = true;
    const flaky = await proxy((_path, before) =>
      failing && before >= 3
        ? { status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"storage failure"}]}' }
        : undefined,
    );
    const plan = await harness.call('lifecycle.planRemove', {
      references: [`${flaky.host}/${repository}:1`, `${flaky.host}/${repository}:2`],
      digest: true,
    });
    expect(plan.steps.map((step) => step.digest)).toEqual([first.digest, second.digest]);
    await expect(
      harness.call('lifecycle.remove', { steps: plan.steps, orphanedReferrers: [], operationId: 'h2' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('1 of 2 deletions done before this one; run the same plan again'),
    });
    expect(await registryTags(registry, repository)).toEqual(['2']);

    failing = false;
    const rerun = await harness.call('lifecycle.remove', {
      steps: plan.steps,
      orphanedReferrers: [],
      operationId: 'h3',
    });
    expect(rerun.alreadyGone).toEqual([`${flaky.host}/${repository}@${first.digest}`]);
    expect(rerun.deletedDigests).toEqual([`${flaky.host}/${repository}@${second.digest}`]);
    expect(await registryTags(registry, repository)).toEqual([]);
  });
});
