/** DOCKER_HOST=tcp:// with and without DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, and a context's TLS material. */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDockerService, type DockerService } from '../../../src/main/docker';
import { forwardTcp, forwardTls, makeCertificates, type Forwarder } from './tcp-forwarder';
import { failure } from '../../env/failure';

const world = inject('world');
let home: string;
let plain: Forwarder;
let secure: Forwarder;
const services: DockerService[] = [];

function service(env: NodeJS.ProcessEnv): DockerService {
  let chosen: string | undefined;
  const created = createDockerService({
    env: { HOME: home, ...env },
    homeDir: home,
    choice: { get: () => chosen, set: (value) => (chosen = value) },
    resolveCredential: async () => undefined,
    probeRegistry: async () => 'open',
  });
  services.push(created);
  return created;
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-docker-tls-'));
  await mkdir(join(home, 'certs'));
  await mkdir(join(home, 'other-ca'));
  await Promise.all([makeCertificates(join(home, 'certs')), makeCertificates(join(home, 'other-ca'), 'other')]);
  [plain, secure] = await Promise.all([
    forwardTcp(world.dockerd.socketPath),
    forwardTls(world.dockerd.socketPath, join(home, 'certs')),
  ]);
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await Promise.all([plain?.close(), secure?.close()]);
  await rm(home, { recursive: true, force: true });
});

describe('tcp engines', () => {
  it('speaks plain HTTP to tcp://', async () => {
    const docker = service({ DOCKER_HOST: `tcp://127.0.0.1:${plain.port}` });
    expect(await docker.engine()).toMatchObject({
      host: `tcp://127.0.0.1:${plain.port}`,
      source: 'env',
      reachable: true,
      apiVersion: '1.41',
    });
    expect(Array.isArray(await docker.images())).toBe(true);
  });

  it('verifies the engine and presents the client certificate with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    const docker = service({
      DOCKER_HOST: `tcp://127.0.0.1:${secure.port}`,
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: join(home, 'certs'),
    });
    expect(await docker.engine()).toMatchObject({ reachable: true, apiVersion: '1.41' });
    expect(Array.isArray(await docker.images())).toBe(true);
  });

  it('refuses an engine whose certificate another CA signed', async () => {
    const certs = join(home, 'wrong-ca');
    await mkdir(certs);
    await copyFile(join(home, 'other-ca', 'ca.pem'), join(certs, 'ca.pem'));
    await copyFile(join(home, 'certs', 'cert.pem'), join(certs, 'cert.pem'));
    await copyFile(join(home, 'certs', 'key.pem'), join(certs, 'key.pem'));
    const error = await failure(
      service({
        DOCKER_HOST: `tcp://127.0.0.1:${secure.port}`,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: certs,
      }).images(),
    );
    expect(error.code).toBe('tls');
    expect(error.message).toMatch(
      new RegExp(
        `^TLS with the Docker engine at tcp://127\\.0\\.0\\.1:${secure.port} failed: [a-z][^()]+ \\([A-Z_]+\\)\\. Check DOCKER_CERT_PATH`,
      ),
    );
  });

  it('says which file is missing when DOCKER_CERT_PATH has no CA', async () => {
    const empty = join(home, 'empty');
    await mkdir(empty);
    const error = await failure(
      service({
        DOCKER_HOST: `tcp://127.0.0.1:${secure.port}`,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: empty,
      }).images(),
    );
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(
      `Cannot read the CA certificate ${join(empty, 'ca.pem')} for the Docker engine at tcp://127.0.0.1:${secure.port}.`,
    );
  });

  it('uses the TLS material a Docker context keeps', async () => {
    const config = join(home, 'context-config');
    const id = createHash('sha256').update('secure').digest('hex');
    await mkdir(join(config, 'contexts', 'meta', id), { recursive: true });
    await mkdir(join(config, 'contexts', 'tls', id, 'docker'), { recursive: true });
    await writeFile(
      join(config, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({
        Name: 'secure',
        Endpoints: { docker: { Host: `tcp://127.0.0.1:${secure.port}`, SkipTLSVerify: false } },
      }),
    );
    for (const file of ['ca.pem', 'cert.pem', 'key.pem'])
      await copyFile(join(home, 'certs', file), join(config, 'contexts', 'tls', id, 'docker', file));
    await writeFile(join(config, 'config.json'), JSON.stringify({ currentContext: 'secure' }));
    const info = await service({ DOCKER_CONFIG: config }).engine();
    expect(info).toMatchObject({
      host: `tcp://127.0.0.1:${secure.port}`,
      source: 'context',
      contextName: 'secure',
      reachable: true,
    });
  });

  it("keeps a context's TLS when that context is chosen from the engines found, whatever the form of its host", async () => {
    const config = join(home, 'listed-config');
    const id = createHash('sha256').update('listed').digest('hex');
    // Written as a person might (a trailing slash): not the canonical form Berth stores typed hosts in.
    const host = `tcp://127.0.0.1:${secure.port}/`;
    await mkdir(join(config, 'contexts', 'meta', id), { recursive: true });
    await mkdir(join(config, 'contexts', 'tls', id, 'docker'), { recursive: true });
    await writeFile(
      join(config, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({ Name: 'listed', Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
    );
    for (const file of ['ca.pem', 'cert.pem', 'key.pem'])
      await copyFile(join(home, 'certs', file), join(config, 'contexts', 'tls', id, 'docker', file));
    const docker = service({ DOCKER_CONFIG: config });
    expect((await docker.engine()).candidates).toContainEqual({
      host,
      source: 'context',
      contextName: 'listed',
      present: true,
    });
    const info = await docker.setEngine(host);
    expect(info).toMatchObject({
      host: `tcp://127.0.0.1:${secure.port}`,
      source: 'user',
      contextName: 'listed',
      reachable: true,
    });
  });
});
