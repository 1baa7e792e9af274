/**
 * The Docker engine client against the real dockerd and the real registries of the test world, through the
 * same dispatcher the UI and the CLI use: pull (anonymous, htpasswd), tag, push (token registry, with
 * credentials in a real keychain), remove, progress per layer, cancel, errors from the engine's stream.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import type { RequestInput, RequestName, RequestResult } from '../../../src/shared/contract';
import type { ErrorData } from '../../../src/shared/errors';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { startKeyring } from '../../env/keyring';
import { readRequestLog } from '../../env/registry';
import { run } from '../../env/process';
import { pushScratchImage, shortId, type ScratchImage } from './scratch-image';

const world = inject('world');
const namespace = `scratch/docker-${randomBytes(4).toString('hex')}`;
const MB = 1024 * 1024;

let home: string;
let keyring: Awaited<ReturnType<typeof startKeyring>>;
let backend: Backend;
let small: ScratchImage;
let fromBasic: ScratchImage;
let big: ScratchImage;

type Outcome<K extends RequestName> =
  | { ok: true; value: RequestResult<K>; events: OperationProgress[] }
  | { ok: false; error: ErrorData; events: OperationProgress[] };

/** One request through the dispatcher, with the progress events it emitted. */
async function call<K extends RequestName>(
  name: K,
  input: RequestInput<K>,
  options: { on?: (event: OperationProgress) => void; backend?: Backend } = {},
): Promise<Outcome<K>> {
  const events: OperationProgress[] = [];
  const outcome = await (options.backend ?? backend).dispatcher.call(name, input, (event, payload) => {
    if (event !== 'operation.progress') return;
    const progress = payload as OperationProgress;
    events.push(progress);
    options.on?.(progress);
  });
  return outcome.ok
    ? { ok: true, value: outcome.value as RequestResult<K>, events }
    : { ok: false, error: outcome.error, events };
}

async function ok<K extends RequestName>(
  name: K,
  input: RequestInput<K>,
  options: Parameters<typeof call>[2] = {},
): Promise<{ value: RequestResult<K>; events: OperationProgress[] }> {
  const outcome = await call(name, input, options);
  if (!outcome.ok) throw new Error(`${name} failed: ${outcome.error.code} ${outcome.error.message}`);
  return outcome;
}

async function openBackend(configName: string): Promise<Backend> {
  return createBackend({
    transport: 'cli',
    env: {
      PATH: process.env.PATH,
      HOME: home,
      BERTH_CONFIG_DIR: join(home, configName),
      DOCKER_CONFIG: join(home, 'docker-config'),
      DOCKER_HOST: world.dockerd.host,
      DBUS_SESSION_BUS_ADDRESS: keyring.env.DBUS_SESSION_BUS_ADDRESS,
    },
  });
}

/** Keeps a credential in Berth (verified against the registry first), as the UI's sign-in does. */
async function signIn(target: Backend, host: string, username: string, password: string): Promise<void> {
  const added = await call('registries.add', { host }, { backend: target });
  if (!added.ok) throw new Error(added.error.message);
  const saved = await call(
    'credentials.set',
    { registryId: added.value.id, username, secret: password, verify: true },
    { backend: target },
  );
  if (!saved.ok) throw new Error(saved.error.message);
}

/** Makes sure the engine has `image` (pulled by an earlier test, or now when a test runs alone). */
async function havePulled(image: ScratchImage): Promise<void> {
  const images = (await ok('docker.images', {})).value;
  if (!images.some((local) => local.repoTags.includes(image.ref))) await ok('docker.pull', { reference: image.ref });
}

/** Progress of one finished transfer: every layer reported, ending done at 100%. */
function expectCompleteProgress(
  events: OperationProgress[],
  kind: 'docker.pull' | 'docker.push',
  layerIds: string[],
  { bytesMoved = true } = {},
): void {
  expect(events.length).toBeGreaterThan(1);
  for (const event of events) expect(event.kind).toBe(kind);
  const reported = new Set(events.flatMap((event) => (event.items ?? []).map((item) => item.id)));
  expect([...reported].sort()).toEqual([...layerIds].sort());
  const last = events.at(-1)!;
  expect(last.done).toBe(true);
  expect(last.status).toBe('Done');
  expect(last.error).toBeUndefined();
  if (bytesMoved) expect(last.total).toBeGreaterThan(0);
  expect(last.current).toBe(last.total);
  for (const item of last.items ?? []) expect(item.current, item.id).toBe(item.total);
  expect(events.slice(0, -1).every((event) => !event.done)).toBe(true);
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-docker-it-'));
  keyring = await startKeyring();
  // The keychain is reached through this process's D-Bus session.
  process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS;
  const basicUser = world.basic.users[0]!;
  [small, fromBasic, big] = await Promise.all([
    pushScratchImage({ host: world.anonymous.host }, `${namespace}/small`, '1.0', [1 * MB, 2 * MB, 3 * MB]),
    pushScratchImage({ host: world.basic.host, ...basicUser }, `${namespace}/private`, '2.0', [1 * MB, 1 * MB]),
    pushScratchImage({ host: world.anonymous.host }, `${namespace}/big`, '1.0', [32 * MB, 32 * MB, 32 * MB]),
  ]);
  backend = await openBackend('config');
});

afterAll(async () => {
  await backend?.close();
  await keyring?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('the engine', () => {
  it('is found through DOCKER_HOST and described', async () => {
    const { value } = await ok('docker.engine', {});
    expect(value).toMatchObject({
      host: world.dockerd.host,
      source: 'env',
      reachable: true,
      apiVersion: '1.41',
      os: 'linux',
    });
    expect(value.version).toMatch(/^20\.10\./);
    expect(value.candidates?.[0]).toEqual({ host: world.dockerd.host, source: 'env', present: true });
  });
});

describe('pull, tag, push, remove', () => {
  it('pulls from the anonymous registry with progress per layer ending at 100%', async () => {
    const { value, events } = await ok('docker.pull', { reference: small.ref, operationId: 'pull-small' });
    expect(value).toEqual({ reference: small.ref, digest: small.digest });
    expectCompleteProgress(
      events,
      'docker.pull',
      small.layers.map((layer) => shortId(layer.digest)),
    );
    expect(events.every((event) => event.operationId === 'pull-small')).toBe(true);
    expect(events.at(-1)!.total).toBe(small.layers.reduce((sum, layer) => sum + layer.size, 0));
    const images = (await ok('docker.images', {})).value;
    const pulled = images.find((image) => image.repoTags.includes(small.ref));
    expect(pulled?.repoDigests).toContain(`${world.anonymous.host}/${small.repository}@${small.digest}`);
    expect(pulled?.created).toBe('2024-05-01T12:00:00.000Z');
  });

  it('inspects a local image with its history', async () => {
    await havePulled(small);
    const { value } = await ok('docker.inspect', { reference: small.ref });
    expect(value).toMatchObject({
      repoTags: [small.ref],
      os: 'linux',
      architecture: 'amd64',
      cmd: ['/bin/true'],
      labels: { 'org.opencontainers.image.title': small.repository },
    });
    expect(value.layers).toHaveLength(3);
    expect(value.history.map((step) => step.createdBy)).toEqual([
      'COPY layer-2.bin /data/',
      'COPY layer-1.bin /data/',
      'COPY layer-0.bin /data/',
    ]);
  });

  it('pulls from the htpasswd registry with the credentials Berth keeps in the keychain', async () => {
    // Without credentials the registry's refusal comes back from the engine as it is.
    const refused = await call('docker.pull', { reference: fromBasic.ref });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('unauthorized');
      expect(refused.error.message).toMatch(/^Docker engine: .*no basic auth credentials/);
    }
    const user = world.basic.users[0]!;
    await signIn(backend, world.basic.host, user.username, user.password);
    expect(await backend.services.secrets.backing()).toEqual({ kind: 'keychain' });
    const { value, events } = await ok('docker.pull', { reference: fromBasic.ref });
    expect(value).toEqual({ reference: fromBasic.ref, digest: fromBasic.digest });
    expectCompleteProgress(
      events,
      'docker.pull',
      fromBasic.layers.map((layer) => shortId(layer.digest)),
    );
  });

  it('tags, then pushes to the token registry with credentials from the keychain', async () => {
    await havePulled(small);
    const target = `${world.token.host}/${namespace}/pushed:1.0`;
    expect((await ok('docker.tag', { source: small.ref, target })).value).toEqual({ source: small.ref, target });
    const alice = world.token.users.find((user) => user.access === 'push')!;
    await signIn(backend, world.token.host, alice.username, alice.password);
    const changes: unknown[] = [];
    const unsubscribe = backend.dispatcher.subscribe((event, payload) => {
      if (event === 'registry.changed') changes.push(payload);
    });
    const { value, events } = await ok('docker.push', { reference: target, operationId: 'push-token' });
    unsubscribe();
    // A push through the engine is a write Berth made: every window hears of it before the call returns.
    const registryId = (await ok('registries.list', {})).value.find((r) => r.host === world.token.host)!.id;
    expect(changes).toContainEqual({
      registryId,
      host: world.token.host,
      repository: `${namespace}/pushed`,
      tags: ['1.0'],
    });
    expect(value.reference).toBe(target);
    expect(value.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const inspected = await ok('docker.inspect', { reference: target });
    expectCompleteProgress(
      events,
      'docker.push',
      inspected.value.layers.map((diffId) => shortId(diffId)),
    );
    // The registry, asked independently, has the manifest the engine reported.
    const { stdout } = await run('skopeo', [
      'inspect',
      '--tls-verify=false',
      `--creds=${alice.username}:${alice.password}`,
      '--format',
      '{{.Digest}}',
      `docker://${target}`,
    ]);
    expect(stdout.trim()).toBe(value.digest);
  });

  it('refuses a push to a registry Berth has no credentials for, before anything is uploaded', async () => {
    await havePulled(small);
    const target = `${world.token.host}/${namespace}/no-credentials:1.0`;
    await ok('docker.tag', { source: small.ref, target });
    const stranger = await openBackend('config-without-credentials');
    try {
      const refused = await call('docker.push', { reference: target }, { backend: stranger });
      expect(refused).toMatchObject({
        ok: false,
        error: {
          code: 'unauthorized',
          message: `Berth has no credentials for ${world.token.host}, and it requires them to push ${target}. Add them in Berth (Registries, sign in) or with \`docker login ${world.token.host}\`, then push again.`,
        },
      });
      // Refused before the engine was asked: no progress was shown, so none is ended (the response says why).
      expect(refused.events).toEqual([]);
      const log = await readRequestLog(world.token.accessLogFile);
      expect(log.filter((entry) => entry.path.includes(`${namespace}/no-credentials`))).toEqual([]);
    } finally {
      await stranger.close();
    }
  });

  it('passes registry errors from the engine stream through as failures', async () => {
    await havePulled(small);
    const missing = await call('docker.pull', {
      reference: `${world.anonymous.host}/${namespace}/small:does-not-exist`,
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    if (!missing.ok) expect(missing.error.message).toMatch(/^Docker engine: .*manifest unknown/);
    // bob may only pull: the token server refuses the push scope and the engine reports it in its stream.
    const pullOnly = await openBackend('config-pull-only');
    try {
      const bob = world.token.users.find((user) => user.access === 'pull')!;
      await signIn(pullOnly, world.token.host, bob.username, bob.password);
      const target = `${world.token.host}/${namespace}/pull-only:1.0`;
      await ok('docker.tag', { source: small.ref, target });
      const refused = await call('docker.push', { reference: target }, { backend: pullOnly });
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'denied', message: 'Docker engine: denied: requested access to the resource is denied' },
      });
      // The engine had started (layers preparing): the progress ends with the same error.
      expect(refused.events.at(-1)).toMatchObject({
        done: true,
        status: 'Failed',
        error: { code: 'denied', message: 'Docker engine: denied: requested access to the resource is denied' },
      });
      expect(refused.events.slice(0, -1).every((event) => !event.done)).toBe(true);
    } finally {
      await pullOnly.close();
    }
  });

  it('exports an image as a docker save tarball', async () => {
    await havePulled(small);
    const stream = await backend.services.docker.exportImage(small.ref);
    const names: string[] = [];
    let manifest = '';
    const tar = extract();
    tar.on('entry', (header, body, next) => {
      names.push(header.name);
      const chunks: Buffer[] = [];
      body.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
      body.on('end', () => {
        if (header.name === 'manifest.json') manifest = Buffer.concat(chunks).toString('utf8');
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      tar.on('finish', resolve);
      tar.on('error', reject);
      stream.on('error', reject);
      stream.pipe(tar);
    });
    expect(names).toContain('manifest.json');
    const [entry] = JSON.parse(manifest) as { RepoTags: string[]; Layers: string[] }[];
    expect(entry?.RepoTags).toEqual([small.ref]);
    expect(entry?.Layers).toHaveLength(3);
  });

  it('removes tags, and needs force only when asked', async () => {
    await havePulled(small);
    const extra = `${world.anonymous.host}/${namespace}/small:extra`;
    await ok('docker.tag', { source: small.ref, target: extra });
    const { value } = await ok('docker.remove', { reference: extra });
    expect(value).toEqual({ removed: [extra] });
    const images = (await ok('docker.images', {})).value;
    expect(images.some((image) => image.repoTags.includes(extra))).toBe(false);
    expect(images.some((image) => image.repoTags.includes(small.ref))).toBe(true);
    const gone = await call('docker.remove', { reference: extra });
    expect(gone).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('cancel', () => {
  it('stops a pull mid-way and leaves the engine usable', async () => {
    let cancelled = false;
    const pulling = call(
      'docker.pull',
      { reference: big.ref, operationId: 'pull-big' },
      {
        on: (event) => {
          if (cancelled || !event.items?.some((item) => item.status === 'Downloading' || item.status === 'Extracting'))
            return;
          cancelled = true;
          void backend.dispatcher.call('operations.cancel', { operationId: 'pull-big' }, () => undefined);
        },
      },
    );
    const outcome = await pulling;
    expect(cancelled).toBe(true);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(outcome.events.at(-1)).toMatchObject({ done: true, status: 'Cancelled', error: { code: 'cancelled' } });
    // The engine dropped the pull: it still answers, has no such tag, and pulls the image again from the start.
    expect((await ok('docker.engine', {})).value.reachable).toBe(true);
    expect((await ok('docker.images', {})).value.some((image) => image.repoTags.includes(big.ref))).toBe(false);
    const again = await ok('docker.pull', { reference: big.ref });
    expect(again.value).toEqual({ reference: big.ref, digest: big.digest });
    // Layers the cancelled pull had finished are "Already exists" now, with no bytes to move.
    expectCompleteProgress(
      again.events,
      'docker.pull',
      big.layers.map((layer) => shortId(layer.digest)),
      { bytesMoved: false },
    );
    await ok('docker.remove', { reference: big.ref });
  });
});
