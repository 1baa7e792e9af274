/** `berth docker ...` as users run it (the built CLI, a child process) against the test world's engine. */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../../env/cli';
import { pushScratchImage, shortId, type ScratchImage } from './scratch-image';

const world = inject('world');
const namespace = `scratch/docker-cli-${randomBytes(4).toString('hex')}`;
const MB = 1024 * 1024;
const ESC = '\x1b';
const repoRoot = join(__dirname, '..', '..', '..');

let home: string;
let image: ScratchImage;
/** Pulled only by the terminal test, so that it has layers to show. */
let ttyImage: ScratchImage;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-docker-cli-'));
  env = {
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'config'),
    DOCKER_CONFIG: join(home, 'docker-config'),
    DOCKER_HOST: world.dockerd.host,
    // No keychain for these runs: nothing here needs a stored credential.
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-bus')}`,
  };
  [image, ttyImage] = await Promise.all([
    pushScratchImage({ host: world.anonymous.host }, `${namespace}/app`, '1.0', [2 * MB, 3 * MB]),
    pushScratchImage({ host: world.anonymous.host }, `${namespace}/tty`, '1.0', [4 * MB, 4 * MB]),
  ]);
});

afterAll(async () => {
  await runCli(['docker', 'rm', image.ref], { env });
  await runCli(['docker', 'rm', ttyImage.ref], { env });
  await rm(home, { recursive: true, force: true });
});

describe('berth docker (not a terminal)', () => {
  it('pulls with plain progress lines, then says what it pulled', async () => {
    const result = await runCli(['docker', 'pull', image.ref], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`Pulled ${image.ref} digest ${image.digest}`);
    for (const layer of image.layers) expect(lines).toContain(`${shortId(layer.digest)} Pull complete`);
  });

  it('lists images as a table, and as JSON with --json', async () => {
    const table = await runCli(['docker', 'images'], { env });
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(
      rows.some((row) =>
        new RegExp(`^${world.anonymous.host}/${namespace}/app\\s+1\\.0\\s+[a-f0-9]{12}\\s+\\S.*\\s+5\\.\\d MB$`).test(
          row,
        ),
      ),
    ).toBe(true);

    const json = await runCli(['docker', 'images', '--json'], { env });
    expect(json.code).toBe(0);
    const images = JSON.parse(json.stdout) as Record<string, unknown>[];
    const entry = images.find((candidate) => (candidate.repoTags as string[]).includes(image.ref));
    expect(Object.keys(entry ?? {}).sort()).toEqual(['created', 'id', 'repoDigests', 'repoTags', 'size']);
    expect(entry?.repoDigests).toContain(`${world.anonymous.host}/${image.repository}@${image.digest}`);
  });

  it('tags and pushes', async () => {
    const target = `${world.anonymous.host}/${namespace}/copy:2.0`;
    const tagged = await runCli(['docker', 'tag', image.ref, target], { env });
    expect(tagged).toMatchObject({ code: 0, stdout: `Tagged ${image.ref} as ${target}\n` });
    const pushed = await runCli(['docker', 'push', target], { env });
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect(pushed.stdout.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^Pushed ${target.replace(/\./g, '\\.')} digest sha256:[a-f0-9]{64}$`),
    );
    expect(await runCli(['docker', 'rm', target], { env })).toMatchObject({ code: 0 });
  });

  it('fails a push without credentials with the clear message, exit 1', async () => {
    const target = `${world.basic.host}/${namespace}/app:1.0`;
    await runCli(['docker', 'tag', image.ref, target], { env });
    const result = await runCli(['docker', 'push', target], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `berth: Berth has no credentials for ${world.basic.host}, and it requires them to push ${target}. Add them in Berth (Registries, sign in) or with \`docker login ${world.basic.host}\`, then push again.\n`,
    );
    await runCli(['docker', 'rm', target], { env });
  });

  it('refuses a bad name (exit 1) and a missing argument (exit 2)', async () => {
    const bad = await runCli(['docker', 'pull', 'Team/App'], { env });
    expect(bad).toMatchObject({
      code: 1,
      stderr: 'berth: "Team/App" is not a valid image reference: repository names must be lower-case\n',
    });
    const missing = await runCli(['docker', 'pull'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/usage: berth docker pull REF/);
  });

  it('says which engine it uses, and when there is none', async () => {
    const shown = await runCli(['docker', 'engine'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      new RegExp(`^Engine:  ${world.dockerd.host}\nSource:  DOCKER_HOST\nStatus:  running, Docker Engine 20\\.10\\.`),
    );
    const absent = join(home, 'absent.sock');
    const none = await runCli(['docker', 'images'], { env: { ...env, DOCKER_HOST: `unix://${absent}` } });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      new RegExp(`^berth: No Docker engine at unix://${absent}: the socket ${absent} does not exist\\. Start it with`),
    );
  });

  it('names the docker group when the socket refuses the user', async () => {
    ensureCliBuilt();
    // The test machines run as root, which no socket refuses: run the CLI as `nobody`, outside the docker group.
    const nobodyHome = await mkdtemp(join(tmpdir(), 'berth-docker-nobody-'));
    await chmod(nobodyHome, 0o777);
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'bin/berth.mjs', 'docker', 'images'],
          {
            cwd: repoRoot,
            env: {
              PATH: process.env.PATH,
              HOME: nobodyHome,
              BERTH_CONFIG_DIR: join(nobodyHome, 'config'),
              DOCKER_HOST: world.dockerd.host,
            },
            timeout: 60_000,
          },
          (error, out, err) =>
            resolve({
              code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
              stdout: out,
              stderr: err,
            }),
        );
      },
    );
    await rm(nobodyHome, { recursive: true, force: true });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      `berth: Permission denied on ${world.dockerd.socketPath}. Add your user to the docker group (\`sudo usermod -aG docker $USER\`), then log out and back in; or choose a rootless engine.\n`,
    );
  });

  it('keeps the engine chosen with `docker engine HOST`, until --reset', async () => {
    const configDir = join(home, 'config-choice');
    const chooser = { ...env, BERTH_CONFIG_DIR: configDir, DOCKER_HOST: '' };
    const chosen = await runCli(['docker', 'engine', world.dockerd.host, '--json'], { env: chooser });
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.stdout)).toMatchObject({ host: world.dockerd.host, source: 'user', reachable: true });
    const later = JSON.parse((await runCli(['docker', 'engine', '--json'], { env: chooser })).stdout);
    expect(later).toMatchObject({ host: world.dockerd.host, source: 'user' });
    const reset = JSON.parse((await runCli(['docker', 'engine', '--reset', '--json'], { env: chooser })).stdout);
    expect(reset.source).not.toBe('user');
    const refused = await runCli(['docker', 'engine', 'ftp://nope'], { env: chooser });
    expect(refused).toMatchObject({
      code: 1,
      stderr: 'berth: "ftp://nope" is not a Docker host: unknown scheme "ftp://"; use unix://, npipe:// or tcp://\n',
    });
  });

  it('chooses a plain-TCP remote engine only with --allow-insecure-remote', async () => {
    const chooser = { ...env, BERTH_CONFIG_DIR: join(home, 'config-insecure'), DOCKER_HOST: '' };
    // 0.0.0.0 is not a loopback address to Berth, yet Linux connects it to this machine: nothing leaves it.
    // Port 9 (discard) has no listener here, so the chosen engine is simply unreachable.
    const remote = 'tcp://0.0.0.0:9';
    const refused = await runCli(['docker', 'engine', remote], { env: chooser });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('remote Docker engine over plain TCP');
    expect(refused.stderr).toContain('--allow-insecure-remote');
    expect(JSON.parse((await runCli(['docker', 'engine', '--json'], { env: chooser })).stdout).source).not.toBe('user');
    const chosen = await runCli(['docker', 'engine', remote, '--allow-insecure-remote', '--json'], { env: chooser });
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.stdout)).toMatchObject({ host: remote, source: 'user', reachable: false });
    expect(await runCli(['docker', 'engine', '--allow-insecure-remote'], { env: chooser })).toMatchObject({ code: 2 });
  });
});

describe('berth docker pull on a terminal', () => {
  it('draws per-layer progress bars in place', async () => {
    ensureCliBuilt();
    const command = `${process.execPath} bin/berth.mjs docker pull ${ttyImage.ref}`;
    // `script` gives the CLI a pseudo-terminal, as a person's shell would.
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    expect(stdout).toContain(`${ESC}[2K`);
    expect(stdout).toMatch(/\[=+\]/);
    for (const layer of ttyImage.layers) expect(stdout).toContain(`${shortId(layer.digest)} Pull complete`);
    expect(stdout.trimEnd().split(/\r?\n/).at(-1)).toBe(`Pulled ${ttyImage.ref} digest ${ttyImage.digest}`);
  });
});
