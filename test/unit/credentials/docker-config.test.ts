import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  dockerConfigPath,
  listDockerHosts,
  lookupDockerCredential,
  readDockerConfig,
} from '../../../src/main/credentials/docker-config';
import { BerthError } from '../../../src/shared/errors';

const SECRET = 'pa55-W0rd-never-shown';
const b64 = (text: string) => Buffer.from(text).toString('base64');

let dir: string;
let bin: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: dir };
});

async function config(content: unknown): Promise<string> {
  const path = join(dir, 'config.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A credential helper that misbehaves in the given way (a broken peer, written as the shell script it is). */
async function helper(name: string, script: string): Promise<void> {
  const path = join(bin, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
}

async function rejection(promise: Promise<unknown>): Promise<BerthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('expected a BerthError');
}

describe('Docker config', () => {
  it('is found in DOCKER_CONFIG, else in ~/.docker', () => {
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
    expect(dockerConfigPath({ HOME: '/home/u', DOCKER_CONFIG: '/etc/ci-docker' })).toBe('/etc/ci-docker/config.json');
  });

  it('reads auths: base64 user:password, identity tokens, registry tokens, and plain username/password', async () => {
    const parsed = await readDockerConfig(
      await config({
        auths: {
          '127.0.0.1:5000': { auth: b64(`alice:${SECRET}`) },
          'ghcr.io': { auth: b64('bob:'), identitytoken: 'refresh-token-value' },
          'quay.io': { registrytoken: 'bearer-value' },
          'old.example.com': { username: 'carol', password: 'pw:with:colons' },
          'empty.example.com': {},
        },
      }),
    );
    const lookup = (host: string) => lookupDockerCredential(parsed, host, { env });
    expect(await lookup('127.0.0.1:5000')).toEqual({
      source: 'docker-config',
      origin: parsed.path,
      credential: { kind: 'basic', username: 'alice', password: SECRET },
    });
    expect((await lookup('ghcr.io'))?.credential).toEqual({
      kind: 'identity-token',
      username: 'bob',
      token: 'refresh-token-value',
    });
    expect((await lookup('quay.io'))?.credential).toEqual({ kind: 'registry-token', token: 'bearer-value' });
    expect((await lookup('old.example.com'))?.credential).toEqual({
      kind: 'basic',
      username: 'carol',
      password: 'pw:with:colons',
    });
    expect(await lookup('empty.example.com')).toBeUndefined();
    expect(await lookup('elsewhere.example.com')).toBeUndefined();
  });

  it("maps Docker Hub's https://index.docker.io/v1/ key to docker.io, and legacy URL keys to their host", async () => {
    const parsed = await readDockerConfig(
      await config({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
          'https://registry.example.com/v1/': { auth: b64('legacy:old') },
          'registry.example.com': { auth: b64('current:new') },
        },
      }),
    );
    expect((await lookupDockerCredential(parsed, 'docker.io', { env }))?.credential).toEqual({
      kind: 'basic',
      username: 'hubuser',
      password: 'hubpass',
    });
    // Docker matches the exact key before converting legacy ones.
    expect((await lookupDockerCredential(parsed, 'registry.example.com', { env }))?.credential).toMatchObject({
      username: 'current',
    });
  });

  it('says clearly when config.json is not JSON, without quoting it', async () => {
    const path = await config(`{"auths": {"x.io": {"auth": "${b64(`u:${SECRET}`)}"}},,}`);
    const error = await rejection(readDockerConfig(path));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(new RegExp(`^Your Docker config ${path} is not valid JSON`));
    expect(error.message).not.toContain(b64(`u:${SECRET}`).slice(0, 8));

    const leading = await config(`${SECRET}{}`);
    const second = await rejection(readDockerConfig(leading));
    expect(second.message).toBe(`Your Docker config ${leading} is not valid JSON`);
  });

  it('says where the shape is wrong', async () => {
    const error = await rejection(readDockerConfig(await config({ auths: { 'x.io': { auth: 42 } } })));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain("is not in Docker's format at auths.x.io.auth");
  });

  it('reports an auth that is not base64 for that registry only, without its value; other registries still work', async () => {
    const parsed = await readDockerConfig(
      await config({
        auths: {
          'bad.example.com': { auth: `${SECRET}!!` },
          'nocolon.example.com': { auth: b64('justauser') },
          'good.example.com': { auth: b64('u:p') },
        },
      }),
    );
    const bad = await rejection(lookupDockerCredential(parsed, 'bad.example.com', { env }));
    expect(bad.code).toBe('config_invalid');
    expect(bad.message).toBe(
      `The auth value in the "bad.example.com" entry of auths in your Docker config ${parsed.path} is not valid base64. Run docker login again for it.`,
    );
    expect(bad.message).not.toContain(SECRET);
    const noColon = await rejection(lookupDockerCredential(parsed, 'nocolon.example.com', { env }));
    expect(noColon.message).toContain('is not "username:password" in base64');
    expect((await lookupDockerCredential(parsed, 'good.example.com', { env }))?.credential).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    });
  });

  it('asks only the helper for a host with a helper, as Docker does', async () => {
    await helper(
      'nothing',
      `[ "$1" = get ] && { echo "credentials not found in native keychain"; exit 1; }; echo '{}'`,
    );
    const parsed = await readDockerConfig(
      await config({
        auths: { 'h.example.com': { auth: b64('file:ignored') } },
        credHelpers: { 'h.example.com': 'nothing' },
      }),
    );
    expect(await lookupDockerCredential(parsed, 'h.example.com', { env })).toBeUndefined();
  });

  it('reports a helper that exits non-zero, with its words', async () => {
    await helper('broken', 'echo "error getting credentials: the vault is sealed"; exit 3');
    const parsed = await readDockerConfig(await config({ credsStore: 'broken' }));
    const error = await rejection(lookupDockerCredential(parsed, 'any.example.com', { env }));
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      'docker-credential-broken get exited with code 3: error getting credentials: the vault is sealed',
    );
  });

  it('reports a helper that prints garbage, without repeating it', async () => {
    await helper('garbage', `echo 'Username=alice Secret=${SECRET}'`);
    const parsed = await readDockerConfig(await config({ credHelpers: { 'g.example.com': 'garbage' } }));
    const error = await rejection(lookupDockerCredential(parsed, 'g.example.com', { env }));
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      'docker-credential-garbage get answered with something that is not a credential (expected JSON with Username and Secret)',
    );
  });

  it('reports a helper that is not installed, and one that never answers', async () => {
    const missing = await readDockerConfig(await config({ credsStore: 'desktop' }));
    const error = await rejection(lookupDockerCredential(missing, 'x.example.com', { env }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(
      'The Docker config names the credential helper "desktop", but docker-credential-desktop is not on PATH',
    );

    await helper('slow', 'sleep 30');
    const slow = await readDockerConfig(await config({ credsStore: 'slow' }));
    const started = Date.now();
    const timeout = await rejection(lookupDockerCredential(slow, 'x.example.com', { env, timeoutMs: 300 }));
    expect(timeout.code).toBe('timeout');
    expect(timeout.message).toBe('docker-credential-slow get did not answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses helper names that are not names', async () => {
    const parsed = await readDockerConfig(await config({ credsStore: '../../bin/sh' }));
    const error = await rejection(lookupDockerCredential(parsed, 'x.example.com', { env }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('is not a credential helper name');
  });

  it('lists the hosts with logins, with usernames known without reading secrets', async () => {
    await helper(
      'lister',
      `[ "$1" = list ] && { echo '{"https://index.docker.io/v1/":"hubber","https://Store.example.com":"stu"}'; exit 0; }; exit 1`,
    );
    const parsed = await readDockerConfig(
      await config({
        auths: {
          '127.0.0.1:5000': { auth: b64('alice:x') },
          'marker.example.com': {},
          'https://index.docker.io/v1/': {},
        },
        credsStore: 'lister',
        credHelpers: { 'ecr.example.com': 'lister' },
      }),
    );
    // With a credsStore every host goes through it; the `{}` markers are hosts the store has logins for.
    expect(await listDockerHosts(parsed, { env })).toEqual([
      { host: '127.0.0.1:5000', source: 'credential-helper' },
      { host: 'docker.io', source: 'credential-helper', username: 'hubber' },
      { host: 'ecr.example.com', source: 'credential-helper' },
      { host: 'marker.example.com', source: 'credential-helper' },
      { host: 'store.example.com', source: 'credential-helper', username: 'stu' },
    ]);
    const plain = await readDockerConfig(
      await config({ auths: { '127.0.0.1:5000': { auth: b64('alice:x') }, 'marker.example.com': {} } }),
    );
    expect(await listDockerHosts(plain, { env })).toEqual([
      { host: '127.0.0.1:5000', source: 'docker-config', username: 'alice' },
    ]);
  });
});
