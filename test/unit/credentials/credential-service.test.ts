import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCredentialService, type CredentialService } from '../../../src/main/credentials/credential-service';
import {
  createSessionSecretStore,
  createSystemSecretStore,
  type SecretStore,
} from '../../../src/main/credentials/secret-store';
import { newRegistryRecord } from '../../../src/main/credentials/settings-schema';
import { createSettingsStore, type SettingsStore } from '../../../src/main/credentials/settings-store';
import { BerthError } from '../../../src/shared/errors';

const SECRET = 'Sup3r-s3cret-for-berth';
const DOCKER_SECRET = 'd0cker-s1de-secret';

let home: string;
let dockerConfig: string;
let settings: SettingsStore;
let secrets: SecretStore;
let service: CredentialService;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-credentials-'));
  await mkdir(join(home, '.docker'));
  dockerConfig = join(home, '.docker', 'config.json');
  settings = createSettingsStore({ configDir: join(home, 'berth') });
  settings.updateRegistries(() => [newRegistryRecord({ host: '127.0.0.1:5000' }, new Set())]);
  secrets = createSessionSecretStore();
  service = createCredentialService({ settings, secrets, env: { HOME: home, PATH: process.env.PATH } });
});

async function writeDockerConfig(auths: Record<string, { auth: string }>): Promise<void> {
  await writeFile(dockerConfig, JSON.stringify({ auths }));
}

const auth = (user: string, password: string) => ({ auth: Buffer.from(`${user}:${password}`).toString('base64') });

describe('credential service', () => {
  it("uses Berth's own credential first, then the Docker config", async () => {
    await writeDockerConfig({ '127.0.0.1:5000': auth('docker-user', DOCKER_SECRET) });
    expect(await service.resolve('127.0.0.1:5000')).toEqual({
      kind: 'basic',
      username: 'docker-user',
      password: DOCKER_SECRET,
    });
    expect(await service.describe('127.0.0.1:5000')).toEqual({
      source: 'docker-config',
      username: 'docker-user',
      origin: dockerConfig,
    });

    await service.save('127.0.0.1:5000', 'berth-user', SECRET);
    expect(await service.resolve('127.0.0.1:5000')).toEqual({
      kind: 'basic',
      username: 'berth-user',
      password: SECRET,
    });
    const described = await service.describe('127.0.0.1:5000');
    expect(described).toMatchObject({ source: 'session', username: 'berth-user' });
    expect(described.notice).toMatch(/kept for this session only and is never written to a file/);

    expect(await service.forget('127.0.0.1:5000')).toBe(true);
    expect(await service.resolve('127.0.0.1:5000')).toMatchObject({ username: 'docker-user' });
  });

  it('never describes a credential with its secret, and never writes it to the settings file', async () => {
    await writeDockerConfig({ '127.0.0.1:5000': auth('docker-user', DOCKER_SECRET) });
    const before = JSON.stringify(await service.describe('127.0.0.1:5000'));
    await service.save('127.0.0.1:5000', 'berth-user', SECRET);
    const after = JSON.stringify(await service.describe('127.0.0.1:5000'));
    for (const text of [before, after, await readFile(settings.path, 'utf8')]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(DOCKER_SECRET);
      expect(text).not.toContain(auth('docker-user', DOCKER_SECRET).auth);
    }
  });

  it('notices a docker login made while Berth runs', async () => {
    expect(await service.resolve('127.0.0.1:5000')).toBeUndefined();
    await writeDockerConfig({ '127.0.0.1:5000': auth('first', 'one') });
    expect(await service.resolve('127.0.0.1:5000')).toMatchObject({ username: 'first' });
    await writeDockerConfig({ '127.0.0.1:5000': auth('second-user', 'two') });
    expect(await service.resolve('127.0.0.1:5000')).toMatchObject({ username: 'second-user' });
  });

  it('resolves Docker Hub under every name the registry client may use', async () => {
    await writeFile(
      dockerConfig,
      JSON.stringify({ auths: { 'https://index.docker.io/v1/': auth('hubber', 'hubpass') } }),
    );
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      expect(await service.resolve(host)).toEqual({ kind: 'basic', username: 'hubber', password: 'hubpass' });
    }
  });

  it('describes a broken Docker config as a problem, and fails a lookup with the same clear error', async () => {
    await writeFile(dockerConfig, `{"auths": {"127.0.0.1:5000": {"auth": "${SECRET}"}`);
    const described = await service.describe('127.0.0.1:5000');
    expect(described.source).toBe('docker-config');
    expect(described.problem?.code).toBe('config_invalid');
    expect(described.problem?.message).toMatch(/^Your Docker config .* is not valid JSON near line 1, column \d+$/);
    await expect(service.resolve('127.0.0.1:5000')).rejects.toThrow(BerthError);
    await expect(service.resolve('127.0.0.1:5000')).rejects.toMatchObject({ code: 'config_invalid' });
    // Fixed by the user: picked up without a restart.
    await writeDockerConfig({ '127.0.0.1:5000': auth('fixed', 'ok') });
    expect(await service.describe('127.0.0.1:5000')).toMatchObject({ source: 'docker-config', username: 'fixed' });
  });

  it('keeps secrets for the session when there is no OS keychain, and says why', async () => {
    // A D-Bus address where nothing listens: libsecret cannot reach a Secret Service, as on a headless box.
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(home, 'no-bus')}`;
    const system = createSystemSecretStore({ service: 'Berth test' });
    const backing = await system.backing();
    expect(backing.kind).toBe('session');
    expect(backing.kind === 'session' && backing.reason.length).toBeGreaterThan(0);
    const withSystem = createCredentialService({ settings, secrets: system, env: { HOME: home } });
    await withSystem.save('127.0.0.1:5000', 'u', SECRET);
    expect(await withSystem.describe('127.0.0.1:5000')).toMatchObject({ source: 'session', username: 'u' });
    expect(await readFile(settings.path, 'utf8')).not.toContain('keychain');
  });
});
