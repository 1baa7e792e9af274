/**
 * A promotion runs the image its plan showed, not whatever the source tag points at when the user clicks:
 * the plan pins the source digest (`pinnedSource`, `name:tag@digest`), and executing it is refused when the
 * tag has moved since, before anything is written. Through the API (the dialog's path) and lanes
 * (`promotion.next`), against the shared world's anonymous registry; the tag is moved by pushing another
 * image to it with the test world's own pusher.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { failure } from '../../env/failure';
import { readRequestLog } from '../../env/registry';
import { pushUniqueImage } from '../../env/unique-image';
import { startHarness, tagDigest, uniqueName, type Harness } from './harness';

const world = inject('world');
const registry = world.anonymous;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness([]);
});
afterAll(async () => {
  await harness?.close();
});

/** Berth's writes (anything but GET and HEAD) to `repository`, logged by the registry since `from`. */
async function writesTo(repository: string, from: number): Promise<string[]> {
  const log = (await readRequestLog(registry.accessLogFile)).slice(from);
  return log
    .filter((entry) => entry.path.startsWith(`/v2/${repository}/`) && entry.method !== 'GET' && entry.method !== 'HEAD')
    .map((entry) => `${entry.method} ${entry.path}`);
}

describe('the plan pins the source digest', () => {
  it('refuses to execute a plan whose source tag has moved, writing nothing to the target', async () => {
    const namespace = uniqueName('scratch');
    const first = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '1.2.0');
    const source = `${registry.host}/${namespace}/dev/app:1.2.0`;
    const target = `${registry.host}/${namespace}/prod/app:1.2.0`;

    const plan = await harness.call('promotion.plan', { source, target });
    expect(plan).toMatchObject({ source, sourceDigest: first.digest, pinnedSource: `${source}@${first.digest}` });

    const moved = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '1.2.0');
    expect(await tagDigest(registry, `${namespace}/dev/app`, '1.2.0')).toBe(moved.digest);
    const before = (await readRequestLog(registry.accessLogFile)).length;

    const refused = await failure(harness.call('promotion.execute', { source: plan.pinnedSource, target }));
    expect(refused.code).toBe('conflict');
    expect(refused.details).toMatchObject({
      reason: 'source_moved',
      currentDigest: moved.digest,
      plannedDigest: first.digest,
    });
    expect(refused.message).toContain(`${source} now points to ${moved.digest} (planned ${first.digest})`);
    expect(refused.message).toMatch(/review the new plan/i);

    expect(await tagDigest(registry, `${namespace}/prod/app`, '1.2.0')).toBeNull();
    expect(await writesTo(`${namespace}/prod/app`, before)).toEqual([]);
    const [audit] = await harness.call('promotion.audit', { query: target, limit: 1 });
    expect(audit).toMatchObject({ outcome: 'refused', source: plan.pinnedSource, target });

    // The new plan shows the new image, and executing it promotes that one.
    const again = await harness.call('promotion.plan', { source, target });
    expect(again.pinnedSource).toBe(`${source}@${moved.digest}`);
    const result = await harness.call('promotion.execute', { source: again.pinnedSource, target });
    expect(result).toMatchObject({ source, sourceDigest: moved.digest, digest: moved.digest });
    expect(await tagDigest(registry, `${namespace}/prod/app`, '1.2.0')).toBe(moved.digest);
  });

  it('executes exactly the planned digest when the tag has not moved', async () => {
    const namespace = uniqueName('scratch');
    const image = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '2.0');
    const source = `${registry.host}/${namespace}/dev/app:2.0`;
    const target = `${registry.host}/${namespace}/prod/app:2.0`;

    const plan = await harness.call('promotion.plan', { source, target });
    const result = await harness.call('promotion.execute', { source: plan.pinnedSource, target });
    expect(result).toMatchObject({ source, target, sourceDigest: image.digest, digest: image.digest });
    expect(await tagDigest(registry, `${namespace}/prod/app`, '2.0')).toBe(image.digest);
  });

  it('copies a source given by digest alone, wherever its tag has gone since', async () => {
    const namespace = uniqueName('scratch');
    const image = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '3.0');
    await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '3.0');
    const source = `${registry.host}/${namespace}/dev/app@${image.digest}`;
    const target = `${registry.host}/${namespace}/prod/app:3.0`;

    const plan = await harness.call('promotion.plan', { source, target });
    expect(plan).toMatchObject({ source, sourceDigest: image.digest, pinnedSource: source });
    const result = await harness.call('promotion.execute', { source: plan.pinnedSource, target });
    expect(result.digest).toBe(image.digest);
    expect(await tagDigest(registry, `${namespace}/prod/app`, '3.0')).toBe(image.digest);
  });
});

describe('lanes', () => {
  it('promotion.next with execute refuses a pinned source whose tag has moved, and runs a fresh pin', async () => {
    const namespace = uniqueName('lane');
    const added = await harness.call('registries.add', { host: registry.host, name: 'anon' });
    await harness.call('promotion.setLanes', {
      lanes: [
        {
          name: 'pinned',
          stages: [
            { name: 'dev', registryId: added.id, namespace: `${namespace}/dev/` },
            { name: 'prod', registryId: added.id, namespace: `${namespace}/prod/` },
          ],
          tagRewrites: [],
        },
      ],
    });
    const first = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '1.0');
    const source = `${registry.host}/${namespace}/dev/app:1.0`;

    const planned = await harness.call('promotion.next', { source });
    expect(planned.plan.pinnedSource).toBe(`${source}@${first.digest}`);
    const moved = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '1.0');
    const before = (await readRequestLog(registry.accessLogFile)).length;

    const refused = await failure(harness.call('promotion.next', { source: planned.plan.pinnedSource, execute: true }));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain(`${source} now points to ${moved.digest} (planned ${first.digest})`);
    expect(await tagDigest(registry, `${namespace}/prod/app`, '1.0')).toBeNull();
    expect(await writesTo(`${namespace}/prod/app`, before)).toEqual([]);

    const replanned = await harness.call('promotion.next', { source });
    const promoted = await harness.call('promotion.next', { source: replanned.plan.pinnedSource, execute: true });
    expect(promoted).toMatchObject({
      target: `${registry.host}/${namespace}/prod/app:1.0`,
      result: { sourceDigest: moved.digest, digest: moved.digest },
    });
    expect(await tagDigest(registry, `${namespace}/prod/app`, '1.0')).toBe(moved.digest);
  });
});
