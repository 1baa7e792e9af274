/**
 * `berth repos`, `berth tags` and `berth inspect` as users run them (child processes of the built CLI),
 * against the seeded registries, and the registry requests through the API dispatcher (tag details progress).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import type { OperationProgress } from '../../../src/shared/types/operations';
import type { ImageDetails } from '../../../src/shared/types/registry';
import { runCli } from '../../env/cli';
import { SEED } from '../../env/seed';

const world = inject('world');
const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-registry-cli-'));
  // Credentials come from a Docker config, as on a developer's machine.
  const auth = (user: { username: string; password: string }) => ({
    auth: Buffer.from(`${user.username}:${user.password}`).toString('base64'),
  });
  await mkdir(join(home, 'docker'));
  await writeFile(
    join(home, 'docker', 'config.json'),
    JSON.stringify({
      auths: { [world.basic.host]: auth(world.basic.users[0]!), [world.token.host]: auth(world.token.users[0]!) },
    }),
  );
  env = {
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'config'),
    BERTH_CACHE_DIR: join(home, 'cache'),
    DOCKER_CONFIG: join(home, 'docker'),
    DBUS_SESSION_BUS_ADDRESS: '',
  };
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const berth = (...args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

describe('berth repos / tags', () => {
  it('prints every repository as {"repositories": [...]}', async () => {
    const run = await berth('repos', world.anonymous.host, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).repositories).toEqual(expect.arrayContaining([...SEED.repositories]));
    const plain = await berth('repos', world.basic.host);
    expect(plain.stdout.split('\n')).toEqual(expect.arrayContaining([...SEED.repositories]));
  });

  it('prints all 2,000 tags as {"name": ..., "tags": [...]}', async () => {
    const run = await berth('tags', `${world.token.host}/many/tags`, '--json');
    expect(run.stderr).toBe('');
    const parsed = JSON.parse(run.stdout) as { name: string; tags: string[] };
    expect(parsed.name).toBe('many/tags');
    expect([...parsed.tags].sort()).toEqual(SEED.manyTags.tags.map((tag) => tag.name).sort());
  });

  it('exits 1 with a message for a missing repository and 2 for a malformed name', async () => {
    const missing = await berth('tags', `${world.anonymous.host}/no/such/repo`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^berth: Could not list the tags of no\/such\/repo: the repository does not exist \(or is private\)/,
    );
    const malformed = await berth('tags', `${world.anonymous.host}/Upper/Case`);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('lower-case');
  });
});

describe('berth inspect', () => {
  it('--raw prints the manifest bytes exactly as served (same as skopeo)', async () => {
    const ref = `${world.anonymous.host}/dev/app:1.0.0`;
    const run = await berth('inspect', ref, '--raw');
    expect(run.code).toBe(0);
    expect(sha256(run.stdout)).toBe(world.seed.manifests['dev/app:1.0.0']!.digest);
    const { stdout } = await promisify(execFile)(
      'skopeo',
      ['inspect', '--tls-verify=false', '--raw', `docker://${ref}`],
      { timeout: 60_000 },
    );
    expect(run.stdout).toBe(stdout);
    const platform = await berth(
      'inspect',
      `${world.anonymous.host}/dev/multi:1.0`,
      '--raw',
      '--platform',
      'linux/arm64',
    );
    expect(sha256(platform.stdout)).toBe(world.seed.platforms['dev/multi:1.0']!['linux/arm64/v8']!.digest);
  });

  it('--json gives digest, platforms, config and layers with their history step', async () => {
    const run = await berth(
      'inspect',
      `${world.basic.host}/dev/multi-docker:1.0`,
      '--platform',
      'linux/arm64',
      '--json',
    );
    expect(run.code).toBe(0);
    const details = JSON.parse(run.stdout) as ImageDetails;
    expect(details.manifest.digest).toBe(world.seed.manifests['dev/multi-docker:1.0']!.digest);
    expect(details.platformManifest?.digest).toBe(
      world.seed.platforms['dev/multi-docker:1.0']!['linux/arm64/v8']!.digest,
    );
    expect(details.config?.platform).toMatchObject({ os: 'linux', architecture: 'arm64' });
  });

  it('prints a readable summary, and inspects several references in one call', async () => {
    const run = await berth('inspect', `${world.anonymous.host}/dev/app:1.1.0`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Digest:       ${world.seed.manifests['dev/app:1.1.0']!.digest}`);
    expect(run.stdout).toContain('Entrypoint:   ["/opt/app/bin/app"]');
    expect(run.stdout).toContain('/bin/sh -c /opt/app/bin/app --warm-cache');
    const many = await berth(
      'inspect',
      '--json',
      ...['0.0.1', '0.0.2', 'latest', 'nope'].map((tag) => `${world.anonymous.host}/many/tags:${tag}`),
    );
    expect(many.code).toBe(1);
    expect(many.stderr).toContain('many/tags:nope');
    const list = JSON.parse(many.stdout) as ImageDetails[];
    expect(list.map((details) => details.manifest.digest)).toEqual(
      ['0.0.1', '0.0.2', 'latest'].map((tag) => world.seed.manyTags.digests[tag]),
    );
  });

  it('exits 1 without credentials where they are needed, 2 for a bad reference or platform', async () => {
    const denied = await runCli(['inspect', `${world.basic.host}/dev/app:1.0.0`], {
      env: { ...env, DOCKER_CONFIG: join(home, 'none') },
      timeoutMs: 60_000,
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('requires signing in');
    expect((await berth('inspect', 'bad@sha256:123')).code).toBe(2);
    expect((await berth('inspect', `${world.anonymous.host}/dev/app:1.0.0`, '--platform', 'linux')).code).toBe(2);
  });
});

describe('through the API dispatcher', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createBackend({ transport: 'cli', env: { ...process.env, ...env } });
  });
  afterAll(async () => {
    await backend?.close();
  });

  it('registry.tagDetails reports progress and ends it, and search finds what was listed', async () => {
    const events: OperationProgress[] = [];
    const tags = SEED.manyTags.tags.slice(0, 40).map((tag) => tag.name);
    const outcome = await backend.dispatcher.call(
      'registry.tagDetails',
      { registryId: world.anonymous.host, repository: 'many/tags', tags, operationId: 'tag-details-1' },
      (event, payload) => {
        if (event === 'operation.progress') events.push(payload as OperationProgress);
      },
    );
    expect(outcome.ok).toBe(true);
    // The first event is the first tag read, sent at once; the last says Done.
    expect(events[0]).toMatchObject({
      operationId: 'tag-details-1',
      kind: 'registry.tagDetails',
      current: 1,
      total: 40,
      done: false,
    });
    expect(events.at(-1)).toMatchObject({
      kind: 'registry.tagDetails',
      status: 'Done',
      current: 40,
      total: 40,
      done: true,
    });
    expect(events.slice(0, -1).every((event) => !event.done)).toBe(true);

    await backend.dispatcher.call(
      'registry.listTags',
      { registryId: world.anonymous.host, repository: 'dev/app' },
      () => undefined,
    );
    const search = await backend.dispatcher.call('search.query', { query: 'dev/app 1.1' }, () => undefined);
    expect(search).toEqual({
      ok: true,
      value: [{ registryId: world.anonymous.host, repository: 'dev/app', tag: '1.1.0' }],
    });
  });

  it('maps a registry failure to error data, with no progress events when none was shown', async () => {
    const events: OperationProgress[] = [];
    const outcome = await backend.dispatcher.call(
      'registry.tagDetails',
      {
        registryId: world.basic.host.replace(/:\d+$/, ':1'),
        repository: 'x',
        tags: ['a'],
        operationId: 'tag-details-2',
      },
      (event, payload) => {
        if (event === 'operation.progress') events.push(payload as OperationProgress);
      },
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'unreachable' } });
    // It failed before reading any tag: no progress was shown, so none is ended (the response says why).
    expect(events).toEqual([]);
    expect(
      await backend.dispatcher.call('registry.rateLimit', { registryId: world.anonymous.host }, () => undefined),
    ).toEqual({ ok: true, value: null });
  });
});
