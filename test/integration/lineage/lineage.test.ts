/**
 * `berth base`, `berth dependents` and `berth stale` as users run them (the built CLI, one cache folder, so
 * the registry index persists between commands as it does on a machine), on images built by the world's
 * dockerd and pushed to the world's anonymous registry, and on images seeded with base annotations,
 * re-compressed layers and a multi-arch index.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend } from '../../../src/main/api/backend';
import type { OperationProgress } from '../../../src/shared/types/operations';
import type { DependentsResult, ImageLineage, PlatformLineage, StaleResult } from '../../../src/shared/types/lineage';
import { runCli } from '../../env/cli';
import { BASE_DIGEST, BASE_NAME, pushIndex, pushLayeredImage, type SeededImage } from '../../env/lineage-images';
import { readRequestLog } from '../../env/registry';
import { Builder } from './builds';

const world = inject('world');
const host = world.anonymous.host;
const target = { host };
let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-lineage-'));
  env = {
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'config'),
    BERTH_CACHE_DIR: join(home, 'cache'),
    DOCKER_CONFIG: join(home, 'docker'),
    DBUS_SESSION_BUS_ADDRESS: '',
  };
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const berth = (...args: string[]) => runCli(args, { env, timeoutMs: 120_000 });

async function json<T>(...args: string[]): Promise<T> {
  const run = await berth(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

describe('images built FROM one another by dockerd', () => {
  const ns = `scratch/lineage-${randomBytes(4).toString('hex')}`;
  const ref = (name: string) => `${host}/${ns}/${name}`;
  const scope = `${host}/${ns}`;
  const builder = new Builder(world.dockerd.host);
  const digests: Record<string, string> = {};

  beforeAll(async () => {
    await builder.importRoot(ref('root:1'));
    digests.root = await builder.push(ref('root:1'));
    digests.baseOld = await builder.buildAndPush(
      ref('base:1'),
      `FROM ${ref('root:1')}\nRUN echo base-1 > /etc/base-release\n`,
    );
    digests.svcA = await builder.buildAndPush(ref('svc-a:1'), `FROM ${ref('base:1')}\nCOPY a.txt /srv/a.txt\n`, {
      'a.txt': 'service a\n',
    });
    digests.svcB = await builder.buildAndPush(
      ref('svc-b:1'),
      `FROM ${ref('base:1')}\nRUN echo b > /srv-b\nCOPY b.txt /srv/b.txt\n`,
      { 'b.txt': 'service b\n' },
    );
    // ENV and LABEL steps add no layer: the same chain as the base.
    digests.svcEnv = await builder.buildAndPush(ref('svc-env:1'), `FROM ${ref('base:1')}\nENV MODE=env\n`);
  }, 600_000);

  it('lists exactly the images built on base:1 (indexing the scope before the base moves)', async () => {
    const result = await json<DependentsResult>('dependents', ref('base:1'), '--scope', scope);
    expect(result.digest).toBe(digests.baseOld);
    expect(result.dependents.map((dependent) => dependent.reference).sort()).toEqual([
      ref('svc-a:1'),
      ref('svc-b:1'),
      ref('svc-env:1'),
    ]);
    const svcB = result.dependents.find((dependent) => dependent.reference === ref('svc-b:1'))!;
    expect(svcB).toMatchObject({ digest: digests.svcB, sharedLayers: 2, totalLayers: 4, direct: true });
    // root:1 is a base of base:1, not built on it.
    const ofRoot = await json<DependentsResult>('dependents', ref('root:1'), '--scope', scope);
    expect(ofRoot.dependents.map((dependent) => dependent.reference).sort()).toEqual([
      ref('base:1'),
      ref('svc-a:1'),
      ref('svc-b:1'),
      ref('svc-env:1'),
    ]);
    expect(ofRoot.dependents.find((dependent) => dependent.reference === ref('svc-a:1'))!.direct).toBe(false);
    expect(ofRoot.dependents.find((dependent) => dependent.reference === ref('base:1'))!.direct).toBe(true);
  });

  it('reports an ENV-only image as having the same layers as its base', async () => {
    const lineage = await json<ImageLineage>('base', ref('svc-env:1'), '--scope', scope);
    expect(lineage.sameLayersAs).toEqual([ref('base:1')]);
    expect(lineage.base).toMatchObject({ reference: ref('root:1'), digest: digests.root, sharedLayers: 1 });
  });

  describe('after base:1 is rebuilt with a change and pushed to the same tag', () => {
    beforeAll(async () => {
      digests.baseNew = await builder.buildAndPush(
        ref('base:1'),
        `FROM ${ref('root:1')}\nRUN echo base-1-fixed > /etc/base-release\n`,
      );
      digests.svcC = await builder.buildAndPush(ref('svc-c:1'), `FROM ${ref('base:1')}\nCOPY c.txt /srv/c.txt\n`, {
        'c.txt': 'service c\n',
      });
    }, 300_000);

    it('names the old base digest of svc-a:1 and says it is stale', async () => {
      expect(digests.baseNew).not.toBe(digests.baseOld);
      const lineage = await json<ImageLineage>('base', ref('svc-a:1'), '--scope', scope);
      expect(lineage.digest).toBe(digests.svcA);
      expect(lineage.base).toMatchObject({
        reference: ref('base:1'),
        digest: digests.baseOld,
        sharedLayers: 2,
        totalLayers: 3,
      });
      expect(lineage.stale).toBe(true);
      expect(lineage.baseNow?.digest).toBe(digests.baseNew);
      expect(lineage.annotation).toBeNull();
      expect(lineage.chain.map((link) => link.reference)).toEqual([ref('base:1'), ref('root:1')]);
    });

    it('does not call svc-c:1, built after the move, stale', async () => {
      const lineage = await json<ImageLineage>('base', ref('svc-c:1'), '--scope', scope);
      expect(lineage.base).toMatchObject({ reference: ref('base:1'), digest: digests.baseNew, sharedLayers: 2 });
      expect(lineage.stale).toBe(false);
      expect(lineage.baseNow).toBeNull();
    });

    it('lists the stale images of the namespace with the old and new base digests', async () => {
      const result = await json<StaleResult>('stale', '--scope', scope);
      expect(result.stale.map((row) => row.reference).sort()).toEqual([ref('svc-a:1'), ref('svc-b:1')]);
      for (const row of result.stale)
        expect(row).toMatchObject({
          base: ref('base:1'),
          oldBaseDigest: digests.baseOld,
          newBaseDigest: digests.baseNew,
        });
      expect(result.stale[0]!.baseMoved).toMatch(/^\d{4}-\d\d-\d\dT/);
      // The human form names the same.
      const plain = await berth('stale', '--scope', scope);
      expect(plain.stdout).toContain(`${ref('svc-a:1')}  ${ref('base:1')}`);
    });

    it('lists the images built on the new base:1 only', async () => {
      const result = await json<DependentsResult>('dependents', ref('base:1'), '--scope', scope);
      expect(result.dependents.map((dependent) => dependent.reference)).toEqual([ref('svc-c:1')]);
    });
  });
});

describe('seeded images: annotations, re-compressed layers, platforms, incremental refresh', () => {
  const ns = `scratch/lineage-seed-${randomBytes(4).toString('hex')}`;
  const repo = (name: string) => `${ns}/${name}`;
  const scope = `${host}/${ns}`;
  let base: SeededImage;
  let other: SeededImage;

  beforeAll(async () => {
    base = await pushLayeredImage(target, repo('base'), '1', [{ name: 'os' }, { name: 'runtime' }]);
    other = await pushLayeredImage(target, repo('other'), '1', [{ name: 'elsewhere' }]);
    await pushLayeredImage(target, repo('good'), '1', [{ name: 'os' }, { name: 'runtime' }, { name: 'good-app' }], {
      annotations: { [BASE_NAME]: `${host}/${repo('base')}:1`, [BASE_DIGEST]: base.digest },
    });
    // Docker manifests have no annotations: the builder put them in the config's Labels, and they lie.
    await pushLayeredImage(target, repo('liar'), '1', [{ name: 'os' }, { name: 'runtime' }, { name: 'liar-app' }], {
      format: 'docker',
      labels: { [BASE_NAME]: `${host}/${repo('other')}:1`, [BASE_DIGEST]: other.digest },
    });
    // The base's layers again, as zstd: other blob digests, the same diff IDs.
    await pushLayeredImage(target, repo('recompressed'), '1', [
      { name: 'os', compression: 'zstd' },
      { name: 'runtime', compression: 'zstd' },
      { name: 'zstd-app' },
    ]);
    const baseArm = await pushLayeredImage(
      target,
      repo('multi-base'),
      'arm64',
      [{ name: 'os-arm' }, { name: 'rt-arm' }],
      {
        architecture: 'arm64',
        untagged: true,
      },
    );
    // The same bytes as base:1 (so the same digest), stored in this repository too, as its amd64 image.
    const baseAmd = await pushLayeredImage(target, repo('multi-base'), '', [{ name: 'os' }, { name: 'runtime' }], {
      untagged: true,
    });
    expect(baseAmd.digest).toBe(base.digest);
    await pushIndex(target, repo('multi-base'), '1', [
      { image: baseAmd, platform: 'linux/amd64' },
      { image: baseArm, platform: 'linux/arm64' },
    ]);
    const appAmd = await pushLayeredImage(
      target,
      repo('multi-app'),
      'amd64',
      [{ name: 'os' }, { name: 'runtime' }, { name: 'multi-app' }],
      { untagged: true },
    );
    const appArm = await pushLayeredImage(
      target,
      repo('multi-app'),
      'arm64',
      [{ name: 'os-arm' }, { name: 'rt-arm' }, { name: 'multi-app-arm' }],
      { architecture: 'arm64', untagged: true },
    );
    await pushIndex(target, repo('multi-app'), '1', [
      { image: appAmd, platform: 'linux/amd64' },
      { image: appArm, platform: 'linux/arm64' },
    ]);
  });

  it('reads the base annotations and says they agree with the layers', async () => {
    const lineage = await json<ImageLineage>('base', `${host}/${repo('good')}:1`, '--scope', scope);
    expect(lineage.annotation).toEqual({
      name: `${host}/${repo('base')}:1`,
      digest: base.digest,
      source: 'annotations',
    });
    expect(lineage.annotationAgrees).toBe(true);
    expect(lineage.base).toMatchObject({ digest: base.digest, sharedLayers: 2, totalLayers: 3 });
    // base:1 and multi-base:1's amd64 image are the same manifest: both tags are listed.
    expect(lineage.base!.heldBy.map((held) => held.reference).sort()).toEqual([
      `${host}/${repo('base')}:1`,
      `${host}/${repo('multi-base')}:1`,
    ]);
    expect(lineage.stale).toBe(false);
  });

  it('reports an annotation (config Labels) that names another image as a disagreement', async () => {
    const lineage = await json<ImageLineage>('base', `${host}/${repo('liar')}:1`, '--scope', scope);
    expect(lineage.annotation).toEqual({ name: `${host}/${repo('other')}:1`, digest: other.digest, source: 'labels' });
    expect(lineage.annotationAgrees).toBe(false);
    expect(lineage.annotationNote).toContain('not a prefix');
    expect(lineage.base?.digest).toBe(base.digest);
    const plain = await berth('base', `${host}/${repo('liar')}:1`, '--scope', scope);
    expect(plain.stdout).toContain('does NOT agree with the layers');
  });

  it('finds the base of an image whose layers were re-compressed (same diff IDs, other blobs)', async () => {
    const lineage = await json<ImageLineage>('base', `${host}/${repo('recompressed')}:1`, '--scope', scope);
    expect(lineage.base).toMatchObject({ digest: base.digest, sharedLayers: 2, totalLayers: 3 });
  });

  it('detects the base per platform of a multi-arch image', async () => {
    const lineage = await json<ImageLineage>('base', `${host}/${repo('multi-app')}:1`, '--scope', scope);
    const byPlatform: Record<string, PlatformLineage> = Object.fromEntries(
      lineage.platforms.map((platform) => [platform.platform, platform]),
    );
    expect(Object.keys(byPlatform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(byPlatform['linux/arm64']!.base).toMatchObject({
      reference: `${host}/${repo('multi-base')}:1`,
      sharedLayers: 2,
      totalLayers: 3,
    });
    // amd64's base is the image both base:1 and multi-base:1 point at (directly or as a platform).
    expect(byPlatform['linux/amd64']!.base!.heldBy.map((held) => held.reference)).toContain(
      `${host}/${repo('multi-base')}:1`,
    );
  });

  it('refreshes incrementally: one new tag costs one manifest GET, the other tags a HEAD each', async () => {
    await json<DependentsResult>('dependents', `${host}/${repo('base')}:1`, '--scope', scope);
    const ours = async () =>
      (await readRequestLog(world.anonymous.accessLogFile)).filter((entry) => entry.path.startsWith(`/v2/${ns}/`));
    const before = (await ours()).length;
    await pushLayeredImage(target, repo('late'), '1', [{ name: 'os' }, { name: 'runtime' }, { name: 'late-app' }]);
    const result = await json<DependentsResult>('dependents', `${host}/${repo('base')}:1`, '--scope', scope);
    expect(result.dependents.map((dependent) => dependent.reference)).toContain(`${host}/${repo('late')}:1`);
    const log = (await ours()).slice(before);
    const manifestGets = log.filter((entry) => entry.method === 'GET' && entry.path.includes('/manifests/'));
    expect(manifestGets.map((entry) => entry.path)).toEqual([`/v2/${repo('late')}/manifests/1`]);
    expect(log.filter((entry) => entry.method === 'HEAD' && entry.path.includes('/manifests/')).length).toBeGreaterThan(
      5,
    );
  });
});

describe('through the API (what the UI calls)', () => {
  it('reports refresh progress as a lineage operation and refuses a bad scope as data', async () => {
    const backend = await createBackend({
      transport: 'serve',
      env: { ...process.env, BERTH_CONFIG_DIR: join(home, 'api-config'), BERTH_CACHE_DIR: join(home, 'api-cache') },
    });
    try {
      const ns = `scratch/lineage-api-${randomBytes(4).toString('hex')}`;
      await pushLayeredImage(target, `${ns}/base`, '1', [{ name: 'api-os' }]);
      await pushLayeredImage(target, `${ns}/app`, '1', [{ name: 'api-os' }, { name: 'api-app' }]);
      const events: OperationProgress[] = [];
      const ignore = () => undefined;
      const refreshed = await backend.dispatcher.call(
        'lineage.refresh',
        { scopes: [`${host}/${ns}`], operationId: 'lineage-api' },
        (event, payload) => {
          if (event === 'operation.progress') events.push(payload as OperationProgress);
        },
      );
      expect(refreshed).toMatchObject({ ok: true, value: { repositories: 2, tags: 2, skipped: [] } });
      expect(events.at(-1)).toMatchObject({ operationId: 'lineage-api', kind: 'lineage', done: true, status: 'Done' });
      // From the index alone (no refresh): the answer needs no listing.
      const dependents = await backend.dispatcher.call(
        'lineage.dependents',
        {
          reference: `${host}/${ns}/base:1`,
          scopes: [`${host}/${ns}`],
          refresh: false,
        },
        ignore,
      );
      expect(dependents).toMatchObject({ ok: true, value: { dependents: [{ reference: `${host}/${ns}/app:1` }] } });
      const refused = await backend.dispatcher.call('lineage.stale', { scopes: ['not a host/x'] }, ignore);
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      const none = await backend.dispatcher.call('lineage.stale', { scopes: [] }, ignore);
      expect(none).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    } finally {
      await backend.close();
    }
  });
});

describe('bad input', () => {
  it('refuses a scope that is not HOST[/NAMESPACE] before any request (exit 2)', async () => {
    const run = await berth('stale', '--scope', 'not a host/x');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a scope');
    const missing = await berth('dependents', `${host}/x/y:1`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--scope');
  });

  it('says a reference that does not exist is not found (exit 1)', async () => {
    const ns = `scratch/lineage-none-${randomBytes(4).toString('hex')}`;
    const run = await berth('base', `${host}/${ns}/nothing:1`, '--scope', `${host}/${ns}`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^berth: .*does not exist/);
  });
});
