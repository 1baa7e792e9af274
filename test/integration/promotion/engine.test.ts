/**
 * Promotion through the real Docker engine of the shared world: pull from the anonymous registry, tag,
 * push to the token registry with the user's credentials; the image stays on the machine.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { skopeoRaw, startHarness, uniqueName, type Harness } from './harness';
import { sha256 } from '../../env/layers';
import { failure } from '../../env/failure';
import { pushUniqueImage } from '../../env/unique-image';

const world = inject('world');
const alice = world.token.users.find((user) => user.username === 'alice')!;
let harness: Harness;
const localImages: string[] = [];

beforeAll(async () => {
  harness = await startHarness([world.token], { DOCKER_HOST: world.dockerd.host });
});
afterAll(async () => {
  for (const image of localImages)
    await harness.call('docker.remove', { reference: image, force: true }).catch(() => undefined);
  await harness?.close();
});

it('pulls, tags and pushes through the engine, says what it will not keep, and leaves the image local', async () => {
  const target = `${world.token.host}/${uniqueName('scratch')}/multi:arm`;
  const request = {
    source: `${world.anonymous.host}/dev/multi:1.0`,
    target,
    platforms: ['linux/arm64'],
    viaEngine: true,
    withReferrers: true,
  };
  const plan = await harness.call('promotion.plan', request);
  expect(plan.strategy).toBe('engine');
  expect(plan.targetDigest).toBe(world.seed.platforms['dev/multi:1.0']!['linux/arm64/v8']!.digest);
  // The pin is the index the tag points at (what executing re-reads), not the platform image chosen from it.
  const index = world.seed.manifests['dev/multi:1.0']!.digest;
  expect(plan).toMatchObject({ sourceDigest: index, pinnedSource: `${request.source}@${index}` });
  expect(plan.notes.join('\n')).toMatch(/only linux\/arm64\/v8 is carried/);
  expect(plan.notes.join('\n')).toMatch(/Signatures, attestations and SBOMs do not carry over through the engine/);

  const events: OperationProgress[] = [];
  const result = await harness.call('promotion.execute', { ...request, source: plan.pinnedSource }, (event) =>
    events.push(event),
  );
  localImages.push(target);
  // The engine's own per-layer progress, pull then push, as promotion progress.
  const statuses = events.map((event) => event.status);
  expect(statuses.findIndex((status) => status.startsWith('Pull: '))).toBeLessThan(
    statuses.findIndex((status) => status.startsWith('Push: ')),
  );
  expect(events.some((event) => event.status.startsWith('Push: ') && (event.items?.length ?? 0) > 0)).toBe(true);
  expect(events.at(-1)).toMatchObject({ kind: 'promotion', status: 'Done', done: true });
  expect(events.slice(0, -1).every((event) => !event.done)).toBe(true);
  expect(result.strategy).toBe('engine');
  expect(result.blobsCopied + result.skipped).toBeGreaterThan(0);
  expect(sha256(await skopeoRaw(target, alice))).toBe(result.digest);
  const images = await harness.call('docker.images', {});
  expect(images.some((image) => image.repoTags.includes(target))).toBe(true);

  const [audit] = await harness.call('promotion.audit', { query: target, limit: 1 });
  expect(audit).toMatchObject({ strategy: 'engine', outcome: 'success', digest: result.digest });
});

it('refuses more than one platform through the engine', async () => {
  const request = {
    source: `${world.anonymous.host}/dev/multi:1.0`,
    target: `${world.token.host}/${uniqueName('scratch')}/m:1`,
    platforms: ['linux/arm64', 'linux/amd64'],
    viaEngine: true,
  };
  await expect(harness.call('promotion.plan', request)).rejects.toMatchObject({
    code: 'invalid_input',
    message: expect.stringMatching(/one platform at a time/),
  });
});

it('refuses a pinned source whose tag has moved before the engine pulls anything', async () => {
  const repository = `${uniqueName('scratch')}/app`;
  const first = await pushUniqueImage({ host: world.anonymous.host }, repository, '1.0');
  const source = `${world.anonymous.host}/${repository}:1.0`;
  const target = `${world.token.host}/${uniqueName('scratch')}/app:1.0`;
  const plan = await harness.call('promotion.plan', { source, target, viaEngine: true });
  expect(plan.pinnedSource).toBe(`${source}@${first.digest}`);

  const moved = await pushUniqueImage({ host: world.anonymous.host }, repository, '1.0');
  const events: OperationProgress[] = [];
  const refused = await failure(
    harness.call('promotion.execute', { source: plan.pinnedSource, target, viaEngine: true }, (event) =>
      events.push(event),
    ),
  );
  expect(refused.code).toBe('conflict');
  expect(refused.message).toContain(`${source} now points to ${moved.digest} (planned ${first.digest})`);
  expect(events.some((event) => event.status.startsWith('Pull: '))).toBe(false);
  const images = await harness.call('docker.images', {});
  expect(
    images.some(
      (image) =>
        image.repoTags.includes(target) ||
        image.repoDigests.some((digest) => digest.startsWith(`${world.anonymous.host}/${repository}@`)),
    ),
  ).toBe(false);
});
