import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import { createSessionSecretStore } from '../../../src/main/credentials/secret-store';
import type { RequestInput, RequestName, RequestResult } from '../../../src/shared/contract';
import type { ErrorData } from '../../../src/shared/errors';
import { SEED } from '../../env/seed';

const world = inject('world');

let backend: Backend;
let configDir: string;

beforeEach(async () => {
  const home = await mkdtemp(join(tmpdir(), 'berth-login-'));
  configDir = join(home, 'berth');
  // Session secrets: these tests are about verification against real registries; the keychain has its own.
  backend = await createBackend({
    transport: 'cli',
    env: { HOME: home, PATH: process.env.PATH, BERTH_CONFIG_DIR: configDir },
    secrets: createSessionSecretStore(),
  });
});

afterEach(async () => {
  await backend.close();
});

async function call<K extends RequestName>(
  name: K,
  input: RequestInput<K>,
): Promise<{ ok: true; value: RequestResult<K> } | { ok: false; error: ErrorData }> {
  return (await backend.dispatcher.call(name, input, () => undefined)) as
    { ok: true; value: RequestResult<K> } | { ok: false; error: ErrorData };
}

async function value<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>> {
  const outcome = await call(name, input);
  if (!outcome.ok) throw new Error(`${name} failed: ${outcome.error.code} ${outcome.error.message}`);
  return outcome.value;
}

const settingsFile = () => join(configDir, 'settings.json');

describe.each([
  ['htpasswd (basic)', () => world.basic],
  ['token', () => world.token],
])('login to the %s registry', (_mode, registry) => {
  it('refuses a wrong password: unauthorized, and nothing stored, not even the registry', async () => {
    const { host, users } = registry();
    const outcome = await call('credentials.set', {
      registryId: host,
      username: users[0]!.username,
      secret: `${users[0]!.password}-wrong`,
    });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatchObject({ code: 'unauthorized' });
    expect(!outcome.ok && outcome.error.message).toBe(
      `${host} rejected the credentials for ${users[0]!.username}: check the username and password (or token). Nothing was saved.`,
    );
    expect(existsSync(settingsFile())).toBe(false);
    expect(await value('registries.list', {})).toEqual([]);
    expect(await backend.services.credentials.resolve(host)).toBeUndefined();
  });

  it('verifies and keeps a right password, then browses with it until it is removed', async () => {
    const { host, users } = registry();
    const user = users[0]!;
    const view = await value('credentials.set', { registryId: host, username: user.username, secret: user.password });
    expect(view).toMatchObject({
      host,
      id: host.replace(':', '-'),
      kind: 'distribution',
      credential: { source: 'session', username: user.username },
    });
    expect(await readFile(settingsFile(), 'utf8')).not.toContain(user.password);

    const tags = await value('registry.listTags', { registryId: view.id, repository: SEED.devApp.repository });
    expect(tags.tags).toEqual(expect.arrayContaining([...SEED.devApp.tags]));
    const status = await value('credentials.test', { registryId: view.id });
    expect(status).toEqual({ id: view.id, reachable: true, authenticated: true });

    const removed = await value('credentials.remove', { registryId: view.id });
    expect(removed.credential).toEqual({ source: 'none' });
    const after = await call('registry.listTags', { registryId: view.id, repository: SEED.devApp.repository });
    expect(!after.ok && after.error.code).toBe('unauthorized');
  });
});

describe('registry settings through the API', () => {
  it('adds a registry from a host alone, with defaults, and refuses it twice', async () => {
    const added = await value('registries.add', { host: 'https://GHCR.io/' });
    expect(added).toEqual({
      id: 'ghcr.io',
      name: 'ghcr.io',
      host: 'ghcr.io',
      kind: 'ghcr',
      insecure: false,
      environments: [],
      repositories: [],
      credential: { source: 'none' },
    });
    const again = await call('registries.add', { host: 'ghcr.io' });
    expect(!again.ok && again.error).toMatchObject({
      code: 'conflict',
      message: 'ghcr.io is already in the list as "ghcr.io"',
    });
  });

  it('updates names, roles and CA, keeps the id stable, and refuses a CA file that does not exist', async () => {
    const added = await value('registries.add', { host: world.anonymous.host, name: 'Local' });
    const updated = await value('registries.update', {
      id: added.id,
      name: 'Lab registry',
      environments: [
        { role: 'dev', namespace: 'dev/' },
        { role: 'prod', namespace: 'prod/' },
      ],
    });
    expect(updated).toMatchObject({
      id: added.id,
      name: 'Lab registry',
      environments: [{ role: 'dev' }, { role: 'prod' }],
    });
    const badCa = await call('registries.update', { id: added.id, caPath: '/nonexistent/ca.pem' });
    expect(!badCa.ok && badCa.error).toEqual({
      code: 'invalid_input',
      message: 'The CA certificate file /nonexistent/ca.pem does not exist or cannot be read',
    });
    const status = await value('registries.status', { id: added.id });
    expect(status).toEqual({
      id: added.id,
      reachable: true,
      authenticated: false,
      message: `${world.anonymous.host} serves anonymously`,
    });
    expect(await value('registries.remove', { id: added.id })).toEqual({ removed: true });
    expect(await value('registries.list', {})).toEqual([]);
  });

  it("never carries a credential to another host when a registry's host changes", async () => {
    const user = world.basic.users[0]!;
    const view = await value('credentials.set', {
      registryId: world.basic.host,
      username: user.username,
      secret: user.password,
    });
    const moved = await value('registries.update', { id: view.id, host: world.anonymous.host });
    expect(moved).toMatchObject({ id: view.id, host: world.anonymous.host, credential: { source: 'none' } });
    expect(await backend.services.credentials.resolve(world.anonymous.host)).toBeUndefined();
    expect(await backend.services.credentials.resolve(world.basic.host)).toBeUndefined();
    const taken = await value('registries.add', { host: world.token.host });
    const clash = await call('registries.update', { id: view.id, host: taken.host });
    expect(!clash.ok && clash.error).toEqual({
      code: 'conflict',
      message: `${world.token.host} is already in the list`,
    });
  });

  it('reports an unreachable registry as data', async () => {
    const status = await value('registries.status', { id: '127.0.0.1:9' });
    expect(status).toMatchObject({ id: '127.0.0.1:9', reachable: false, authenticated: false });
    expect(status.message).toMatch(/127\.0\.0\.1:9 is unreachable/);
  });
});
