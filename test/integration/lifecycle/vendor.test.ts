/**
 * Deletes and pull times through the vendors' own APIs, chosen by the registry's kind: a fake Harbor in front
 * of the real anonymous registry (its registry API stays real; its own API is played) and a fake Docker Hub
 * API. The exact requests Berth sends are checked, and that every other tag stays. Pull-time retention is
 * applied where the API reports pull times and said to be not applicable (plainly, in the plan) elsewhere.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistryClient } from '../../../src/main/registry';
import { startHarness, tagDigest, uniqueName, type Harness } from '../promotion/harness';
import { pushImage, registryTags } from './delete-support';
import { startFakeHarbor, startFakeHub, type FakeHarbor } from './vendor-peers';

const world = inject('world');
const upstream = world.anonymous;
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
let harness: Harness;
let harbor: FakeHarbor;

beforeAll(async () => {
  [harness, harbor] = await Promise.all([startHarness([]), startFakeHarbor(upstream)]);
  await harness.call('registries.add', { name: 'fake harbor', host: harbor.host, kind: 'harbor' });
});
afterAll(async () => {
  await Promise.all([harness?.close(), harbor?.close()]);
});

describe('Harbor, through its API', () => {
  it('untags one of three tags sharing a digest with one tag DELETE; the other two stay', async () => {
    const project = uniqueName('proj');
    const repository = `${project}/team/app`;
    const image = await pushImage({ host: upstream.host }, repository, ['a', 'b', 'c']);
    const plan = await harness.call('lifecycle.planRemove', { references: [`${harbor.host}/${repository}:b`] });
    expect(plan.capabilities[0]).toMatchObject({ untagMethod: 'vendor-api', api: 'harbor' });
    harbor.seen.length = 0;
    const result = await harness.call('lifecycle.remove', {
      steps: plan.steps,
      orphanedReferrers: [],
      operationId: 'v1',
    });
    expect(result.untagged).toEqual([`${harbor.host}/${repository}:b`]);
    // The repository inside the project is encoded twice; no /v2/ DELETE at all.
    expect(harbor.seen).toEqual([`DELETE /api/v2.0/projects/${project}/repositories/team%252Fapp/artifacts/b/tags/b`]);
    const seenThroughHarbor = { url: `http://${harbor.host}` };
    expect(await tagDigest(seenThroughHarbor, repository, 'a')).toBe(image.digest);
    expect(await tagDigest(seenThroughHarbor, repository, 'c')).toBe(image.digest);
    expect(await tagDigest(seenThroughHarbor, repository, 'b')).toBeNull();
  });

  it('deletes an artifact by digest with one artifact DELETE, and only it', async () => {
    const repository = `${uniqueName('proj')}/app`;
    const gone = await pushImage({ host: upstream.host }, repository, ['1', 'one']);
    const kept = await pushImage({ host: upstream.host }, repository, ['2']);
    const plan = await harness.call('lifecycle.planRemove', {
      references: [`${harbor.host}/${repository}:1`],
      digest: true,
    });
    expect(plan.radius[0]!.tags.sort()).toEqual(['1', 'one']);
    harbor.seen.length = 0;
    const result = await harness.call('lifecycle.remove', {
      steps: plan.steps,
      orphanedReferrers: [],
      operationId: 'v2',
    });
    expect(result.deletedDigests).toEqual([`${harbor.host}/${repository}@${gone.digest}`]);
    const [project, name] = repository.split('/');
    expect(harbor.seen).toEqual([
      `DELETE /api/v2.0/projects/${project}/repositories/${name}/artifacts/${gone.digest.replace(':', '%3A')}`,
    ]);
    expect(await registryTags(upstream, repository)).toEqual(['2']);
    expect(await tagDigest(upstream, repository, '2')).toBe(kept.digest);
  });

  it('keeps what was pulled within the days given, from the artifacts pull times', async () => {
    const repository = `${uniqueName('proj')}/app`;
    await pushImage({ host: upstream.host }, repository, ['v1'], { created: daysAgo(90) });
    const v2 = await pushImage({ host: upstream.host }, repository, ['v2'], { created: daysAgo(60) });
    await pushImage({ host: upstream.host }, repository, ['v3'], { created: daysAgo(30) });
    harbor.pullTimes.set(`${repository}:v1`, daysAgo(2));
    harbor.pullTimes.set(`${repository}:v2`, daysAgo(20));
    const plan = await harness.call('retention.plan', {
      scope: `${harbor.host}/${repository}`,
      policy: { keepLast: 1, pulledWithinDays: 7 },
      operationId: 'v3',
    });
    expect(plan.keep.map(({ tag, rule }) => ({ tag, rule })).sort((a, b) => a.tag.localeCompare(b.tag))).toEqual([
      { tag: 'v1', rule: 'pulled-within 7 days' },
      { tag: 'v3', rule: 'keep-last 1 by created' },
    ]);
    expect(plan.delete.map(({ tag, digest, action }) => ({ tag, digest, action }))).toEqual([
      { tag: 'v2', digest: v2.digest, action: 'delete' },
    ]);
    expect(plan.notes.join(' ')).not.toContain('not applicable');
    const [project, name] = repository.split('/');
    expect(harbor.seen).toContain(
      `GET /api/v2.0/projects/${project}/repositories/${name}/artifacts?with_tag=true&page=1&page_size=100`,
    );
  });
});

describe('pull times where the registry reports none', () => {
  it('says in the plan that the rule is not applicable, and refuses it as the only rule', async () => {
    const repository = `${uniqueName('scratch')}/nopull`;
    await pushImage({ host: upstream.host }, repository, ['v1'], { created: daysAgo(90) });
    await pushImage({ host: upstream.host }, repository, ['v2'], { created: daysAgo(30) });
    const plan = await harness.call('retention.plan', {
      scope: `${upstream.host}/${repository}`,
      policy: { keepLast: 1, pulledWithinDays: 7 },
      operationId: 'v4',
    });
    expect(plan.notes).toContainEqual(
      expect.stringMatching(new RegExp(`^pulled-within 7 days: not applicable to ${upstream.host}/${repository}`)),
    );
    expect(plan.delete.map((entry) => entry.tag)).toEqual(['v1']);
    await expect(
      harness.call('retention.plan', {
        scope: `${upstream.host}/${repository}`,
        policy: { pulledWithinDays: 7 },
        operationId: 'v5',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('does not report them') });
  });
});

describe('Docker Hub, through its API', () => {
  const account = { username: 'alice', password: 'hub-secret' };

  it('untags with a Hub JWT, leaving the other tags, and reads tag_last_pulled over every page', async () => {
    const hub = await startFakeHub(account);
    try {
      const digest = `sha256:${'a'.repeat(64)}`;
      hub.repositories.set('alice/app', [
        { name: 'old', digest, tag_last_pulled: daysAgo(40) },
        { name: 'keep', digest, tag_last_pulled: daysAgo(1) },
        { name: 'never', digest },
      ]);
      const client = createRegistryClient({
        credentials: async () => ({ kind: 'basic', ...account }),
        dockerHubApi: hub.url,
        retry: { attempts: 1 },
      });
      try {
        const times = await client.pullTimes({ registry: 'docker.io', repository: 'alice/app' }, 'dockerhub');
        expect([...times.keys()]).toEqual(['old', 'keep', 'never']);
        expect(times.get('never')).toBeUndefined();
        hub.seen.length = 0;
        await client.deleteTag({ registry: 'docker.io', repository: 'alice/app', tag: 'old' }, { via: 'dockerhub' });
        expect(hub.seen).toEqual(['POST /v2/users/login', 'DELETE /v2/repositories/alice/app/tags/old/ [bearer]']);
        expect(hub.repositories.get('alice/app')!.map((tag) => tag.name)).toEqual(['keep', 'never']);
        await expect(
          client.deleteManifest({ registry: 'docker.io', repository: 'alice/app', digest }, { via: 'dockerhub' }),
        ).rejects.toMatchObject({ code: 'unsupported' });
      } finally {
        await client.close();
      }
      const anonymous = createRegistryClient({ credentials: async () => undefined, dockerHubApi: hub.url });
      try {
        await expect(
          anonymous.deleteTag({ registry: 'docker.io', repository: 'alice/app', tag: 'keep' }, { via: 'dockerhub' }),
        ).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining('sign in to docker.io') });
      } finally {
        await anonymous.close();
      }
      expect(hub.repositories.get('alice/app')!.map((tag) => tag.name)).toEqual(['keep', 'never']);
    } finally {
      await hub.close();
    }
  });
});
