/**
 * `berth sbom` and `berth diff --packages` as users run them, on images in the world's registry whose
 * packages an independent tool lists: a debootstrap Debian root filesystem (dpkg-query), npm packages
 * (npm ls), Python distributions (importlib.metadata) and an apk database written from a list.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Package, PackageDiff } from '../../../src/shared/types/packages';
import { runCli } from '../../env/cli';
import { TreeBuilder, addHostTree } from '../../env/layers';
import {
  adminDirWith,
  apkDatabase,
  debianRootfs,
  dpkgQuery,
  npmProject,
  pythonDistributions,
  treeLayer,
  type ApkPackage,
  type DebianRootfs,
} from '../../env/package-fixtures';
import { run } from '../../env/process';
import { readRequestLog } from '../../env/registry';
import { pushLayersImage } from '../../env/unique-image';

const world = inject('world');
const registry = world.anonymous;
const namespace = `scratch/packages-${randomBytes(4).toString('hex')}`;
const image = (name: string) => `${registry.host}/${namespace}/${name}`;

const APK_PACKAGES: ApkPackage[] = [
  { name: 'musl', version: '1.2.4_git20230717-r4', arch: 'x86_64', license: 'MIT', origin: 'musl' },
  { name: 'busybox', version: '1.36.1-r15', arch: 'x86_64', license: 'GPL-2.0-only', origin: 'busybox' },
  {
    name: 'ca-certificates-bundle',
    version: '20240226-r0',
    arch: 'x86_64',
    license: 'MPL-2.0 AND MIT',
    origin: 'ca-certificates',
  },
  { name: 'libcrypto3', version: '3.1.4_p1-r5', arch: 'x86_64', license: 'Apache-2.0', origin: 'openssl' },
];
const EXTRA_STANZA = (version: string) =>
  `Package: berth-fixture\nStatus: install ok installed\nPriority: optional\nArchitecture: all\nSource: berth-source (0.9-1)\nVersion: ${version}\nDescription: a package a later layer installs\n`;

let home: string;
let env: NodeJS.ProcessEnv;
let rootfs: DebianRootfs;
let status1: string;
let status2: string;
let layerDigests: { deb1: string[]; mixed: string[] };
let npmExpected: string[];
let pythonExpected: string[];
const cleanup: string[] = [];

/** Two edits of the status file: a package installed by a later layer, then a removal and a downgrade. */
function editStatus(status: string): { status1: string; status2: string; removed: string; downgraded: string } {
  const stanzas = status.trim().split(/\n\n+/);
  const installed = stanzas.filter((stanza) => /^Status: install ok installed$/m.test(stanza));
  const nameOf = (stanza: string) => /^Package: (.+)$/m.exec(stanza)![1]!;
  const removed = installed[0]!;
  const downgraded = installed[1]!;
  const status1 = `${stanzas.join('\n\n')}\n\n${EXTRA_STANZA('1.0-1')}`;
  const status2 = `${[
    ...stanzas.filter((stanza) => stanza !== removed && stanza !== downgraded),
    downgraded.replace(/^Version: .+$/m, 'Version: 0.0.1-1'),
  ].join('\n\n')}\n\n${EXTRA_STANZA('1.0-1+deb12u1')}`;
  return { status1, status2, removed: nameOf(removed), downgraded: nameOf(downgraded) };
}

let edits: ReturnType<typeof editStatus>;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-packages-cli-'));
  env = {
    HOME: home,
    BERTH_CONFIG_DIR: join(home, 'config'),
    BERTH_CACHE_DIR: join(home, 'cache'),
    DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  };
  rootfs = await debianRootfs();
  const base = { gzip: await readFile(rootfs.layerFile), diffId: rootfs.diffId };
  edits = editStatus(await readFile(join(rootfs.dir, 'var/lib/dpkg/status'), 'utf8'));
  ({ status1, status2 } = edits);
  const statusLayer = async (status: string) => treeLayer(new TreeBuilder().file('/var/lib/dpkg/status', status));
  await pushLayersImage({ host: registry.host }, `${namespace}/debian`, '0', [base]);
  const deb1 = await pushLayersImage({ host: registry.host }, `${namespace}/debian`, '1', [
    base,
    await statusLayer(status1),
  ]);
  await pushLayersImage({ host: registry.host }, `${namespace}/debian`, '2', [base, await statusLayer(status2)]);

  const project = await npmProject();
  cleanup.push(project.dir);
  npmExpected = project.expected;
  const npmTree = new TreeBuilder();
  await addHostTree(npmTree, project.dir, '/srv/app', {
    names: ['package.json', 'node_modules'],
    maxFileBytes: 8 * 1024 * 1024,
  });
  const pythonTree = new TreeBuilder();
  pythonExpected = await pythonDistributions(pythonTree);
  const apkTree = new TreeBuilder()
    .file('/etc/os-release', 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n')
    .file('/lib/apk/db/installed', apkDatabase(APK_PACKAGES));
  const mixed = await pushLayersImage({ host: registry.host }, `${namespace}/mixed`, '1', [
    await treeLayer(apkTree),
    await treeLayer(npmTree),
    await treeLayer(pythonTree),
  ]);
  layerDigests = { deb1: deb1.layers, mixed: mixed.layers };
}, 900_000);

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function sbom(reference: string): Promise<{ digest: string; packages: Package[] }> {
  const result = await runCli(['sbom', reference, '--json'], { env, timeoutMs: 300_000 });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { digest: string; packages: Package[] };
}

const lines = (packages: Package[], type: Package['type']) =>
  packages
    .filter((item) => item.type === type)
    .map((item) => `${item.name}\t${item.version}`)
    .sort();

describe('berth sbom on a debootstrap Debian image', () => {
  it(`lists exactly what dpkg-query lists for the root filesystem`, async () => {
    const expected = await dpkgQuery(join(rootfs.dir, 'var/lib/dpkg'));
    expect(expected.length).toBeGreaterThan(rootfs.origin === 'debootstrap' ? 50 : 0);
    const result = await sbom(image('debian:0'));
    expect(result.packages.map((item) => `${item.name}\t${item.version}\t${item.source}`).sort()).toEqual(expected);
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const item of result.packages) {
      expect(item.type).toBe('deb');
      const purl = /^pkg:deb\/debian\/([^@]+)@([^?]+)\?arch=([a-z0-9]+)&distro=debian-12$/.exec(item.purl);
      expect(purl?.slice(1).map(decodeURIComponent)).toEqual([item.name, item.version, item.arch]);
    }
  });

  it('names the layer that installed each package', async () => {
    const admin = await adminDirWith(status1);
    cleanup.push(admin);
    const expected = await dpkgQuery(admin);
    const result = await sbom(image('debian:1'));
    expect(result.packages.map((item) => `${item.name}\t${item.version}\t${item.source}`).sort()).toEqual(expected);
    for (const item of result.packages)
      expect([item.name, item.layer]).toEqual([item.name, layerDigests.deb1[item.name === 'berth-fixture' ? 1 : 0]]);
    expect(result.packages.find((item) => item.name === 'berth-fixture')).toMatchObject({
      source: 'berth-source',
      sourceVersion: '0.9-1',
    });
  });

  it('berth diff --packages --json adds the package diff, in dpkg’s version order', async () => {
    const [before, after] = (await Promise.all(
      [status1, status2].map(async (status) => {
        const admin = await adminDirWith(status);
        cleanup.push(admin);
        return new Map((await dpkgQuery(admin)).map((line) => line.split('\t') as [string, string]));
      }),
    )) as [Map<string, string>, Map<string, string>];
    const changed: { name: string; type: string; from: string; to: string }[] = [];
    for (const [name, from] of before) {
      const to = after.get(name);
      if (to === undefined || to === from) continue;
      const older = await run('dpkg', ['--compare-versions', from, 'lt', to]).then(
        () => true,
        () => false,
      );
      changed.push({ name, type: 'deb', from, to, ...{ direction: older ? 'upgraded' : 'downgraded' } });
    }
    const result = await runCli(['diff', image('debian:1'), image('debian:2'), '--packages', '--json'], {
      env,
      timeoutMs: 300_000,
    });
    expect(result.code).toBe(0);
    const diff = JSON.parse(result.stdout) as { files: unknown; packages: PackageDiff };
    expect(diff.files).toBeDefined();
    expect(diff.packages.added).toEqual([]);
    expect(diff.packages.removed.map((item) => item.name)).toEqual(
      [...before.keys()].filter((name) => !after.has(name)),
    );
    expect(diff.packages.removed.map((item) => item.name)).toEqual([edits.removed]);
    expect(diff.packages.changed).toEqual(expect.arrayContaining(changed));
    expect(diff.packages.changed).toHaveLength(changed.length);
    expect(changed.map((item) => `${item.name} ${(item as { direction?: string }).direction}`).sort()).toEqual(
      [`berth-fixture upgraded`, `${edits.downgraded} downgraded`].sort(),
    );

    const text = await runCli(['diff', image('debian:1'), image('debian:2'), '--packages'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Packages: 0 added, 1 removed, 1 upgraded, 1 downgraded`);
    expect(text.stdout).toContain(`  - deb ${edits.removed} `);
  });
});

describe('berth sbom on apk, npm and Python packages', () => {
  it('lists the apk database, npm ls and importlib.metadata, each package with its layer', async () => {
    const result = await sbom(image('mixed:1'));
    expect(lines(result.packages, 'apk')).toEqual(APK_PACKAGES.map((item) => `${item.name}\t${item.version}`).sort());
    expect(lines(result.packages, 'npm')).toEqual(npmExpected);
    expect(lines(result.packages, 'pypi')).toEqual(pythonExpected);
    const layerOf = { apk: 0, npm: 1, pypi: 2 } as Record<string, number>;
    for (const item of result.packages) expect(item.layer).toBe(layerDigests.mixed[layerOf[item.type]!]);
    expect(result.packages.find((item) => item.name === 'ca-certificates-bundle')).toMatchObject({
      license: 'MPL-2.0 AND MIT',
      purl: 'pkg:apk/alpine/ca-certificates-bundle@20240226-r0?arch=x86_64&distro=alpine-3.19.1',
      source: 'ca-certificates',
    });
  });

  it('prints CycloneDX and SPDX documents with one component per package', async () => {
    const { packages } = await sbom(image('mixed:1'));
    const cyclonedx = await runCli(['sbom', image('mixed:1'), '--format', 'cyclonedx'], { env });
    expect(cyclonedx.code).toBe(0);
    const bom = JSON.parse(cyclonedx.stdout) as {
      bomFormat: string;
      specVersion: string;
      components: { purl: string }[];
    };
    expect([bom.bomFormat, bom.specVersion]).toEqual(['CycloneDX', '1.6']);
    expect(bom.components.map((item) => item.purl).sort()).toEqual(packages.map((item) => item.purl).sort());
    const spdx = await runCli(['sbom', image('mixed:1'), '--format', 'spdx'], { env });
    expect(spdx.code).toBe(0);
    const document = JSON.parse(spdx.stdout) as { spdxVersion: string; packages: unknown[] };
    expect(document.spdxVersion).toBe('SPDX-2.3');
    expect(document.packages).toHaveLength(packages.length + 1);
  });

  it('answers a second time from its cache without reading a layer blob', async () => {
    await sbom(image('mixed:1'));
    const before = (await readRequestLog(registry.accessLogFile)).length;
    await sbom(image('mixed:1'));
    const after = (await readRequestLog(registry.accessLogFile)).slice(before);
    const layerReads = after.filter((entry) =>
      layerDigests.mixed.some((digest) => entry.path.endsWith(`/blobs/${digest}`)),
    );
    expect(layerReads).toEqual([]);
    expect(after.some((entry) => entry.path.includes(`/${namespace}/mixed/manifests/1`))).toBe(true);
  });

  it('reads each layer blob once on a cold cache: package files are kept while the layer is indexed', async () => {
    const before = (await readRequestLog(registry.accessLogFile)).length;
    const cold = { ...env, BERTH_CACHE_DIR: join(home, 'cold-cache') };
    const result = await runCli(['sbom', image('mixed:1'), '--json'], { env: cold });
    expect(result.code).toBe(0);
    const reads = (await readRequestLog(registry.accessLogFile))
      .slice(before)
      .filter(
        (entry) =>
          entry.method === 'GET' && layerDigests.mixed.some((digest) => entry.path.endsWith(`/blobs/${digest}`)),
      );
    expect(reads.map((entry) => entry.path.slice(entry.path.lastIndexOf('/') + 1)).sort()).toEqual(
      [...layerDigests.mixed].sort(),
    );
  });

  it('refuses a bad format and a missing image with a clear message', async () => {
    const format = await runCli(['sbom', image('mixed:1'), '--format', 'xml'], { env });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format must be one of table, cyclonedx, spdx');
    const missing = await runCli(['sbom', image('mixed:nope')], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^berth: .*nope/m);
  });
});
