/**
 * Secrets never leak: a login and a browse through `berth serve` (every WebSocket frame recorded) and
 * through the CLI with --debug (every byte of stdout and stderr), then every file Berth wrote (settings,
 * logs, caches). Passwords, their Basic encodings, the OAuth refresh token and the bearer tokens the token
 * server issued must appear nowhere.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, startCli, type CliRun } from '../../env/cli';
import { startKeyring, type RunningKeyring } from '../../env/keyring';
import { connectApi } from '../../env/serve';

const world = inject('world');
const basicUser = world.basic.users[0]!;
const tokenUser = world.token.users.find((user) => user.access === 'push')!;
const pullOnlyUser = world.token.users.find((user) => user.access === 'pull')!;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;

let keyring: RunningKeyring;
let home: string;
let refreshToken: string;

/** Everything captured, by where it was seen. */
const captured = new Map<string, string>();

beforeAll(async () => {
  keyring = await startKeyring();
  home = await mkdtemp(join(tmpdir(), 'berth-leak-'));
  const url = new URL(world.token.tokenServer!.realm);
  url.searchParams.set('service', world.token.tokenServer!.service);
  url.searchParams.set('offline_token', 'true');
  url.searchParams.set('client_id', 'berth-leak-test');
  const response = await fetch(url, {
    headers: {
      authorization: `Basic ${Buffer.from(`${pullOnlyUser.username}:${pullOnlyUser.password}`).toString('base64')}`,
    },
  });
  const issued = (await response.json()) as { refresh_token: string; token: string };
  refreshToken = issued.refresh_token;
  // The pattern below really finds the token server's bearer tokens.
  expect(issued.token).toMatch(JWT);
  // The user's Docker login for the token registry is an identity token, as Docker Desktop stores them.
  await mkdir(join(home, 'docker'), { recursive: true });
  await writeFile(
    join(home, 'docker', 'config.json'),
    JSON.stringify({
      auths: {
        [world.token.host]: {
          auth: Buffer.from(`${pullOnlyUser.username}:`).toString('base64'),
          identitytoken: refreshToken,
        },
      },
    }),
  );
});

afterAll(async () => {
  await keyring?.stop();
  await rm(home, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({
  HOME: home,
  BERTH_CONFIG_DIR: join(home, 'berth'),
  DOCKER_CONFIG: join(home, 'docker'),
  ...keyring.env,
});

function secrets(): Record<string, string> {
  const basic = (user: { username: string; password: string }, password = user.password) =>
    Buffer.from(`${user.username}:${password}`).toString('base64');
  return {
    'basic password': basicUser.password,
    'basic password (wrong attempt)': `${basicUser.password}-wrong`,
    'basic Authorization value': basic(basicUser),
    'token registry password': tokenUser.password,
    'token registry password (wrong attempt)': `${tokenUser.password}-wrong`,
    'token registry Authorization value': basic(tokenUser),
    'refresh token': refreshToken,
  };
}

async function filesUnder(dir: string): Promise<[string, string][]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(
        async (entry) =>
          [join(entry.parentPath, entry.name), await readFile(join(entry.parentPath, entry.name), 'latin1')] as [
            string,
            string,
          ],
      ),
  );
}

async function cli(args: string[], stdin?: string): Promise<CliRun> {
  const result = await runCli([...args, '--debug'], { env: env(), ...(stdin !== undefined ? { stdin } : {}) });
  captured.set(`berth ${args.join(' ')} --debug`, `${result.stdout}\n${result.stderr}`);
  return result;
}

describe('secrets never leak', () => {
  it('through berth serve: login (wrong, then right) and browsing, every frame the UI receives', async () => {
    const serve = await startCli(['serve', '--debug'], /Berth UI: http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64})/, {
      env: env(),
    });
    try {
      const [, port, token] = serve.match as unknown as [string, string, string];
      const api = await connectApi({ port: Number(port), token });
      const wrong = await api.call('credentials.set', {
        registryId: world.basic.host,
        username: basicUser.username,
        secret: `${basicUser.password}-wrong`,
      });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      const right = await api.call('credentials.set', {
        registryId: world.basic.host,
        username: basicUser.username,
        secret: basicUser.password,
      });
      expect(right).toMatchObject({
        ok: true,
        value: { credential: { source: 'keychain', username: basicUser.username } },
      });
      const id = right.ok ? right.value.id : '';
      expect(await api.call('credentials.test', { registryId: id })).toMatchObject({
        ok: true,
        value: { authenticated: true },
      });
      expect(await api.call('registry.listRepositories', { registryId: id })).toMatchObject({ ok: true });
      expect(await api.call('registry.listTags', { registryId: id, repository: 'dev/app' })).toMatchObject({
        ok: true,
        value: { tags: expect.arrayContaining(['1.0.0']) },
      });
      expect(await api.call('registry.inspect', { reference: `${world.basic.host}/dev/app:1.0.0` })).toMatchObject({
        ok: true,
      });
      // The token registry with the Docker config's identity token: bearer tokens are issued and used.
      expect(
        await api.call('registry.listTags', { registryId: world.token.host, repository: 'dev/app' }),
      ).toMatchObject({ ok: true });
      expect(await api.call('registries.list', {})).toMatchObject({ ok: true });
      expect(await api.call('registries.dockerCandidates', {})).toMatchObject({
        ok: true,
        value: [{ host: world.token.host, username: pullOnlyUser.username }],
      });

      const sent = api.frames.filter((frame) => (JSON.parse(frame) as { type: string }).type === 'call');
      const received = api.frames.filter((frame) => !sent.includes(frame));
      // The capture works: the secret went in (the UI sends it once) and results came back.
      expect(sent.join('\n')).toContain(basicUser.password);
      expect(received.length).toBeGreaterThanOrEqual(sent.length);
      captured.set('WebSocket frames to the UI', received.join('\n'));
      api.close();
    } finally {
      await serve.stop();
      captured.set('berth serve --debug output', serve.output());
    }
  });

  it('through the CLI with --debug: login (wrong, then right), browsing, listing', async () => {
    // Browsing first with the Docker config's identity token, then with Berth's own login.
    expect((await cli(['tags', `${world.token.host}/dev/app`])).code).toBe(0);
    const wrong = await cli(
      ['login', world.token.host, '-u', tokenUser.username, '--password-stdin'],
      `${tokenUser.password}-wrong\n`,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('[unauthorized]');
    expect(
      (await cli(['login', world.token.host, '-u', tokenUser.username, '--password-stdin'], `${tokenUser.password}\n`))
        .code,
    ).toBe(0);
    expect((await cli(['repos', world.token.host])).code).toBe(0);
    expect((await cli(['tags', `${world.token.host}/dev/app`])).code).toBe(0);
    expect((await cli(['inspect', `${world.token.host}/dev/app:1.1.0`, '--json'])).code).toBe(0);
    const listed = await cli(['registries', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([
      { host: world.basic.host, credential: { source: 'keychain', username: basicUser.username } },
      { host: world.token.host, credential: { source: 'keychain', username: tokenUser.username } },
    ]);
    expect((await cli(['logout', world.basic.host])).code).toBe(0);
  });

  it('appear nowhere: not in API traffic, output, logs, the settings file or caches', async () => {
    for (const [path, content] of await filesUnder(join(home, 'berth'))) captured.set(path, content);
    expect([...captured.keys()]).toEqual(
      expect.arrayContaining(['WebSocket frames to the UI', join(home, 'berth', 'settings.json')]),
    );
    const leaks: string[] = [];
    for (const [where, text] of captured) {
      for (const [what, secret] of Object.entries(secrets()))
        if (text.includes(secret)) leaks.push(`${what} in ${where}`);
      if (JWT.test(text)) leaks.push(`a bearer token (JWT) in ${where}`);
    }
    expect(leaks).toEqual([]);
    // The keychain holds them instead: Berth's item for the token registry is there.
    expect(captured.get(join(home, 'berth', 'settings.json'))).toContain(`"username": "${tokenUser.username}"`);
  });
});
