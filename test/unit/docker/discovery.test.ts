import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverEngines, platformDefaultHost } from '../../../src/main/docker/discovery';

let home: string;
const servers: Server[] = [];

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-discovery-'));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(home, { recursive: true, force: true });
});

/** Writes a context the way `docker context create` stores it. */
async function addContext(
  configDir: string,
  name: string,
  host: string,
  options: { tls?: boolean; skipVerify?: boolean } = {},
): Promise<string> {
  const id = createHash('sha256').update(name).digest('hex');
  await mkdir(join(configDir, 'contexts', 'meta', id), { recursive: true });
  const meta = {
    Name: name,
    Metadata: { Description: '' },
    Endpoints: { docker: { Host: host, SkipTLSVerify: options.skipVerify ?? false } },
  };
  await writeFile(join(configDir, 'contexts', 'meta', id, 'meta.json'), JSON.stringify(meta));
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  if (options.tls) {
    await mkdir(tlsDir, { recursive: true });
    for (const file of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(tlsDir, file), 'PEM');
  }
  return tlsDir;
}

async function listenUnix(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

describe('discoverEngines', () => {
  it('uses DOCKER_HOST first, with DOCKER_TLS_VERIFY certificates from DOCKER_CERT_PATH', async () => {
    await writeFile(join(home, 'config.json'), JSON.stringify({ currentContext: 'other' }));
    const found = await discoverEngines({
      env: { DOCKER_HOST: 'tcp://build:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs', DOCKER_CONFIG: home },
      platform: 'linux',
      homeDir: home,
    });
    expect(found.selected).toEqual({
      host: 'tcp://build:2376',
      source: 'env',
      present: true,
      tls: { verify: true, caFile: '/certs/ca.pem', certFile: '/certs/cert.pem', keyFile: '/certs/key.pem' },
    });
  });

  it('follows config.json currentContext into the context store, TLS material included', async () => {
    const configDir = join(home, '.docker');
    await mkdir(configDir, { recursive: true });
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'remote' }));
    const tlsDir = await addContext(configDir, 'remote', 'tcp://remote.example:2376', { tls: true });
    await addContext(configDir, 'spare', 'unix:///nowhere/docker.sock');
    const found = await discoverEngines({ env: {}, platform: 'linux', homeDir: home });
    expect(found.selected).toEqual({
      host: 'tcp://remote.example:2376',
      source: 'context',
      contextName: 'remote',
      present: true,
      tls: {
        verify: true,
        caFile: join(tlsDir, 'ca.pem'),
        certFile: join(tlsDir, 'cert.pem'),
        keyFile: join(tlsDir, 'key.pem'),
      },
    });
    expect(found.candidates.map((c) => [c.host, c.source, c.contextName, c.present])).toEqual([
      ['tcp://remote.example:2376', 'context', 'remote', true],
      ['unix:///nowhere/docker.sock', 'context', 'spare', false],
      ['unix:///var/run/docker.sock', 'default', undefined, existsSync('/var/run/docker.sock')],
    ]);
    expect(found.warnings).toEqual([]);
  });

  it('lets DOCKER_CONTEXT override currentContext, as the Docker CLI does', async () => {
    await writeFile(join(home, 'config.json'), JSON.stringify({ currentContext: 'a' }));
    await addContext(home, 'a', 'unix:///a.sock');
    await addContext(home, 'b', 'unix:///b.sock');
    const found = await discoverEngines({
      env: { DOCKER_CONFIG: home, DOCKER_CONTEXT: 'b' },
      platform: 'linux',
      homeDir: home,
    });
    expect(found.selected).toMatchObject({ host: 'unix:///b.sock', contextName: 'b', source: 'context' });
  });

  it('warns about a selected context that does not exist and falls back to the default', async () => {
    await writeFile(join(home, 'config.json'), JSON.stringify({ currentContext: 'gone' }));
    const found = await discoverEngines({ env: { DOCKER_CONFIG: home }, platform: 'linux', homeDir: home });
    expect(found.warnings).toEqual([expect.stringMatching(/Docker context "gone" is selected but not found/)]);
    expect(['default', 'podman']).toContain(found.selected.source);
  });

  it('reports a config.json that is not JSON instead of failing', async () => {
    await writeFile(join(home, 'config.json'), '{ not json');
    const found = await discoverEngines({ env: { DOCKER_CONFIG: home }, platform: 'linux', homeDir: home });
    expect(found.warnings).toEqual([`${join(home, 'config.json')} is not valid JSON; ignored.`]);
  });

  it('finds a rootless Podman socket and picks it when the platform default socket is absent', async () => {
    const runtime = join(home, 'run');
    await mkdir(join(runtime, 'podman'), { recursive: true });
    await listenUnix(join(runtime, 'podman', 'podman.sock'));
    const found = await discoverEngines({
      env: { DOCKER_CONFIG: home, XDG_RUNTIME_DIR: runtime },
      platform: 'linux',
      homeDir: home,
    });
    const podman = { host: `unix://${join(runtime, 'podman', 'podman.sock')}`, source: 'podman', present: true };
    expect(found.candidates).toContainEqual(podman);
    // The Docker CLI's default wins whenever its socket is there.
    expect(found.selected).toEqual(
      existsSync('/var/run/docker.sock') ? expect.objectContaining({ source: 'default' }) : podman,
    );
  });

  it('lists no Podman socket that is not there', async () => {
    const found = await discoverEngines({
      env: { DOCKER_CONFIG: home, XDG_RUNTIME_DIR: join(home, 'none') },
      platform: 'linux',
      homeDir: home,
    });
    expect(found.candidates.filter((c) => c.source === 'podman' && c.host.startsWith(`unix://${home}`))).toEqual([]);
  });

  it('knows each platform default', () => {
    expect(platformDefaultHost('linux')).toBe('unix:///var/run/docker.sock');
    expect(platformDefaultHost('darwin')).toBe('unix:///var/run/docker.sock');
    expect(platformDefaultHost('win32')).toBe('npipe:////./pipe/docker_engine');
  });
});
