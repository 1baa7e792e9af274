/** Which engine Berth talks to: the Docker CLI's context, the user's choice kept in the settings file. */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import type { RequestInput, RequestName, RequestResult } from '../../../src/shared/contract';
import type { Outcome } from '../../../src/shared/errors';

const world = inject('world');
let home: string;
let env: NodeJS.ProcessEnv;
const open: Backend[] = [];

async function backend(): Promise<Backend> {
  const created = await createBackend({ transport: 'cli', env });
  open.push(created);
  return created;
}

async function call<K extends RequestName>(
  target: Backend,
  name: K,
  input: RequestInput<K>,
): Promise<Outcome<RequestResult<K>>> {
  return (await target.dispatcher.call(name, input, () => undefined)) as Outcome<RequestResult<K>>;
}

async function value<K extends RequestName>(
  target: Backend,
  name: K,
  input: RequestInput<K>,
): Promise<RequestResult<K>> {
  const outcome = await call(target, name, input);
  if (!outcome.ok) throw new Error(`${name}: ${outcome.error.message}`);
  return outcome.value;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-engine-choice-'));
  const dockerConfig = join(home, '.docker');
  // `docker context create world --docker host=...` + `docker context use world`, as files.
  const id = createHash('sha256').update('world').digest('hex');
  await mkdir(join(dockerConfig, 'contexts', 'meta', id), { recursive: true });
  await writeFile(
    join(dockerConfig, 'contexts', 'meta', id, 'meta.json'),
    JSON.stringify({
      Name: 'world',
      Metadata: {},
      Endpoints: { docker: { Host: world.dockerd.host, SkipTLSVerify: false } },
    }),
  );
  await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'world' }));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'berth'),
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-bus')}`,
  };
});

afterAll(async () => {
  await Promise.all(open.map((b) => b.close()));
  await rm(home, { recursive: true, force: true });
});

describe('engine selection', () => {
  it('follows the current Docker context', async () => {
    const info = await value(await backend(), 'docker.engine', {});
    expect(info).toMatchObject({
      host: world.dockerd.host,
      source: 'context',
      contextName: 'world',
      reachable: true,
      apiVersion: '1.41',
    });
  });

  it("keeps the user's choice in the settings file, for every later process, until reset", async () => {
    const first = await backend();
    const absent = join(home, 'elsewhere.sock');
    const chosen = await value(first, 'docker.setEngine', { host: `unix://${absent}` });
    expect(chosen).toMatchObject({ host: `unix://${absent}`, source: 'user', reachable: false });
    expect(chosen.message).toMatch(/does not exist/);
    // The context is still offered as another engine to go back to.
    expect(chosen.candidates).toContainEqual({
      host: world.dockerd.host,
      source: 'context',
      contextName: 'world',
      present: true,
    });
    const settings = JSON.parse(await readFile(join(home, 'berth', 'settings.json'), 'utf8')) as { docker?: unknown };
    expect(settings.docker).toEqual({ engineHost: `unix://${absent}` });

    const second = await backend();
    expect(await value(second, 'docker.engine', {})).toMatchObject({ host: `unix://${absent}`, source: 'user' });
    const failed = await call(second, 'docker.images', {});
    expect(failed).toMatchObject({ ok: false, error: { code: 'engine_unavailable' } });

    // Choosing a context's host takes that context's settings along.
    expect(await value(second, 'docker.setEngine', { host: world.dockerd.host })).toMatchObject({
      source: 'user',
      contextName: 'world',
      reachable: true,
    });
    expect(await value(second, 'docker.setEngine', { host: null })).toMatchObject({
      source: 'context',
      reachable: true,
    });
    expect(JSON.parse(await readFile(join(home, 'berth', 'settings.json'), 'utf8')).docker).toEqual({});
  });

  it('refuses a host it cannot use and keeps the previous choice', async () => {
    const target = await backend();
    const refused = await call(target, 'docker.setEngine', { host: 'ssh://builder@build-box' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    expect(await value(target, 'docker.engine', {})).toMatchObject({ source: 'context' });
  });
});
