/**
 * A Docker engine on plain TCP off loopback would receive registry passwords in clear (X-Registry-Auth, issue
 * 13 d). Berth refuses to send credentials there, and to switch to such an engine without the user's
 * confirmation, before any connection. The remote addresses are documentation ones (RFC 5737) and every
 * connection to them goes to a connector of the test's own that only records it: nothing leaves the machine.
 * Loopback TCP keeps working with credentials, against the real engine and registry of the test world.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { buildConnector } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerService, type DockerService } from '../../../src/main/docker';
import type { RegistryCredential } from '../../../src/main/credentials/credential';
import { failure } from '../../env/failure';
import { pushScratchImage, type ScratchImage } from './scratch-image';
import { forwardTcp, type Forwarder } from './tcp-forwarder';

const world = inject('world');
const REMOTE = 'tcp://203.0.113.7:2375';
const REMOTE_TLS = 'tcp://203.0.113.7:2376';
const user = world.basic.users[0]!;
const CREDENTIAL: RegistryCredential = { kind: 'basic', username: user.username, password: user.password };

let home: string;
let plain: Forwarder;
let privateImage: ScratchImage;
const services: DockerService[] = [];

interface Wired {
  docker: DockerService;
  /** Every connection the engine client tried to open (host:port), none of which was opened. */
  attempts: string[];
  chosen(): string | undefined;
}

/** A service whose every connection goes to a recording connector, which refuses it. */
function recorded(env: NodeJS.ProcessEnv, credential: RegistryCredential | undefined): Wired {
  const attempts: string[] = [];
  const connector: buildConnector.connector = (options, callback) => {
    attempts.push(`${options.hostname}:${options.port}`);
    callback(
      Object.assign(new Error('connect ECONNREFUSED (the test forbids connections)'), { code: 'ECONNREFUSED' }),
      null,
    );
  };
  let chosen: string | undefined;
  const docker = createDockerService({
    env: { HOME: home, ...env },
    homeDir: home,
    choice: { get: () => chosen, set: (value) => (chosen = value) },
    resolveCredential: async () => credential,
    probeRegistry: async () => 'open',
    connector,
  });
  services.push(docker);
  return { docker, attempts, chosen: () => chosen };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-insecure-engine-'));
  plain = await forwardTcp(world.dockerd.socketPath);
  privateImage = await pushScratchImage(
    { host: world.basic.host, ...user },
    `scratch/insecure-${randomBytes(4).toString('hex')}/app`,
    '1.0',
    [64 * 1024],
  );
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await plain?.close();
  await rm(home, { recursive: true, force: true });
});

function expectProtectAdvice(message: string): void {
  expect(message).toContain('DOCKER_TLS_VERIFY=1');
  expect(message).toContain('DOCKER_CERT_PATH');
  expect(message).toContain('--tlsverify');
  expect(message).toContain('https://docs.docker.com/engine/security/protect-access/');
}

describe('credentials and a plain TCP engine off loopback', () => {
  it.each(['pull', 'push'] as const)('refuses a %s with a credential before connecting', async (operation) => {
    const { docker, attempts } = recorded({ DOCKER_HOST: REMOTE }, CREDENTIAL);
    const error = await failure(operation === 'pull' ? docker.pull(privateImage.ref) : docker.push(privateImage.ref));
    expect(error.code).toBe('unsupported');
    expect(error.message).toMatch(
      new RegExp(
        `^Berth will not send your credentials for ${world.basic.host.replace(/\./g, '\\.')} to the Docker engine at tcp://203\\.0\\.113\\.7:2375: it is reached over plain TCP without TLS`,
      ),
    );
    expectProtectAdvice(error.message);
    expect(error.details).toEqual({ host: REMOTE, registry: world.basic.host });
    expect(attempts).toEqual([]);
  });

  it('still lets an anonymous pull go to it (the connector shows the request was on its way)', async () => {
    const { docker, attempts } = recorded({ DOCKER_HOST: REMOTE }, undefined);
    const error = await failure(docker.pull(privateImage.ref));
    expect(error.code).toBe('engine_unavailable');
    expect(attempts).toEqual(['203.0.113.7:2375']);
  });

  it('sends the credential to a remote engine with TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)', async () => {
    const { docker, attempts } = recorded(
      { DOCKER_HOST: REMOTE_TLS, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(home, 'certs') },
      CREDENTIAL,
    );
    const error = await failure(docker.pull(privateImage.ref));
    expect(error.code).toBe('engine_unavailable');
    expect(attempts).toEqual(['203.0.113.7:2376']);
  });

  it('says in the engine description that it gets no credentials', async () => {
    const { docker } = recorded({ DOCKER_HOST: REMOTE }, undefined);
    const info = await docker.engine();
    expect(info).toMatchObject({ host: REMOTE, reachable: false });
    expect(info.message).toContain(
      'This engine is reached over plain TCP without TLS: Berth sends it no registry credentials',
    );
  });
});

describe('credentials and a plain TCP engine on loopback', () => {
  it('pulls a private image with the credential through tcp://127.0.0.1', async () => {
    let chosen: string | undefined;
    const docker = createDockerService({
      env: { HOME: home, DOCKER_HOST: `tcp://127.0.0.1:${plain.port}` },
      homeDir: home,
      choice: { get: () => chosen, set: (value) => (chosen = value) },
      resolveCredential: async () => CREDENTIAL,
      probeRegistry: async () => 'open',
    });
    services.push(docker);
    expect(await docker.pull(privateImage.ref)).toEqual({ reference: privateImage.ref, digest: privateImage.digest });
  });

  it.each([`tcp://localhost:2375`, 'tcp://[::1]:2375', 'tcp://127.8.9.10:2375'])(
    'does not refuse the credential for %s',
    async (host) => {
      const { docker, attempts } = recorded({ DOCKER_HOST: host }, CREDENTIAL);
      const error = await failure(docker.pull(privateImage.ref));
      expect(error.code).toBe('engine_unavailable');
      expect(attempts).toHaveLength(1);
    },
  );
});

describe('choosing a plain TCP engine off loopback', () => {
  it('is refused without the confirmation, before connecting, and nothing is stored', async () => {
    const { docker, attempts, chosen } = recorded({ DOCKER_HOST: world.dockerd.host }, undefined);
    const error = await failure(docker.setEngine(REMOTE));
    expect(error.code).toBe('invalid_input');
    expect(error.details).toEqual({ confirm: 'insecure-remote-engine', host: REMOTE });
    expect(error.message).toMatch(
      /^tcp:\/\/203\.0\.113\.7:2375 is a remote Docker engine over plain TCP, without TLS: anyone on the network/,
    );
    expectProtectAdvice(error.message);
    expect(chosen()).toBeUndefined();
    expect(attempts).toEqual([]);
  });

  it('is kept once confirmed', async () => {
    const { docker, attempts, chosen } = recorded({ DOCKER_HOST: world.dockerd.host }, undefined);
    const info = await docker.setEngine('tcp://203.0.113.7', { allowInsecureRemote: true });
    expect(chosen()).toBe(REMOTE);
    expect(info).toMatchObject({ host: REMOTE, source: 'user', reachable: false });
    expect(attempts).toEqual(['203.0.113.7:2375']);
  });

  it('needs no confirmation for loopback or for TLS', async () => {
    const { docker, chosen } = recorded(
      { DOCKER_HOST: world.dockerd.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(home, 'certs') },
      undefined,
    );
    await docker.setEngine(REMOTE_TLS);
    expect(chosen()).toBe(REMOTE_TLS);
    const loopback = recorded({ DOCKER_HOST: world.dockerd.host }, undefined);
    await loopback.docker.setEngine('tcp://127.0.0.1:2375');
    expect(loopback.chosen()).toBe('tcp://127.0.0.1:2375');
  });
});
