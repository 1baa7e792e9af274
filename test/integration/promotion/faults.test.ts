/**
 * Faults, on registries of this file's own (it stops one mid-copy): the target registry dies during a
 * cross-registry copy, and a user cancels one. Each must end with a clear error, no target tag, and a
 * second run that completes reusing the blobs already uploaded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readRequestLog, startRegistry, type RunningRegistry } from '../../env/registry';
import {
  buildImageFromHostFiles,
  pushImage,
  skopeoRaw,
  startHarness,
  uniqueName,
  type BuiltImage,
  type Harness,
} from './harness';
import { sha256 } from '../../env/layers';
import { failure } from '../../env/failure';

const MiB = 1024 * 1024;

let source: RunningRegistry;
let target: RunningRegistry;
let harness: Harness;
let image: BuiltImage;
const sourceRef = () => `${source.host}/big/app:1.0`;

beforeAll(async () => {
  [source, target] = await Promise.all([startRegistry({ mode: 'anonymous' }), startRegistry({ mode: 'token' })]);
  // Two large layers that are still moving when the small ones are done, and small ones that finish first.
  image = await buildImageFromHostFiles([120 * MiB, 120 * MiB, 3 * MiB, 1 * MiB]);
  await pushImage({ host: source.host }, 'big/app', '1.0', image);
  harness = await startHarness([target]);
});

afterAll(async () => {
  await harness?.close();
  await Promise.allSettled([source?.dispose(), target?.dispose()]);
});

async function targetTag(ref: string): Promise<string | undefined> {
  try {
    return sha256(await skopeoRaw(ref, target.users[0]));
  } catch (error) {
    if (/manifest unknown|not found|name unknown/i.test((error as Error).message)) return undefined;
    throw error;
  }
}

describe('the target registry stops in the middle of a copy', () => {
  const targetRef = () => `${target.host}/${uniqueName('scratch')}/app:1.0`;

  it('fails clearly, leaves no tag, and a second run completes reusing what was uploaded', async () => {
    const ref = targetRef();
    const total = image.blobs.reduce((sum, blob) => sum + blob.size, 0);
    let stopping: Promise<void> | undefined;
    const events: OperationProgress[] = [];
    const onProgress = (event: OperationProgress) => {
      events.push(event);
      // The small blobs are done while the large ones are still streaming: kill the target now.
      if (!stopping && event.items?.some((item) => item.status === 'Copied')) stopping = target.stop();
    };

    const error = await failure(harness.call('promotion.execute', { source: sourceRef(), target: ref }, onProgress));
    await stopping;
    expect(stopping).toBeDefined();
    expect(['unreachable', 'bad_response', 'timeout']).toContain(error.code);
    expect(error.message).toContain(target.host);
    expect(error.message).toMatch(
      /was not changed. Running the promotion again finishes it without sending the \d+ blobs? already there again/,
    );
    expect(events.at(-1)).toMatchObject({ done: true, status: 'Failed', error: { code: error.code } });

    await target.start();
    expect(await targetTag(ref)).toBeUndefined();
    const [audit] = await harness.call('promotion.audit', { query: ref, limit: 1 });
    expect(audit).toMatchObject({ outcome: 'failure', target: ref, digest: image.digest });

    const plan = await harness.call('promotion.plan', { source: sourceRef(), target: ref });
    const present = plan.blobs.filter((blob) => blob.action === 'present');
    expect(present.length).toBeGreaterThan(0);
    expect(plan.bytesToCopy).toBeLessThan(total);

    const result = await harness.call('promotion.execute', { source: sourceRef(), target: ref });
    expect(result).toMatchObject({
      digest: image.digest,
      skipped: present.length,
      blobsCopied: image.blobs.length - present.length,
      bytesCopied: plan.bytesToCopy,
    });
    expect(await targetTag(ref)).toBe(image.digest);
  });
});

describe('a promotion cancelled mid-copy', () => {
  it('stops with a cancelled error, writes no tag, and runs again to completion', async () => {
    const ref = `${target.host}/${uniqueName('scratch')}/app:1.0`;
    const controller = new AbortController();
    const onProgress = (event: OperationProgress) => {
      if (event.items?.some((item) => item.status === 'Copied')) controller.abort();
    };
    const error = await failure(
      harness.call('promotion.execute', { source: sourceRef(), target: ref }, onProgress, controller.signal),
    );
    expect(error.code).toBe('cancelled');
    expect(await targetTag(ref)).toBeUndefined();
    const [audit] = await harness.call('promotion.audit', { query: ref, limit: 1 });
    expect(audit?.outcome).toBe('cancelled');

    const result = await harness.call('promotion.execute', { source: sourceRef(), target: ref });
    expect(result.skipped).toBeGreaterThan(0);
    expect(await targetTag(ref)).toBe(image.digest);
  });
});

describe('an audit log that cannot be written', () => {
  it('refuses the promotion before anything is written', async () => {
    const ref = `${target.host}/${uniqueName('scratch')}/app:1.0`;
    const blocked = await startHarness([target]);
    try {
      // The log's place is taken by a folder: no line could be appended.
      await mkdir(join(blocked.env.BERTH_CONFIG_DIR!, 'audit.jsonl'), { recursive: true });
      const before = (await readRequestLog(target.accessLogFile)).length;
      const error = await failure(blocked.call('promotion.execute', { source: sourceRef(), target: ref }));
      expect(error.message).toMatch(/Could not write the promotion audit log .*audit\.jsonl/);
      expect((await readRequestLog(target.accessLogFile)).slice(before)).toEqual([]);
    } finally {
      await blocked.close();
    }
  });
});

describe('a target tag that holds another image', () => {
  const login = () => ({ host: target.host, username: target.users[0]!.username, password: target.users[0]!.password });
  const repositoryOf = (ref: string) => ref.slice(target.host.length + 1, ref.lastIndexOf(':'));

  it('is refused without force, and the tag keeps its image', async () => {
    const ref = `${target.host}/${uniqueName('scratch')}/app:1.0`;
    const small = await buildImageFromHostFiles([256 * 1024]);
    await pushImage(login(), repositoryOf(ref), '1.0', small);
    const refused = await failure(harness.call('promotion.execute', { source: sourceRef(), target: ref }));
    expect(refused).toMatchObject({
      code: 'conflict',
      details: { existingDigest: small.digest, targetDigest: image.digest },
    });
    expect(await targetTag(ref)).toBe(small.digest);
  });

  it('is refused when someone pushes the tag while the blobs are copied, even though the plan found it free', async () => {
    const ref = `${target.host}/${uniqueName('scratch')}/app:1.0`;
    const small = await buildImageFromHostFiles([128 * 1024]);
    let pushing: Promise<void> | undefined;
    const onProgress = (event: OperationProgress) => {
      if (!pushing && event.items?.some((item) => item.status === 'Copied'))
        pushing = pushImage(login(), repositoryOf(ref), '1.0', small);
    };
    const error = await failure(
      harness.call('promotion.execute', { source: sourceRef(), target: ref, force: false }, onProgress),
    );
    await pushing;
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/changed while promoting/);
    expect(await targetTag(ref)).toBe(small.digest);
  });
});
