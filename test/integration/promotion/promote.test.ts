/**
 * Promotion against the shared world's real registries: within a repository, across repositories (mount),
 * across registries (anonymous -> token), multi-arch whole and subset, referrers, the overwrite guard rail,
 * lanes and the audit log, all through the real dispatcher. Targets are repositories unique to each test;
 * the seeded repositories are only read.
 */
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { readRequestLog, type RequestLogEntry } from '../../env/registry';
import { SEED } from '../../env/seed';
import { skopeoRaw, startHarness, uniqueName, type Harness } from './harness';
import { sha256 } from '../../env/layers';
import { failure } from '../../env/failure';

const world = inject('world');
const anonymous = world.anonymous;
const token = world.token;
const alice = token.users.find((user) => user.username === 'alice')!;
const seed = world.seed;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness([token, world.basic]);
});
afterAll(async () => {
  await harness?.close();
});

/** Requests the registry logged for paths under `repository` (Berth's own traffic: the test env's is left out). */
async function requestsFor(accessLogFile: string, repository: string): Promise<RequestLogEntry[]> {
  return (await readRequestLog(accessLogFile)).filter((entry) => entry.path.startsWith(`/v2/${repository}/`));
}

const isBlobTraffic = (entry: RequestLogEntry) => entry.path.includes('/blobs/');

describe('within one registry', () => {
  it('promotes inside one repository with a single manifest PUT of the exact bytes, and no blob traffic', async () => {
    const repository = `${uniqueName('scratch')}/app`;
    const first = await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target: `${anonymous.host}/${repository}:1.0.0`,
    });
    const before = (await requestsFor(anonymous.accessLogFile, repository)).length;

    const plan = await harness.call('promotion.plan', {
      source: `${anonymous.host}/${repository}:1.0.0`,
      target: `${anonymous.host}/${repository}:release`,
    });
    expect(plan).toMatchObject({
      strategy: 'same-repository',
      sourceDigest: first.digest,
      targetDigest: first.digest,
      bytesToCopy: 0,
      overwrites: false,
      upToDate: false,
    });
    expect(plan.blobs.every((blob) => blob.action === 'present')).toBe(true);
    expect(plan.existingTargetDigest).toBeUndefined();

    const result = await harness.call('promotion.execute', {
      source: `${anonymous.host}/${repository}:1.0.0`,
      target: `${anonymous.host}/${repository}:release`,
    });
    expect(result).toMatchObject({
      digest: seed.manifests['dev/app:1.0.0']!.digest,
      blobsMounted: 0,
      blobsCopied: 0,
      bytesCopied: 0,
      manifestsWritten: 1,
    });
    const during = (await requestsFor(anonymous.accessLogFile, repository)).slice(before);
    expect(during.filter(isBlobTraffic)).toEqual([]);
    expect(during.filter((entry) => entry.method === 'PUT')).toEqual([
      expect.objectContaining({ path: `/v2/${repository}/manifests/release`, status: 201 }),
    ]);
    expect(sha256(await skopeoRaw(`${anonymous.host}/${repository}:release`))).toBe(result.digest);
  });

  it('promotes across repositories by mounting every blob: no blob bytes through Berth', async () => {
    const repository = `${uniqueName('scratch')}/app`;
    const source = `${anonymous.host}/dev/app:1.1.0`;
    const target = `${anonymous.host}/${repository}:1.1.0`;
    const image = seed.images['dev/app:1.1.0']!;
    const blobCount = image.layers.length + 1;

    const plan = await harness.call('promotion.plan', { source, target });
    expect(plan.strategy).toBe('mount');
    expect(plan.blobs.map((blob) => blob.action)).toEqual(Array(blobCount).fill('mount'));
    expect(plan.bytesToCopy).toBe(0);

    const before = await readRequestLog(anonymous.accessLogFile);
    const result = await harness.call('promotion.execute', { source, target });
    expect(result).toMatchObject({
      digest: seed.manifests['dev/app:1.1.0']!.digest,
      blobsMounted: blobCount,
      blobsCopied: 0,
      bytesCopied: 0,
      skipped: 0,
    });

    // Other test files promote within this registry at the same time: only this source's and target's traffic.
    const during = (await readRequestLog(anonymous.accessLogFile))
      .slice(before.length)
      .filter((entry) => entry.path.startsWith(`/v2/${repository}/`) || entry.path.startsWith('/v2/dev/app/'));
    const mounts = during.filter((entry) => entry.method === 'POST' && entry.path.includes('mount='));
    expect(mounts).toHaveLength(blobCount);
    expect(mounts.every((entry) => entry.status === 201 && entry.path.includes('from=dev%2Fapp'))).toBe(true);
    // No blob was read from the source nor written to the target: the bytes stayed inside the registry.
    expect(during.filter((entry) => entry.method === 'GET' && entry.path.includes('/blobs/'))).toEqual([]);
    expect(
      during.filter((entry) => (entry.method === 'PUT' || entry.method === 'PATCH') && entry.path.includes('/blobs/')),
    ).toEqual([]);
    // What remains is lookups (HEAD) and the mounts themselves.
    expect(
      during.filter((entry) => isBlobTraffic(entry) && entry.method !== 'HEAD' && !entry.path.includes('mount=')),
    ).toEqual([]);
    expect(sha256(await skopeoRaw(target))).toBe(seed.manifests['dev/app:1.1.0']!.digest);
  });
});

describe('across registries (anonymous -> token)', () => {
  const repository = `${uniqueName('scratch')}/app`;
  const source = `${anonymous.host}/dev/app:1.1.0`;
  const target = `${token.host}/${repository}:1.1.0`;

  it('copies every blob, streamed and verified, and the target digest equals the source digest', async () => {
    const image = seed.images['dev/app:1.1.0']!;
    const sizes = [image.config, ...image.layers].map((blob) => blob.size);
    const plan = await harness.call('promotion.plan', { source, target });
    expect(plan).toMatchObject({ strategy: 'copy', bytesToCopy: sizes.reduce((a, b) => a + b, 0), overwrites: false });
    expect(plan.manifests).toEqual([
      expect.objectContaining({
        digest: seed.manifests['dev/app:1.1.0']!.digest,
        tag: '1.1.0',
        action: 'put',
        role: 'image',
      }),
    ]);

    const events: OperationProgress[] = [];
    const result = await harness.call('promotion.execute', { source, target, operationId: 'cross-registry' }, (event) =>
      events.push(event),
    );
    expect(result).toMatchObject({
      digest: seed.manifests['dev/app:1.1.0']!.digest,
      blobsCopied: sizes.length,
      bytesCopied: plan.bytesToCopy,
      blobsMounted: 0,
      skipped: 0,
    });
    expect(sha256(await skopeoRaw(target, alice))).toBe(result.digest);

    expect(events.every((event) => event.kind === 'promotion' && event.operationId === 'cross-registry')).toBe(true);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ done: true, status: 'Done', current: plan.bytesToCopy, total: plan.bytesToCopy });
    expect(last.items?.map((item) => item.status).sort()).toEqual(Array(sizes.length).fill('Copied'));
    expect(new Set(events.map((event) => event.status))).toEqual(
      new Set(['Planning', 'Copying blobs', 'Writing manifests', 'Tagging', 'Verifying', 'Promoted', 'Done']),
    );
  });

  it('runs again as a no-op: everything is found at the target, nothing is sent', async () => {
    const plan = await harness.call('promotion.plan', { source, target });
    expect(plan).toMatchObject({ upToDate: true, bytesToCopy: 0, existingTargetDigest: plan.targetDigest });
    const result = await harness.call('promotion.execute', { source, target });
    expect(result).toMatchObject({ blobsCopied: 0, bytesCopied: 0, manifestsWritten: 0, skipped: plan.blobs.length });
  });

  it('skips the blobs a target repository already has (a newer version shares its base layers)', async () => {
    const result = await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target: `${token.host}/${repository}:1.0.0`,
      // Only the image's own blobs are counted here (its signature and SBOM are the referrers test's).
      withReferrers: false,
    });
    const shared = seed.images['dev/app:1.0.0']!.layers.filter((layer) =>
      seed.images['dev/app:1.1.0']!.layers.some((other) => other.digest === layer.digest),
    );
    expect(shared.length).toBeGreaterThan(0);
    expect(result.skipped).toBe(shared.length);
    expect(result.blobsCopied).toBe(seed.images['dev/app:1.0.0']!.layers.length + 1 - shared.length);
  });
});

describe('multi-arch', () => {
  it.each([
    ['OCI index', 'dev/multi:1.0'],
    ['Docker manifest list', 'dev/multi-docker:1.0'],
  ])('copies the whole %s with every platform, digest unchanged', async (_kind, ref) => {
    const repository = `${uniqueName('scratch')}/multi`;
    const target = `${token.host}/${repository}:1.0`;
    const plan = await harness.call('promotion.plan', { source: `${anonymous.host}/${ref}`, target });
    expect(plan.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    // Children first, the index (tagged) last.
    expect(plan.manifests.map((step) => step.role)).toEqual(['image', 'image', 'index']);
    expect(plan.manifests.at(-1)).toMatchObject({ tag: '1.0', digest: seed.manifests[ref]!.digest });

    const result = await harness.call('promotion.execute', { source: `${anonymous.host}/${ref}`, target });
    expect(result.digest).toBe(seed.manifests[ref]!.digest);
    expect(result.manifestsWritten).toBe(4); // two platforms, the index by digest, then the tag

    // The safe order, as the target registry saw it: blobs, child manifests, the index, the tag last.
    const writes = (await requestsFor(token.accessLogFile, repository)).filter(
      (entry) => entry.method !== 'GET' && entry.method !== 'HEAD',
    );
    const manifestWrites = writes
      .filter((entry) => entry.path.includes('/manifests/'))
      .map((entry) => entry.path.split('/manifests/')[1]);
    const children = Object.values(seed.platforms[ref]!).map((child) => child.digest);
    expect(manifestWrites.slice(0, 2).sort()).toEqual([...children].sort());
    expect(manifestWrites.slice(2)).toEqual([seed.manifests[ref]!.digest, '1.0']);
    const lastBlobWrite = writes.findLastIndex((entry) => entry.path.includes('/blobs/'));
    const firstManifestWrite = writes.findIndex((entry) => entry.path.includes('/manifests/'));
    expect(lastBlobWrite).toBeGreaterThan(-1);
    expect(lastBlobWrite).toBeLessThan(firstManifestWrite);
    expect(sha256(await skopeoRaw(target, alice))).toBe(seed.manifests[ref]!.digest);
    for (const child of Object.values(seed.platforms[ref]!)) {
      expect(sha256(await skopeoRaw(`${token.host}/${repository}@${child.digest}`, alice))).toBe(child.digest);
    }
  });

  it('copies a chosen platform subset as a new index, and leaves the other platforms behind', async () => {
    const repository = `${uniqueName('scratch')}/multi`;
    const target = `${token.host}/${repository}:arm`;
    const arm = seed.platforms['dev/multi:1.0']!['linux/arm64/v8']!;
    const amd = seed.platforms['dev/multi:1.0']!['linux/amd64']!;
    const result = await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/multi:1.0`,
      target,
      platforms: ['linux/arm64'],
    });
    expect(result.digest).not.toBe(seed.manifests['dev/multi:1.0']!.digest);
    const index = await skopeoRaw(target, alice);
    expect(sha256(index)).toBe(result.digest);
    const parsed = JSON.parse(index.toString('utf8')) as {
      mediaType: string;
      manifests: { digest: string; platform: { architecture: string } }[];
    };
    expect(parsed.mediaType).toBe(SEED.multiArch.oci.mediaType);
    expect(parsed.manifests.map((entry) => entry.digest)).toEqual([arm.digest]);
    await expect(skopeoRaw(`${token.host}/${repository}@${amd.digest}`, alice)).rejects.toThrow(
      /manifest unknown|not found/i,
    );
  });

  it('names the platforms an index has when a chosen one is missing', async () => {
    const error = await failure(
      harness.call('promotion.plan', {
        source: `${anonymous.host}/dev/multi:1.0`,
        target: `${token.host}/${uniqueName('scratch')}/x:1`,
        platforms: ['linux/s390x'],
      }),
    );
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/no linux\/s390x image; it has linux\/amd64, linux\/arm64\/v8/);
  });
});

describe('referrers', () => {
  it('carries signatures and SBOMs along when asked, findable through the fallback tag at the target', async () => {
    const repository = `${uniqueName('scratch')}/app`;
    const target = `${token.host}/${repository}:1.0.0`;
    const { signature, sbom, subject } = seed.referrers;
    const plan = await harness.call('promotion.plan', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target,
      withReferrers: true,
    });
    expect(plan.referrers.sort()).toEqual([signature.digest, sbom.digest].sort());
    const result = await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target,
      withReferrers: true,
    });
    expect(result).toMatchObject({ digest: subject.digest, referrersCopied: 2 });

    const referrers = await harness.call('registry.referrers', {
      reference: `${token.host}/${repository}@${subject.digest}`,
    });
    expect(referrers.map((referrer) => referrer.type).sort()).toEqual(['sbom', 'signature']);
    expect(sha256(await skopeoRaw(`${token.host}/${repository}@${signature.digest}`, alice))).toBe(signature.digest);

    // Turned off (--no-referrers), none are carried.
    const bare = `${token.host}/${uniqueName('scratch')}/app:1.0.0`;
    const plain = await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target: bare,
      withReferrers: false,
    });
    expect(plain.referrersCopied).toBe(0);
    expect(
      await harness.call('registry.referrers', { reference: `${bare.replace(':1.0.0', '')}@${subject.digest}` }),
    ).toEqual([]);
  });
});

describe('guard rails and the audit log', () => {
  it('refuses to move a tag that points at another digest unless forced, and audits each attempt', async () => {
    const repository = `${uniqueName('scratch')}/app`;
    const target = `${anonymous.host}/${repository}:stable`;
    await harness.call('promotion.execute', { source: `${anonymous.host}/dev/app:1.0.0`, target });

    const plan = await harness.call('promotion.plan', { source: `${anonymous.host}/dev/app:1.1.0`, target });
    expect(plan).toMatchObject({ overwrites: true, existingTargetDigest: seed.manifests['dev/app:1.0.0']!.digest });
    const refused = await failure(
      harness.call('promotion.execute', { source: `${anonymous.host}/dev/app:1.1.0`, target }),
    );
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain(seed.manifests['dev/app:1.0.0']!.digest);
    expect(refused.message).toMatch(/force/);
    expect(sha256(await skopeoRaw(target))).toBe(seed.manifests['dev/app:1.0.0']!.digest);

    const forced = await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.1.0`,
      target,
      force: true,
    });
    expect(forced.digest).toBe(seed.manifests['dev/app:1.1.0']!.digest);
    expect(sha256(await skopeoRaw(target))).toBe(forced.digest);

    const audit = await harness.call('promotion.audit', { query: repository });
    expect(audit.map((entry) => entry.outcome)).toEqual(['success', 'refused', 'success']);
    expect(audit[0]).toMatchObject({
      user: userInfo().username,
      source: `${anonymous.host}/dev/app:1.1.0`,
      target,
      digest: forced.digest,
      strategy: 'mount',
      blobsMounted: forced.blobsMounted,
    });
    expect(audit[1]!.message).toMatch(/already points at/);
    expect(new Date(audit[0]!.at).getTime()).toBeGreaterThanOrEqual(new Date(audit[2]!.at).getTime());
  });

  it('records the registry username (never a secret) of the target registry', async () => {
    const target = `${token.host}/${uniqueName('scratch')}/app:1`;
    await harness.call('promotion.execute', { source: `${anonymous.host}/prod/app:0.9.0`, target });
    const [entry] = await harness.call('promotion.audit', { query: target, limit: 1 });
    expect(entry).toMatchObject({ registryUser: 'alice', outcome: 'success' });
    expect(JSON.stringify(entry)).not.toContain(alice.password);
  });

  it('never writes to the source: mounts, copies and referrers only read it', async () => {
    const before = (await readRequestLog(anonymous.accessLogFile)).length;
    await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target: `${anonymous.host}/${uniqueName('scratch')}/app:1`,
      withReferrers: true,
    });
    await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target: `${token.host}/${uniqueName('scratch')}/app:1`,
      withReferrers: true,
    });
    const during = (await readRequestLog(anonymous.accessLogFile)).slice(before);
    expect(during.filter((entry) => entry.path.startsWith('/v2/dev/app/')).length).toBeGreaterThan(0);
    expect(
      during.filter(
        (entry) => entry.path.startsWith('/v2/dev/app/') && entry.method !== 'GET' && entry.method !== 'HEAD',
      ),
    ).toEqual([]);
  });
});

describe('lanes', () => {
  it('stores a lane with the registry settings and promotes to the next stage in one call, rewriting the tag', async () => {
    const namespace = uniqueName('lane');
    await harness.call('registries.add', { host: anonymous.host, name: 'anon' });
    const [registry] = (await harness.call('registries.list', {})).filter((entry) => entry.host === anonymous.host);
    const lanes = await harness.call('promotion.setLanes', {
      lanes: [
        {
          name: 'release',
          stages: [
            { name: 'dev', registryId: registry!.id, namespace: `${namespace}/dev` },
            { name: 'prod', registryId: registry!.id, namespace: `${namespace}/prod/` },
          ],
          tagRewrites: [{ from: '^(.*)-rc\\d+$', to: '$1', toStage: 'prod' }],
        },
      ],
    });
    expect(lanes[0]!.stages.map((stage) => stage.namespace)).toEqual([`${namespace}/dev/`, `${namespace}/prod/`]);
    expect(await harness.call('promotion.lanes', {})).toEqual(lanes);

    await harness.call('promotion.execute', {
      source: `${anonymous.host}/dev/app:1.0.0`,
      target: `${anonymous.host}/${namespace}/dev/app:1.0.0-rc1`,
    });
    const planned = await harness.call('promotion.next', {
      source: `${anonymous.host}/${namespace}/dev/app:1.0.0-rc1`,
    });
    expect(planned).toMatchObject({
      lane: 'release',
      fromStage: 'dev',
      stage: 'prod',
      target: `${anonymous.host}/${namespace}/prod/app:1.0.0`,
    });
    expect(planned.result).toBeUndefined();

    const promoted = await harness.call('promotion.next', {
      source: `${anonymous.host}/${namespace}/dev/app:1.0.0-rc1`,
      lane: 'release',
      execute: true,
    });
    expect(promoted.result).toMatchObject({
      target: `${anonymous.host}/${namespace}/prod/app:1.0.0`,
      digest: seed.manifests['dev/app:1.0.0']!.digest,
    });
    expect(sha256(await skopeoRaw(`${anonymous.host}/${namespace}/prod/app:1.0.0`))).toBe(
      seed.manifests['dev/app:1.0.0']!.digest,
    );

    const last = await failure(
      harness.call('promotion.next', { source: `${anonymous.host}/${namespace}/prod/app:1.0.0` }),
    );
    expect(last.message).toMatch(/already in prod, the last stage of lane "release"/);
  });
});
