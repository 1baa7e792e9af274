/**
 * `berth rm` and `berth retention plan|apply` as users run them (node bin/berth.mjs): the JSON shapes the
 * issue promises, --dry-run and a missing --yes without a terminal change nothing, a saved plan applies
 * exactly, and a plan the registry no longer matches exits 1 with nothing changed.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../../env/cli';
import { makeTempDir, run } from '../../env/process';
import { startRegistry, type RunningRegistry } from '../../env/registry';
import { tagDigest, uniqueName } from '../promotion/harness';
import { pushImage, registryTags } from './delete-support';

const world = inject('world');
const registry = world.anonymous;
let dir: string;
let env: NodeJS.ProcessEnv;
let own: RunningRegistry;

beforeAll(async () => {
  [dir, own] = await Promise.all([makeTempDir('berth-rm-cli-'), startRegistry()]);
  env = { HOME: dir, BERTH_CONFIG_DIR: join(dir, 'config'), DOCKER_CONFIG: join(dir, 'docker') };
});
afterAll(async () => {
  await Promise.all([rm(dir, { recursive: true, force: true }), own?.dispose()]);
});

const berth = (...args: string[]) => runCli(args, { env });

describe('berth rm', () => {
  it('without a terminal it needs --yes, and --dry-run changes nothing', async () => {
    const repository = `${uniqueName('scratch')}/rm`;
    const image = await pushImage({ host: registry.host }, repository, ['1', '2']);
    const refused = await berth('rm', `${registry.host}/${repository}:1`);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const dry = await berth('rm', `${registry.host}/${repository}:1`, '--digest', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      untagged: [],
      deletedDigests: [`${registry.host}/${repository}@${image.digest}`],
      alsoRemovedTags: [`${registry.host}/${repository}:1`, `${registry.host}/${repository}:2`],
      orphanedReferrers: [],
      dryRun: true,
    });
    expect(await registryTags(registry, repository)).toEqual(['1', '2']);
  });

  it('--yes --json untags one tag, or deletes a digest with every tag on it', async () => {
    const repository = `${uniqueName('scratch')}/rm`;
    const image = await pushImage({ host: registry.host }, repository, ['a', 'b']);
    const other = await pushImage({ host: registry.host }, repository, ['x', 'y']);
    const untag = await berth('rm', `${registry.host}/${repository}:a`, '--yes', '--json');
    expect(untag.stderr).toBe('');
    expect(untag.code).toBe(0);
    const untagged = JSON.parse(untag.stdout) as Record<string, unknown>;
    expect(untagged).toEqual({
      untagged: [`${registry.host}/${repository}:a`],
      deletedDigests: [],
      alsoRemovedTags: [],
      orphanedReferrers: [],
      removedReferrers: [],
      alreadyGone: [],
    });
    expect(await tagDigest(registry, repository, 'b')).toBe(image.digest);
    const deleted = await berth('rm', `${registry.host}/${repository}:x`, '--digest', '--yes', '--json');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({
      deletedDigests: [`${registry.host}/${repository}@${other.digest}`],
      alsoRemovedTags: [`${registry.host}/${repository}:x`, `${registry.host}/${repository}:y`],
    });
    expect(await registryTags(registry, repository)).toEqual(['b']);
  });

  it('on a terminal it shows the blast radius and asks; only "y" removes', async () => {
    const repository = `${uniqueName('scratch')}/rm`;
    await pushImage({ host: registry.host }, repository, ['1', 'alias']);
    // `script` gives the command a real terminal (a pty) for stdin and stdout, as a person's shell does.
    ensureCliBuilt();
    const onTerminal = (answer: string) =>
      run(
        'script',
        ['-q', '-c', `${process.execPath} bin/berth.mjs rm ${registry.host}/${repository}:1 --digest`, '/dev/null'],
        { env: { ...process.env, ...env }, cwd: process.cwd(), input: answer, timeoutMs: 60_000 },
      );
    const declined = await onTerminal('n\n');
    expect(declined.stdout).toContain('tags removed with it: 1, alias');
    expect(declined.stdout).toContain('Remove all of the above? [y/N]');
    expect(declined.stdout).toContain('Nothing removed.');
    expect(await registryTags(registry, repository)).toEqual(['1', 'alias']);
    const accepted = await onTerminal('y\n');
    expect(accepted.stdout).toContain('Deleted ');
    expect(await registryTags(registry, repository)).toEqual([]);
  });

  it('a reference that does not exist fails with its name', async () => {
    const run = await berth('rm', `${registry.host}/${uniqueName('scratch')}/none:1`, '--yes');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^berth: .*(does not exist|not found|unknown)/im);
  });
});

describe('berth retention', () => {
  it('plan --out then apply applies exactly; a plan the registry no longer matches exits 1 changing nothing', async () => {
    const target = { host: own.host };
    const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    await pushImage(target, 'svc/api', ['1.0.0'], { created: days(30) });
    const second = await pushImage(target, 'svc/api', ['1.1.0'], { created: days(20) });
    await pushImage(target, 'svc/api', ['1.2.0', 'latest'], { created: days(10) });
    const file = join(dir, 'plan.json');
    const plan = await berth('retention', 'plan', `${own.host}/svc/`, '--keep-last', '1', '--json', '--out', file);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const parsed = JSON.parse(plan.stdout) as {
      keep: { tag: string; rule: string }[];
      delete: { tag: string; digest: string; action: string; rule: string }[];
      bytesFreed: number;
      planHash: string;
    };
    expect(parsed.keep.map((entry) => entry.tag).sort()).toEqual(['1.2.0', 'latest']);
    expect(
      parsed.delete.map(({ tag, action }) => ({ tag, action })).sort((a, b) => a.tag.localeCompare(b.tag)),
    ).toEqual([
      { tag: '1.0.0', action: 'delete' },
      { tag: '1.1.0', action: 'delete' },
    ]);
    expect(parsed.bytesFreed).toBeGreaterThan(0);
    expect(parsed.planHash).toMatch(/^sha256:/);

    // 1.1.0 moves after the plan: apply refuses and changes nothing.
    await pushImage(target, 'svc/api', ['1.1.0'], { created: days(1) });
    const refused = await berth('retention', 'apply', file, '--json');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no longer matches the plan');
    expect(await registryTags(own, 'svc/api')).toEqual(['1.0.0', '1.1.0', '1.2.0', 'latest']);
    expect(await tagDigest(own, 'svc/api', '1.1.0')).not.toBe(second.digest);

    const fresh = await berth('retention', 'plan', `${own.host}/svc/api`, '--keep-last', '2', '--out', file);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('delete  svc/api:1.0.0');
    const applied = await berth('retention', 'apply', file, '--json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ deletedDigests: [expect.stringContaining('svc/api@sha256:')] });
    expect(await registryTags(own, 'svc/api')).toEqual(['1.1.0', '1.2.0', 'latest']);
  });

  it('bad input is a usage error or a clear refusal', async () => {
    const count = await berth('retention', 'plan', `${own.host}/svc/api`, '--keep-last', 'many');
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('--keep-last takes a number');
    const none = await berth('retention', 'plan', `${own.host}/svc/api`);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No retention rule');
    const missing = await berth('retention', 'apply', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });
});
