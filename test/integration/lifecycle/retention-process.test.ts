/**
 * Retention as separate `berth` processes: policies stored with `berth retention set` and listed with
 * `berth retention policies`, each repository of a namespace planned (and recorded) with its own stored
 * policy, and `berth retention apply` killed with SIGKILL mid-apply, then run again: it completes the plan
 * and touches nothing outside it. The kill lands mid-apply because the registry answers deletes slowly (a
 * proxy that holds each DELETE 400 ms, as a loaded registry does); the test waits until the registry shows
 * at least one deletion before killing.
 */
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RetentionPlan } from '../../../src/shared/types/deletion';
import { ensureCliBuilt, runCli } from '../../env/cli';
import { makeTempDir } from '../../env/process';
import { startRegistry, type RunningRegistry } from '../../env/registry';
import { tagDigest } from '../promotion/harness';
import { pushImage, registryTags } from './delete-support';

let dir: string;
let env: NodeJS.ProcessEnv;
let own: RunningRegistry;
let slow: { host: string; close(): Promise<void> };
const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

/** Forwards everything to the registry; each DELETE is held `delayMs` before it is forwarded. */
async function startSlowDeletes(upstream: { host: string }, delayMs: number) {
  const [upstreamHost, upstreamPort] = upstream.host.split(':') as [string, string];
  const server: Server = createServer((incoming, outgoing) => {
    const forward = () => {
      const sent = request(
        {
          host: upstreamHost,
          port: Number(upstreamPort),
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      sent.on('error', () => outgoing.destroy());
      incoming.pipe(sent);
    };
    if (incoming.method === 'DELETE') setTimeout(forward, delayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  [dir, own] = await Promise.all([makeTempDir('berth-retention-process-'), startRegistry()]);
  slow = await startSlowDeletes(own, 400);
  env = { HOME: dir, BERTH_CONFIG_DIR: join(dir, 'config'), DOCKER_CONFIG: join(dir, 'docker') };
});
afterAll(async () => {
  await Promise.all([rm(dir, { recursive: true, force: true }), own?.dispose(), slow?.close()]);
});

const berth = (...args: string[]) => runCli(args, { env });

describe('stored retention policies', () => {
  it('are set and listed by the CLI, and each repository of a namespace is planned with its own', async () => {
    const target = { host: own.host };
    for (const [name, age] of [
      ['1', 30],
      ['2', 20],
      ['3', 10],
    ] as const) {
      await pushImage(target, 'pol/a', [name], { created: days(age) });
      await pushImage(target, 'pol/b', [name], { created: days(age) });
    }
    const bad = await berth('retention', 'set', `${own.host}/pol/a`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--clear');
    const notScope = await berth('retention', 'set', 'pol', '--keep-last', '1');
    expect(notScope.code).toBe(1);
    expect(notScope.stderr).toContain('not "pol"');
    expect((await berth('retention', 'set', `${own.host}/pol/a`, '--keep-last', '1')).code).toBe(0);
    expect((await berth('retention', 'set', `${own.host}/pol/b`, '--keep-last', '2')).code).toBe(0);
    expect((await berth('retention', 'set', `${own.host}/pol/c`, '--newer-than', '3')).code).toBe(0);
    expect((await berth('retention', 'set', `${own.host}/pol/c`, '--clear')).code).toBe(0);
    const listed = await berth('retention', 'policies', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      { scope: `${own.host}/pol/a`, policy: { keepLast: 1 } },
      { scope: `${own.host}/pol/b`, policy: { keepLast: 2 } },
    ]);
    expect((await berth('retention', 'policies')).stdout).toContain(`${own.host}/pol/b  --keep-last 2`);

    const planned = await berth('retention', 'plan', `${own.host}/pol/`, '--json');
    expect(planned.stderr).toBe('');
    const plan = JSON.parse(planned.stdout) as RetentionPlan;
    expect(plan.repositoryPolicies).toEqual([
      { repository: 'pol/a', policy: { keepLast: 1 } },
      { repository: 'pol/b', policy: { keepLast: 2 } },
    ]);
    expect(plan.delete.map((entry) => `${entry.repository}:${entry.tag}`).sort()).toEqual([
      'pol/a:1',
      'pol/a:2',
      'pol/b:1',
    ]);
  });
});

describe('berth retention apply killed mid-apply', () => {
  it('run again, completes the plan and touches nothing outside it', async () => {
    ensureCliBuilt();
    const target = { host: own.host };
    const images = [];
    for (let i = 0; i < 12; i++)
      images.push(await pushImage(target, 'kill/app', [`v${i}`], { created: days(100 - i) }));
    const bystander = await pushImage(target, 'kill/other', ['v0'], { created: days(200) });
    const file = join(dir, 'kill-plan.json');
    const planned = await berth('retention', 'plan', `${slow.host}/kill/app`, '--keep-last', '2', '--out', file);
    expect(planned.code).toBe(0);
    const before = await registryTags(own, 'kill/app');
    expect(before).toHaveLength(12);

    const child = spawn(process.execPath, ['bin/berth.mjs', 'retention', 'apply', file, '--json'], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    // Poll the registry itself until at least one deletion has happened, then kill without warning.
    for (;;) {
      if ((await registryTags(own, 'kill/app')).length < 12) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const midway = await registryTags(own, 'kill/app');
    expect(midway.length).toBeLessThan(12);
    expect(midway.length).toBeGreaterThan(2);

    const rerun = await berth('retention', 'apply', file, '--json');
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    const result = JSON.parse(rerun.stdout) as { deletedDigests: string[]; alreadyGone: string[] };
    expect(result.alreadyGone.length).toBeGreaterThan(0);
    expect(result.deletedDigests.length + result.alreadyGone.length).toBe(10);
    expect(await registryTags(own, 'kill/app')).toEqual(['v10', 'v11']);
    expect(await tagDigest(own, 'kill/app', 'v11')).toBe(images[11]!.digest);
    expect(await registryTags(own, 'kill/other')).toEqual(['v0']);
    expect(await tagDigest(own, 'kill/other', 'v0')).toBe(bystander.digest);
    // A plan file edited after the kill is not "completed": its hash no longer matches.
    const edited = JSON.parse(await readFile(file, 'utf8')) as RetentionPlan;
    edited.delete.push({ ...edited.delete[0]!, tag: 'v11' });
    await writeFile(file, JSON.stringify(edited));
    expect((await berth('retention', 'apply', file)).code).toBe(1);
    expect(await registryTags(own, 'kill/app')).toEqual(['v10', 'v11']);
  });
});
