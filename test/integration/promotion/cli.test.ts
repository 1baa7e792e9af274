/**
 * `berth promote` as users run it (node bin/berth.mjs), against the shared world's anonymous registry:
 * --dry-run writes nothing, --json prints the promised keys, the overwrite guard rail exits 1 without
 * --force, a plan's pinned source is refused once its tag has moved, and usage errors exit 2.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../env/cli';
import { readRequestLog } from '../../env/registry';
import { skopeoRaw, tagDigest, uniqueName } from './harness';
import { pushUniqueImage } from '../../env/unique-image';
import { sha256 } from '../../env/layers';
import { makeTempDir } from '../../env/process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

const world = inject('world');
const registry = world.anonymous;
const seed = world.seed;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await makeTempDir('berth-promote-cli-');
  env = { HOME: dir, BERTH_CONFIG_DIR: join(dir, 'config'), DOCKER_CONFIG: join(dir, 'docker') };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const berth = (...args: string[]) => runCli(['promote', ...args], { env });

describe('berth promote', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const repository = `${uniqueName('scratch')}/app`;
    const target = `${registry.host}/${repository}:1.1.0`;
    const before = (await readRequestLog(registry.accessLogFile)).length;
    const json = await berth(`${registry.host}/dev/app:1.1.0`, target, '--dry-run', '--json');
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as {
      strategy: string;
      targetDigest: string;
      blobs: { action: string }[];
      existingTargetDigest?: string;
    };
    expect(plan).toMatchObject({ strategy: 'mount', targetDigest: seed.manifests['dev/app:1.1.0']!.digest });
    expect(plan.blobs.every((blob) => blob.action === 'mount')).toBe(true);

    const text = await berth(`${registry.host}/dev/app:1.1.0`, target, '--dry-run');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Plan: ${registry.host}/dev/app:1.1.0 -> ${target} (mount)`);
    expect(text.stdout).toMatch(new RegExp(`blobs +0 already there, ${plan.blobs.length} to mount, 0 to copy`));
    expect(text.stdout).toContain('target tag     new tag');
    // The world's anonymous registry asks for no sign-in: push access cannot be known before a write.
    expect(text.stdout).toMatch(/^ {2}push access {4}Push access not checked: /m);

    // Other test files write to this registry at the same time: only the source's and target's traffic.
    const during = (await readRequestLog(registry.accessLogFile))
      .slice(before)
      .filter((entry) => entry.path.startsWith(`/v2/${repository}/`) || entry.path.startsWith('/v2/dev/app/'));
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((entry) => entry.method !== 'GET' && entry.method !== 'HEAD')).toEqual([]);
    await expect(skopeoRaw(target)).rejects.toThrow();
  });

  it('--json prints source, target, digest and what moved (--no-referrers: the image alone)', async () => {
    const target = `${registry.host}/${uniqueName('scratch')}/app:1.0.0`;
    const run = await berth(`${registry.host}/dev/app:1.0.0`, target, '--json', '--no-referrers');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining([
        'source',
        'sourceDigest',
        'target',
        'digest',
        'blobsMounted',
        'blobsCopied',
        'bytesCopied',
        'skipped',
      ]),
    );
    const blobs = seed.images['dev/app:1.0.0']!.layers.length + 1;
    expect(result).toMatchObject({
      source: `${registry.host}/dev/app:1.0.0`,
      target,
      digest: seed.manifests['dev/app:1.0.0']!.digest,
      blobsMounted: blobs,
      blobsCopied: 0,
      bytesCopied: 0,
      skipped: 0,
      referrersCopied: 0,
    });
    expect(sha256(await skopeoRaw(target))).toBe(result.digest);
  });

  it('copies signatures and SBOMs by default; --no-referrers with --with-referrers is a usage error', async () => {
    const target = `${registry.host}/${uniqueName('scratch')}/app:1.0.0`;
    const run = await berth(`${registry.host}/dev/app:1.0.0`, target, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ referrersCopied: 2 });
    const both = await berth(`${registry.host}/dev/app:1.0.0`, target, '--no-referrers', '--with-referrers');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--no-referrers and --with-referrers contradict each other/);
  });

  it('refuses to overwrite a tag holding another digest without --force (exit 1), and overwrites with it', async () => {
    const target = `${registry.host}/${uniqueName('scratch')}/app:stable`;
    expect((await berth(`${registry.host}/dev/app:1.0.0`, target)).code).toBe(0);
    const refused = await berth(`${registry.host}/dev/app:1.1.0`, target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already points at sha256:[0-9a-f]{64}.*--force/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(sha256(await skopeoRaw(target))).toBe(seed.manifests['dev/app:1.0.0']!.digest);

    const forced = await berth(`${registry.host}/dev/app:1.1.0`, target, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`Promoted ${registry.host}/dev/app:1.1.0 -> ${target}`);
    expect(sha256(await skopeoRaw(target))).toBe(seed.manifests['dev/app:1.1.0']!.digest);
  });

  it('--platform copies a subset of an index, and --with-referrers carries referrers', async () => {
    const subset = await berth(
      `${registry.host}/dev/multi:1.0`,
      `${registry.host}/${uniqueName('scratch')}/multi:amd`,
      '--platform',
      'linux/amd64',
      '--json',
    );
    expect(subset.code).toBe(0);
    const index = JSON.parse((await skopeoRaw(JSON.parse(subset.stdout).target as string)).toString('utf8')) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests.map((entry) => entry.digest)).toEqual([
      seed.platforms['dev/multi:1.0']!['linux/amd64']!.digest,
    ]);

    const referrers = await berth(
      `${registry.host}/dev/app:1.0.0`,
      `${registry.host}/${uniqueName('scratch')}/app:1.0.0`,
      '--with-referrers',
      '--json',
    );
    expect(referrers.code).toBe(0);
    expect(JSON.parse(referrers.stdout)).toMatchObject({ referrersCopied: 2 });
  });

  it('prints the pinned source of a plan, refuses it once the tag has moved (exit 1, target untouched), and promotes a fresh pin', async () => {
    const namespace = uniqueName('scratch');
    const first = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '1.2.0');
    const source = `${registry.host}/${namespace}/dev/app:1.2.0`;
    const target = `${registry.host}/${namespace}/prod/app:1.2.0`;

    const dry = await berth(source, target, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`pinned source  ${source}@${first.digest}`);
    const plan = JSON.parse((await berth(source, target, '--dry-run', '--json')).stdout) as { pinnedSource: string };
    expect(plan.pinnedSource).toBe(`${source}@${first.digest}`);

    const moved = await pushUniqueImage({ host: registry.host }, `${namespace}/dev/app`, '1.2.0');
    const refused = await berth(plan.pinnedSource, target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${source} now points to ${moved.digest} (planned ${first.digest})`);
    expect(await tagDigest(registry, `${namespace}/prod/app`, '1.2.0')).toBeNull();

    const fresh = JSON.parse((await berth(source, target, '--dry-run', '--json')).stdout) as { pinnedSource: string };
    const promoted = await berth(fresh.pinnedSource, target);
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(`Promoted ${source} -> ${target}`);
    expect(promoted.stdout).toContain(`source   ${moved.digest}`);
    expect(await tagDigest(registry, `${namespace}/prod/app`, '1.2.0')).toBe(moved.digest);
  });

  it('exits 2 on usage errors and 1 with a clear message on a missing source', async () => {
    expect((await berth(`${registry.host}/dev/app:1.0.0`)).code).toBe(2);
    const badPlatform = await berth(`${registry.host}/dev/multi:1.0`, `${registry.host}/x/y:1`, '--platform', 'amd64');
    expect(badPlatform.code).toBe(2);
    expect(badPlatform.stderr).toMatch(/--platform wants os\/arch/);
    const missing = await berth(
      `${registry.host}/dev/app:no-such-tag`,
      `${registry.host}/${uniqueName('scratch')}/app:1`,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such tag or digest/);
  });
});
