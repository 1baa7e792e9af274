/**
 * Real image builds on the world's dockerd, as a team's CI makes them: the legacy builder
 * (`DOCKER_BUILDKIT=0`) with `--network none`, `FROM` one another, pushed to a world registry. The root is
 * a tiny rootfs of this machine's dash and libc (`docker import`), so RUN steps have a shell.
 */
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../env/process';

const LIBS = '/usr/lib/x86_64-linux-gnu';

export class Builder {
  constructor(private readonly dockerHost: string) {}

  private docker(args: string[], options: { cwd?: string; input?: string } = {}) {
    return run('docker', ['-H', this.dockerHost, ...args], {
      env: { ...process.env, DOCKER_BUILDKIT: '0', DOCKER_CONFIG: join(tmpdir(), 'berth-lineage-no-docker-config') },
      timeoutMs: 180_000,
      ...options,
    });
  }

  /** `tag`: a one-layer image holding /bin/sh (dash) and the libraries it needs. */
  async importRoot(tag: string): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'berth-lineage-root-'));
    try {
      await mkdir(join(dir, 'usr', 'bin'), { recursive: true });
      await mkdir(join(dir, 'usr', 'lib64'), { recursive: true });
      await mkdir(join(dir, 'usr', LIBS.slice('/usr/'.length)), { recursive: true });
      await mkdir(join(dir, 'etc'));
      await mkdir(join(dir, 'tmp'));
      await copyFile('/usr/bin/dash', join(dir, 'usr', 'bin', 'dash'));
      await symlink('dash', join(dir, 'usr', 'bin', 'sh'));
      for (const lib of ['libc.so.6', 'ld-linux-x86-64.so.2']) await copyFile(join(LIBS, lib), join(dir, LIBS, lib));
      await symlink(join(LIBS, 'ld-linux-x86-64.so.2'), join(dir, 'usr', 'lib64', 'ld-linux-x86-64.so.2'));
      for (const name of ['bin', 'lib', 'lib64']) await symlink(`usr/${name}`, join(dir, name));
      const tar = (await run('tar', ['-C', dir, '-c', '.'])).stdoutBuffer;
      await run('docker', ['-H', this.dockerHost, 'import', '-', tag], { input: tar, timeoutMs: 60_000 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `docker build --network none -t tag` of this Dockerfile (and files beside it). */
  async build(tag: string, dockerfile: string, files: Record<string, string> = {}): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'berth-lineage-build-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), dockerfile);
      for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
      await this.docker(['build', '--network', 'none', '-t', tag, dir]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Pushes and returns the manifest digest the registry stored. */
  async push(tag: string): Promise<string> {
    const { stdout } = await this.docker(['push', tag]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(stdout)?.[1];
    if (!digest) throw new Error(`docker push ${tag} printed no digest:\n${stdout}`);
    return digest;
  }

  async buildAndPush(tag: string, dockerfile: string, files?: Record<string, string>): Promise<string> {
    await this.build(tag, dockerfile, files);
    return this.push(tag);
  }
}
