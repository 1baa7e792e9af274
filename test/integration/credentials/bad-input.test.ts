/**
 * Broken inputs around credentials: each gives a clear error (code and message), no crash, and nothing lost.
 * The broken credential helpers are shell scripts playing a broken peer; everything else is real.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import { createSessionSecretStore } from '../../../src/main/credentials/secret-store';
import type { RequestInput, RequestName, RequestResult } from '../../../src/shared/contract';
import type { ErrorData } from '../../../src/shared/errors';
import { runCli } from '../../env/cli';
import { SEED } from '../../env/seed';

const world = inject('world');
const alice = world.basic.users[0]!;
const SECRET_IN_FILE = 'this-is-a-secret-in-the-file';

let home: string;
let backend: Backend | undefined;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-bad-input-'));
  await mkdir(join(home, 'bin'));
});

afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function env(profile: string): NodeJS.ProcessEnv {
  return {
    HOME: home,
    PATH: `${join(home, 'bin')}:${process.env.PATH}`,
    BERTH_CONFIG_DIR: join(home, profile, 'berth'),
    DOCKER_CONFIG: join(home, profile, 'docker'),
  };
}

async function open(profile: string, dockerConfig?: string): Promise<Backend> {
  if (dockerConfig !== undefined) {
    await mkdir(join(home, profile, 'docker'), { recursive: true });
    await writeFile(join(home, profile, 'docker', 'config.json'), dockerConfig);
  }
  backend = await createBackend({ transport: 'cli', env: env(profile), secrets: createSessionSecretStore() });
  return backend;
}

async function call<K extends RequestName>(name: K, input: RequestInput<K>) {
  return (await backend!.dispatcher.call(name, input, () => undefined)) as
    { ok: true; value: RequestResult<K> } | { ok: false; error: ErrorData };
}

async function helperScript(name: string, body: string): Promise<void> {
  const path = join(home, 'bin', `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

const listTags = (registryId: string) => call('registry.listTags', { registryId, repository: SEED.devApp.repository });
const basicAuth = Buffer.from(`${alice.username}:${alice.password}`).toString('base64');

describe('bad input', () => {
  it('a Docker config.json that is not JSON: a clear error where it matters, the file untouched', async () => {
    const text = `{"auths": {"${world.basic.host}": {"auth": "${basicAuth}"}}, "credsStore": ${SECRET_IN_FILE}}`;
    const profile = 'not-json';
    await open(profile, text);
    const file = join(home, profile, 'docker', 'config.json');
    const outcome = await listTags(world.basic.host);
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'config_invalid',
        message: expect.stringMatching(new RegExp(`^Your Docker config ${file} is not valid JSON`)),
      },
    });
    expect(JSON.stringify(outcome)).not.toContain(SECRET_IN_FILE);
    // Listing still works and says what is wrong.
    await call('registries.add', { host: world.basic.host });
    const listed = await call('registries.list', {});
    expect(listed.ok && listed.value[0]!.credential).toMatchObject({
      source: 'docker-config',
      problem: { code: 'config_invalid' },
    });
    const candidates = await call('registries.dockerCandidates', {});
    expect(!candidates.ok && candidates.error.code).toBe('config_invalid');
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('an auth that is not base64: that registry reports it, the others keep working', async () => {
    const profile = 'bad-base64';
    await open(
      profile,
      JSON.stringify({
        auths: {
          [world.basic.host]: { auth: `${SECRET_IN_FILE}%%` },
          [world.token.host]: {
            auth: Buffer.from(`${world.token.users[0]!.username}:${world.token.users[0]!.password}`).toString('base64'),
          },
        },
      }),
    );
    const outcome = await listTags(world.basic.host);
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'config_invalid',
        message: `The auth value in the "${world.basic.host}" entry of auths in your Docker config ${join(home, profile, 'docker', 'config.json')} is not valid base64. Run docker login again for it.`,
      },
    });
    expect((await listTags(world.token.host)).ok).toBe(true);
  });

  it('a helper that exits non-zero, and one that prints garbage: clear errors, other registries unaffected', async () => {
    await helperScript('failing', 'echo "pass store is locked: gpg: decryption failed: No secret key"; exit 1');
    await helperScript('garbage', `echo "<html>${SECRET_IN_FILE}</html>"`);
    await open(
      'helpers',
      JSON.stringify({ credHelpers: { [world.basic.host]: 'failing', [world.token.host]: 'garbage' } }),
    );
    expect(await listTags(world.basic.host)).toEqual({
      ok: false,
      error: {
        code: 'bad_response',
        message:
          'docker-credential-failing get exited with code 1: pass store is locked: gpg: decryption failed: No secret key',
        details: { helper: 'docker-credential-failing' },
      },
    });
    const garbage = await listTags(world.token.host);
    expect(garbage).toEqual({
      ok: false,
      error: {
        code: 'bad_response',
        message:
          'docker-credential-garbage get answered with something that is not a credential (expected JSON with Username and Secret)',
        details: { helper: 'docker-credential-garbage' },
      },
    });
    expect((await listTags(world.anonymous.host)).ok).toBe(true);
    await call('registries.add', { host: world.token.host });
    const listed = await call('registries.list', {});
    expect(listed.ok && listed.value[0]!.credential).toMatchObject({
      source: 'credential-helper',
      problem: { code: 'bad_response' },
    });
  });

  it('a corrupt settings file: every request says so, nothing overwrites it, and a fixed file works again', async () => {
    const profile = 'corrupt-settings';
    const settingsFile = join(home, profile, 'berth', 'settings.json');
    await mkdir(join(home, profile, 'berth'), { recursive: true });
    const text = '{"version": 1, "registries": [{"host": "ghcr.io"}]';
    await writeFile(settingsFile, text);
    await open(profile);
    for (const outcome of [
      await call('registries.list', {}),
      await call('registries.add', { host: 'quay.io' }),
      await call('credentials.set', { registryId: world.basic.host, username: alice.username, secret: alice.password }),
    ]) {
      expect(outcome).toMatchObject({
        ok: false,
        error: {
          code: 'config_invalid',
          message: expect.stringContaining(`Berth's settings file ${settingsFile} is not valid JSON`),
        },
      });
    }
    expect(await readFile(settingsFile, 'utf8')).toBe(text);

    // The CLI: exit 1 with the message, no stack trace, the file untouched. (Not `berth login`: without a
    // keychain in this environment it stops earlier, see cli.test.ts.)
    const cli = await runCli(['registries', 'add', 'quay.io'], { env: env(profile) });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(
      /^berth: Berth's settings file .* is not valid JSON( near line \d+, column \d+| \(it ends too early\))?\n$/,
    );
    expect(await readFile(settingsFile, 'utf8')).toBe(text);

    await writeFile(settingsFile, JSON.stringify({ version: 1, registries: [] }));
    expect(await call('registries.list', {})).toEqual({ ok: true, value: [] });
  });
});
