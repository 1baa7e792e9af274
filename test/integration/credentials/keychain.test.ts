/**
 * Against a real Secret Service (gnome-keyring on a private D-Bus) with keytar, and the real
 * docker-credential-secretservice helper; pulls from the shared world's htpasswd and token registries.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import { createSystemSecretStore } from '../../../src/main/credentials/secret-store';
import { parseReference } from '../../../src/shared/reference';
import type { RequestInput, RequestName, RequestResult } from '../../../src/shared/contract';
import type { ErrorData } from '../../../src/shared/errors';
import { startKeyring, type RunningKeyring } from '../../env/keyring';
import { run } from '../../env/process';
import { SEED } from '../../env/seed';

const world = inject('world');
const basicUser = world.basic.users[0]!;
const tokenUser = world.token.users.find((user) => user.access === 'push')!;
const IMAGE = `${SEED.devApp.repository}:1.0.0`;

let keyring: RunningKeyring;
let home: string;
const backends: Backend[] = [];

beforeAll(async () => {
  keyring = await startKeyring();
  // libsecret (keytar) in this process reaches the Secret Service through this bus.
  process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS;
  home = await mkdtemp(join(tmpdir(), 'berth-keychain-'));
});

afterEach(async () => {
  if (await keyring.isLocked()) await keyring.unlock();
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

afterAll(async () => {
  await keyring?.stop();
  await rm(home, { recursive: true, force: true });
});

function env(name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    BERTH_CONFIG_DIR: join(home, name, 'berth'),
    DOCKER_CONFIG: join(home, name, 'docker'),
    DOCKER_HOST: world.dockerd.host,
    ...keyring.env,
    ...extra,
  };
}

async function open(name: string): Promise<Backend> {
  const backend = await createBackend({ transport: 'cli', env: env(name) });
  backends.push(backend);
  return backend;
}

async function call<K extends RequestName>(backend: Backend, name: K, input: RequestInput<K>) {
  return (await backend.dispatcher.call(name, input, () => undefined)) as
    { ok: true; value: RequestResult<K> } | { ok: false; error: ErrorData };
}

async function value<K extends RequestName>(
  backend: Backend,
  name: K,
  input: RequestInput<K>,
): Promise<RequestResult<K>> {
  const outcome = await call(backend, name, input);
  if (!outcome.ok) throw new Error(`${name} failed: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

async function writeDockerConfig(name: string, config: unknown): Promise<void> {
  await mkdir(join(home, name, 'docker'), { recursive: true });
  await writeFile(join(home, name, 'docker', 'config.json'), JSON.stringify(config, null, 2));
}

/** The credential helper as `docker login` drives it (the test plays the user; Berth itself never stores there). */
async function helper(action: 'store' | 'get' | 'list' | 'erase', input: string): Promise<string> {
  const { stdout } = await run('docker-credential-secretservice', [action], {
    input,
    env: { ...process.env, ...keyring.env },
  });
  return stdout;
}

/** A pull through Berth's registry client: manifest, config and every layer, digests verified on the way. */
async function pull(backend: Backend, reference: string): Promise<number> {
  const details = await backend.services.registry.inspect(reference);
  let bytes = 0;
  for (const layer of details.layers) {
    const stream = await backend.services.registry.openBlob(parseReference(reference), {
      digest: layer.digest,
      size: layer.size,
    });
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
  }
  expect(bytes).toBe(details.compressedSize);
  return details.layers.length;
}

const basicAuth = (user: { username: string; password: string }) =>
  Buffer.from(`${user.username}:${user.password}`).toString('base64');

describe('the OS keychain through keytar (Secret Service)', () => {
  it('stores, reads back and removes secrets', async () => {
    const secrets = createSystemSecretStore({ service: 'Berth test' });
    expect(await secrets.backing()).toEqual({ kind: 'keychain' });
    expect(await secrets.get('store-read-remove.example')).toBeUndefined();
    await secrets.set('store-read-remove.example', 'one');
    await secrets.set('store-read-remove.example', 'two');
    expect(await secrets.get('store-read-remove.example')).toBe('two');
    expect(await secrets.delete('store-read-remove.example')).toBe(true);
    expect(await secrets.get('store-read-remove.example')).toBeUndefined();
    expect(await secrets.delete('store-read-remove.example')).toBe(false);
  });

  it('keeps a verified login in the keychain across restarts, with only its username in the settings', async () => {
    const first = await open('persist');
    const view = await value(first, 'credentials.set', {
      registryId: world.basic.host,
      username: basicUser.username,
      secret: basicUser.password,
    });
    expect(view.credential).toEqual({ source: 'keychain', username: basicUser.username });
    const settings = await readFile(first.services.settings.path, 'utf8');
    expect(settings).not.toContain(basicUser.password);
    expect(JSON.parse(settings).registries[0].keychain).toEqual({
      username: basicUser.username,
      storedAt: expect.any(String),
    });

    const restarted = await open('persist');
    expect(await value(restarted, 'registries.list', {})).toMatchObject([
      { host: world.basic.host, credential: { source: 'keychain', username: basicUser.username } },
    ]);
    expect(await pull(restarted, `${world.basic.host}/${IMAGE}`)).toBeGreaterThan(0);

    // Logout removes the keychain item; nothing of it is left for another Berth to find.
    const after = await value(restarted, 'credentials.remove', { registryId: view.id });
    expect(after.credential).toEqual({ source: 'none' });
    expect(JSON.parse(await readFile(first.services.settings.path, 'utf8')).registries[0].keychain).toBeUndefined();
    const again = await open('persist');
    expect(await again.services.credentials.resolve(world.basic.host)).toBeUndefined();
  });

  it('keeps the keychain items of two profiles (BERTH_CONFIG_DIR) apart', async () => {
    const work = await open('profile-work');
    const play = await open('profile-play');
    await value(work, 'credentials.set', {
      registryId: world.token.host,
      username: tokenUser.username,
      secret: tokenUser.password,
    });
    expect(await play.services.credentials.resolve(world.token.host)).toBeUndefined();
    await value(play, 'credentials.set', {
      registryId: world.token.host,
      username: 'bob',
      secret: world.token.users.find((user) => user.username === 'bob')!.password,
    });
    expect(await work.services.credentials.resolve(world.token.host)).toMatchObject({ username: tokenUser.username });
    await value(play, 'credentials.remove', { registryId: world.token.host });
    expect(await work.services.credentials.resolve(world.token.host)).toMatchObject({ username: tokenUser.username });
  });
});

describe('a locked keychain', () => {
  it('gives a clear error on use, keeps listing working, refuses changes, and loses nothing', async () => {
    const backend = await open('locked');
    const { id } = await value(backend, 'credentials.set', {
      registryId: world.basic.host,
      username: basicUser.username,
      secret: basicUser.password,
    });
    const settingsBefore = await readFile(backend.services.settings.path, 'utf8');
    await keyring.lock();

    // A fresh process: nothing cached from before the lock.
    const locked = await open('locked');
    const browse = await call(locked, 'registry.listTags', { registryId: id, repository: SEED.devApp.repository });
    expect(browse).toEqual({
      ok: false,
      error: {
        code: 'keychain_locked',
        message: 'The OS keychain is locked, so Berth could not read the credential. Unlock it and try again.',
      },
    });
    expect(await value(locked, 'registries.list', {})).toMatchObject([
      { id, credential: { source: 'keychain', username: basicUser.username } },
    ]);

    const change = await call(locked, 'credentials.set', {
      registryId: id,
      username: basicUser.username,
      secret: basicUser.password,
    });
    expect(!change.ok && change.error.code).toBe('keychain_locked');
    const logout = await call(locked, 'credentials.remove', { registryId: id });
    expect(logout).toEqual({
      ok: false,
      error: {
        code: 'keychain_locked',
        message: 'The OS keychain is locked, so Berth could not remove the credential. Unlock it and try again.',
      },
    });
    expect(await readFile(locked.services.settings.path, 'utf8')).toBe(settingsBefore);

    await keyring.unlock();
    expect(
      await value(locked, 'registry.listTags', { registryId: id, repository: SEED.devApp.repository }),
    ).toMatchObject({ tags: expect.arrayContaining(['1.0.0']) });
  });
});

describe('the Docker config: auths, credsStore and credHelpers', () => {
  it('drives pulls through a credsStore helper, which then answers for every host as in Docker', async () => {
    await helper(
      'store',
      JSON.stringify({ ServerURL: world.token.host, Username: tokenUser.username, Secret: tokenUser.password }),
    );
    await writeDockerConfig('store', {
      auths: { [world.basic.host]: { auth: basicAuth(basicUser) }, [world.token.host]: {} },
      credsStore: 'secretservice',
    });
    const backend = await open('store');
    // credsStore applies to every host: the htpasswd registry's `auths` entry is not what Docker would use.
    expect(await backend.services.credentials.describe(world.basic.host)).toEqual({ source: 'none' });
    expect(await backend.services.credentials.describe(world.token.host)).toEqual({
      source: 'credential-helper',
      origin: 'docker-credential-secretservice',
      username: tokenUser.username,
    });
    expect(await pull(backend, `${world.token.host}/${IMAGE}`)).toBeGreaterThan(0);
    await expect(pull(backend, `${world.basic.host}/${IMAGE}`)).rejects.toMatchObject({ code: 'unauthorized' });

    const candidates = await value(backend, 'registries.dockerCandidates', {});
    expect(candidates).toEqual(
      expect.arrayContaining([
        { host: world.token.host, source: 'credential-helper', username: tokenUser.username, alreadyAdded: false },
      ]),
    );
    const imported = await value(backend, 'registries.importDocker', { hosts: [world.token.host] });
    expect(imported).toMatchObject([
      { host: world.token.host, credential: { source: 'credential-helper', username: tokenUser.username } },
    ]);
    await helper('erase', world.token.host);
  });

  it('drives pulls with per-registry credHelpers and plain auths side by side', async () => {
    // Stored under another spelling of the host: found through the helper's list.
    await helper(
      'store',
      JSON.stringify({
        ServerURL: `https://${world.token.host}`,
        Username: tokenUser.username,
        Secret: tokenUser.password,
      }),
    );
    await writeDockerConfig('helpers', {
      auths: { [world.basic.host]: { auth: basicAuth(basicUser) } },
      credHelpers: { [world.token.host]: 'secretservice' },
    });
    const backend = await open('helpers');
    expect(await backend.services.credentials.describe(world.basic.host)).toEqual({
      source: 'docker-config',
      username: basicUser.username,
      origin: join(home, 'helpers', 'docker', 'config.json'),
    });
    expect(await pull(backend, `${world.basic.host}/${IMAGE}`)).toBeGreaterThan(0);
    expect(await pull(backend, `${world.token.host}/${IMAGE}`)).toBeGreaterThan(0);
    // The engine pulls with the same credentials (X-Registry-Auth from the resolver).
    const engine = await value(backend, 'docker.pull', { reference: `${world.basic.host}/${IMAGE}` });
    expect(engine.reference).toBe(`${world.basic.host}/${IMAGE}`);

    // The helper's list and a removal there are seen by a running Berth (no restart, no stale cache).
    expect(JSON.parse(await helper('list', ''))).toMatchObject({ [`https://${world.token.host}`]: tokenUser.username });
    await helper('erase', `https://${world.token.host}`);
    await writeDockerConfig('helpers', {
      auths: { [world.basic.host]: { auth: basicAuth(basicUser) } },
      credHelpers: { [world.token.host]: 'secretservice' },
    });
    expect(await backend.services.credentials.describe(world.token.host)).toEqual({ source: 'none' });
  });

  it("drives a pull with an identity token (OAuth refresh token) from auths, and maps Docker Hub's key", async () => {
    const url = new URL(world.token.tokenServer!.realm);
    url.searchParams.set('service', world.token.tokenServer!.service);
    url.searchParams.set('offline_token', 'true');
    url.searchParams.set('client_id', 'berth-test');
    const response = await fetch(url, { headers: { authorization: `Basic ${basicAuth(tokenUser)}` } });
    const { refresh_token: refreshToken } = (await response.json()) as { refresh_token: string };
    expect(refreshToken).toBeTruthy();
    await writeDockerConfig('identity', {
      auths: {
        [world.token.host]: {
          auth: Buffer.from(`${tokenUser.username}:`).toString('base64'),
          identitytoken: refreshToken,
        },
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
      },
    });
    const backend = await open('identity');
    expect(await pull(backend, `${world.token.host}/${IMAGE}`)).toBeGreaterThan(0);
    expect(await backend.services.credentials.resolve('registry-1.docker.io')).toEqual({
      kind: 'basic',
      username: 'hubuser',
      password: 'hubpass',
    });
    expect(await value(backend, 'registries.dockerCandidates', {})).toEqual([
      { host: world.token.host, source: 'docker-config', username: tokenUser.username, alreadyAdded: false },
      { host: 'docker.io', source: 'docker-config', username: 'hubuser', alreadyAdded: false },
    ]);
  });

  it('never writes to the Docker config folder', async () => {
    const folder = join(home, 'store', 'docker');
    const before = await Promise.all(
      (await readdir(folder)).map(async (name) => [name, await readFile(join(folder, name), 'utf8')]),
    );
    const backend = await open('store');
    await value(backend, 'credentials.set', {
      registryId: world.basic.host,
      username: basicUser.username,
      secret: basicUser.password,
    });
    await value(backend, 'credentials.remove', { registryId: world.basic.host });
    await value(backend, 'registries.remove', { id: world.basic.host });
    const after = await Promise.all(
      (await readdir(folder)).map(async (name) => [name, await readFile(join(folder, name), 'utf8')]),
    );
    expect(after).toEqual(before);
  });
});
