/**
 * `berth sync` as users run it (node bin/berth.mjs): the JSON the issue names, --dry-run writes nothing,
 * exit 1 naming each failed tag, usage errors exit 2, and a run killed mid-copy (SIGKILL of the child)
 * that a second run completes without sending again the blobs that had landed (the target's access log).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../../env/cli';
import { TreeBuilder } from '../../env/layers';
import { makeTempDir } from '../../env/process';
import { readRequestLog } from '../../env/registry';
import { pushTreeImage } from '../../env/unique-image';
import { buildImageFromHostFiles, pushImage, uniqueName, writeDockerConfig } from '../promotion/harness';

const MiB = 1024 * 1024;
const world = inject('world');
const source = world.anonymous;
const target = world.basic;
const alice = target.users[0]!;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await makeTempDir('berth-sync-cli-');
  env = {
    HOME: dir,
    BERTH_CONFIG_DIR: join(dir, 'config'),
    BERTH_CACHE_DIR: join(dir, 'cache'),
    DOCKER_CONFIG: await writeDockerConfig(dir, [target]),
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const berth = (...args: string[]) => runCli(['sync', ...args], { env });

/** A tag's digest on the basic-auth target, read with alice's login through no Berth code. */
async function targetDigest(repository: string, tag: string): Promise<string | null> {
  const auth = `Basic ${Buffer.from(`${alice.username}:${alice.password}`).toString('base64')}`;
  const response = await fetch(`${target.url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      authorization: auth,
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
    signal: AbortSignal.timeout(30_000),
  });
  return response.status === 200 ? response.headers.get('docker-content-digest') : null;
}

describe('berth sync', () => {
  const namespace = uniqueName('scratch-sync-cli');
  const digests = new Map<string, string>();

  beforeAll(async () => {
    const base = new TreeBuilder().file('/base.bin', randomBytes(16 * 1024));
    for (const tag of ['prod-a', 'prod-b', 'test-a'])
      digests.set(
        tag,
        (
          await pushTreeImage({ host: source.host }, `${namespace}/app`, tag, [
            base,
            new TreeBuilder().file(`/${tag}`, tag),
          ])
        ).digest,
      );
  });

  it('--dry-run prints the plan as JSON and writes nothing', async () => {
    const out = uniqueName('scratch-sync-cli');
    const run = await berth(
      `${source.host}/${namespace}/`,
      `${target.host}/${out}/`,
      '--tags',
      'prod-*',
      '--dry-run',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as {
      tags: { repository: string; tag: string; action: string; digest: string }[];
    };
    expect(plan.tags.map(({ repository, tag, action, digest }) => ({ repository, tag, action, digest }))).toEqual(
      ['prod-a', 'prod-b'].map((tag) => ({ repository: `${out}/app`, tag, action: 'new', digest: digests.get(tag) })),
    );
    expect(await targetDigest(`${out}/app`, 'prod-a')).toBeNull();
  });

  it('syncs and prints the JSON the issue names; a second run is all `same`', async () => {
    const out = uniqueName('scratch-sync-cli');
    const run = await berth(
      `${source.host}/${namespace}/app`,
      `${target.host}/${out}/app`,
      '--tags',
      'prod-*',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown> & { tags: Record<string, unknown>[] };
    expect(result).toMatchObject({ blobsCopied: 5, blobsMounted: 0, bytesCopied: expect.any(Number) });
    expect(result.tags.map(({ repository, tag, action, digest }) => ({ repository, tag, action, digest }))).toEqual(
      ['prod-a', 'prod-b'].map((tag) => ({ repository: `${out}/app`, tag, action: 'new', digest: digests.get(tag) })),
    );
    for (const tag of ['prod-a', 'prod-b']) expect(await targetDigest(`${out}/app`, tag)).toBe(digests.get(tag));
    const again = await berth(`${source.host}/${namespace}/app`, `${target.host}/${out}/app`, '--tags', 'prod-*');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Synced: 2 same; 0 blobs copied/);
  });

  it('exits 1 naming each tag that failed (a registry that refuses the push)', async () => {
    // bob may pull but not push on the token registry: each tag is refused before any write, and named.
    const bob = world.token.users.find((user) => user.username === 'bob')!;
    const bobDir = join(dir, 'bob');
    const bobEnv = {
      ...env,
      DOCKER_CONFIG: await writeDockerConfig(bobDir, [{ host: world.token.host, users: [bob] }]),
    };
    const out = uniqueName('scratch-sync-cli');
    const run = await runCli(
      ['sync', `${source.host}/${namespace}/app`, `${world.token.host}/${out}/app`, '--tags', 'prod-*'],
      { env: bobEnv },
    );
    expect(run.code).toBe(1);
    for (const tag of ['prod-a', 'prod-b'])
      expect(run.stderr).toContain(`berth: ${out}/app:${tag} failed: ${world.token.host} refused`);
  });

  it('usage errors exit 2', async () => {
    const src = `${source.host}/${namespace}/app`;
    const dst = `${target.host}/x/app`;
    expect((await berth(src, dst, '--mode', 'sideways')).code).toBe(2);
    expect((await berth(src, dst, '--delete')).code).toBe(2);
    expect((await berth(src, dst, '--latest', 'none')).code).toBe(2);
    expect((await berth(src, dst, '--platform', 'linux')).code).toBe(2);
    const bad = await berth(src, dst, '--tags', 'semver:>>nonsense');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not valid');
  });
});

describe('a sync killed mid-copy', () => {
  it('completes when run again, without sending again the blobs that had landed', async () => {
    const namespace = uniqueName('scratch-sync-kill');
    const out = uniqueName('scratch-sync-kill');
    // Small layers land first while each image's large one is still streaming: the kill falls in between.
    const images = await Promise.all([
      buildImageFromHostFiles([1 * MiB, 2 * MiB, 150 * MiB]),
      buildImageFromHostFiles([3 * MiB, 1 * MiB, 150 * MiB], { hostDir: '/usr/share' }),
    ]);
    await pushImage({ host: source.host }, `${namespace}/app`, 'big-1', images[0]!);
    await pushImage({ host: source.host }, `${namespace}/app`, 'big-2', images[1]!);
    const args = ['sync', `${source.host}/${namespace}/app`, `${target.host}/${out}/app`];
    const marks = (await readRequestLog(target.accessLogFile)).length;
    const landed = async () =>
      (await readRequestLog(target.accessLogFile))
        .slice(marks)
        .filter(
          (entry) => entry.method === 'PUT' && entry.status === 201 && entry.path.startsWith(`/v2/${out}/app/blobs/`),
        )
        .map((entry) => new URL(entry.path, 'http://x').searchParams.get('digest')!);

    ensureCliBuilt();
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'berth.mjs'), ...args], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let first: string[] = [];
    for (let attempt = 0; attempt < 1_200 && first.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      first = await landed();
    }
    child.kill('SIGKILL');
    await exited;
    first = await landed();
    expect(first.length).toBeGreaterThan(0);
    // Killed before the end: some image is not at the target yet.
    const before = await Promise.all(['big-1', 'big-2'].map((tag) => targetDigest(`${out}/app`, tag)));
    expect(before.some((digest) => digest === null)).toBe(true);

    const marksAgain = (await readRequestLog(target.accessLogFile)).length;
    const again = await runCli([...args, '--json'], { env });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(await targetDigest(`${out}/app`, 'big-1')).toBe(images[0]!.digest);
    expect(await targetDigest(`${out}/app`, 'big-2')).toBe(images[1]!.digest);
    const resent = (await readRequestLog(target.accessLogFile))
      .slice(marksAgain)
      .filter((entry) => entry.method === 'PUT' && entry.path.startsWith(`/v2/${out}/app/blobs/`))
      .map((entry) => new URL(entry.path, 'http://x').searchParams.get('digest'));
    expect(resent.length).toBeGreaterThan(0);
    expect(resent.filter((digest) => first.includes(digest!))).toEqual([]);
  });
});
