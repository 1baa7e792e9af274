/**
 * The package service on the real layer engine over OCI layouts: which files it reads, what it makes of
 * them (each ecosystem's metadata, edge cases and broken files), the layer each package comes from, the
 * package diff, the SBOM exports, and the cache of inventories.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLayerService, type LayerService } from '../../../../src/main/layers';
import { PackageService } from '../../../../src/main/trust/packages/package-service';
import type { Package } from '../../../../src/shared/types/packages';
import { imageOf, layerOf, writeOciLayout, type RawEntry } from '../../layers/fixtures';

const STATUS_BASE = `Package: base-files
Status: install ok installed
Priority: required
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy.

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc (2.36-9)
Version: 2.36-9+deb12u4

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: bash
Status: install ok installed
Architecture: amd64
Source: bash
Version: 5.2.15-2+b2
`;

const STATUS_NEXT = `${STATUS_BASE}
Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88.1-10+deb12u5
`;

const APK_DB = `C:Q1abc=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
L:MIT
o:musl

C:Q1def=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
o:busybox
`;

const OS_DEBIAN =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

function json(value: unknown): string {
  return JSON.stringify(value);
}

const BASE: RawEntry[] = [
  { name: 'etc/os-release', content: OS_DEBIAN },
  { name: 'var/lib/dpkg/status', content: STATUS_BASE },
  { name: 'lib/apk/db/installed', content: APK_DB },
];

const APP: RawEntry[] = [
  { name: 'var/lib/dpkg/status', content: STATUS_NEXT },
  { name: 'app/package.json', content: json({ name: 'the-app', version: '1.0.0' }) },
  {
    name: 'app/node_modules/left-pad/package.json',
    content: json({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
  },
  {
    name: 'app/node_modules/@scope/thing/package.json',
    content: json({ name: '@scope/thing', version: '2.0.0-beta.1', license: { type: 'MIT' } }),
  },
  {
    name: 'app/node_modules/@scope/thing/lib/package.json',
    content: json({ name: 'not-a-package', version: '0.0.0' }),
  },
  { name: 'app/node_modules/broken/package.json', content: '{ this is not json' },
  {
    name: 'app/node_modules/left-pad/node_modules/nested/package.json',
    content: json({ name: 'nested', version: '0.1.0', licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] }),
  },
  {
    name: 'app/package-lock.json',
    content: json({
      lockfileVersion: 3,
      packages: {
        '': { name: 'the-app', version: '1.0.0' },
        'node_modules/left-pad': { version: '1.3.0' },
        'node_modules/optional-only': { version: '4.5.6', license: 'ISC' },
        'node_modules/linked': { resolved: '../linked', link: true },
      },
    }),
  },
  {
    name: 'usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA',
    content:
      'Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\nLicense: Apache 2.0\n\nLong description\nName: wrong\n',
  },
  {
    name: 'usr/lib/python3/dist-packages/six-1.16.0.egg-info',
    content: 'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\nLicense: MIT\n',
  },
  {
    name: 'usr/lib/python3/dist-packages/attrs-22.2.0.dist-info/METADATA',
    content: 'Metadata-Version: 2.4\nName: attrs\nVersion: 22.2.0\nLicense-Expression: MIT\n',
  },
];

const NEWER_APP: RawEntry[] = [
  {
    name: 'var/lib/dpkg/status',
    content: STATUS_NEXT.replace('Version: 7.88.1-10+deb12u5', 'Version: 7.88.1-10+deb12u12').replace(
      'Version: 5.2.15-2+b2',
      'Version: 5.2.15-2',
    ),
  },
  { name: 'app/node_modules/left-pad/package.json', content: json({ name: 'left-pad', version: '1.10.0' }) },
  { name: 'app/node_modules/@scope/thing/package.json', content: json({ name: '@scope/thing', version: '2.0.0' }) },
  { name: 'app/node_modules/.wh.broken', content: '' },
];

let root: string;
let layers: LayerService;
let service: PackageService;
let oci: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-packages-'));
  const base = await layerOf(BASE, 'gzip');
  const app = await layerOf(APP, 'zstd');
  const newer = await layerOf(NEWER_APP, 'gzip');
  oci = join(root, 'layout');
  await writeOciLayout(oci, [
    { image: imageOf([base, app]), tag: 'one' },
    { image: imageOf([base, app, newer]), tag: 'two' },
    { image: imageOf([base]), tag: 'base' },
  ]);
  layers = createLayerService({ cacheDir: join(root, 'cache', 'layers') });
  service = new PackageService({ layers, cacheDir: join(root, 'cache', 'packages'), toolVersion: '0.0.0-test' });
});

afterAll(async () => {
  await layers.close();
  await rm(root, { recursive: true, force: true });
});

const brief = (packages: Package[]) =>
  packages.map((item) => `${item.type} ${item.name} ${item.version} L${item.layerIndex}`);

describe('package inventory', () => {
  it('reads dpkg, apk, npm (package.json and lock files) and Python metadata, each with its layer', async () => {
    const inventory = await service.inventory(`oci:${oci}:one`);
    expect(brief(inventory.packages)).toEqual([
      'apk busybox 1.36.1-r15 L0',
      'apk musl 1.2.4_git20230717-r4 L0',
      'deb base-files 12.4+deb12u5 L0',
      'deb bash 5.2.15-2+b2 L0',
      'deb curl 7.88.1-10+deb12u5 L1',
      'deb libc6 2.36-9+deb12u4 L0',
      'npm @scope/thing 2.0.0-beta.1 L1',
      'npm left-pad 1.3.0 L1',
      'npm nested 0.1.0 L1',
      'npm optional-only 4.5.6 L1',
      'pypi attrs 22.2.0 L1',
      'pypi requests 2.28.1 L1',
      'pypi six 1.16.0 L1',
    ]);
    expect(inventory.os).toEqual({ id: 'debian', versionId: '12', versionCodename: 'bookworm' });
    expect(inventory.warnings).toEqual([
      expect.stringMatching(/^\/app\/node_modules\/broken\/package\.json \(layer 1\) could not be read/),
    ]);
    const byName = new Map(inventory.packages.map((item) => [item.name, item]));
    expect(byName.get('libc6')).toMatchObject({
      purl: 'pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12',
      source: 'glibc',
      sourceVersion: '2.36-9',
      location: '/var/lib/dpkg/status',
    });
    expect(byName.get('bash')).toMatchObject({ source: 'bash' });
    expect(byName.get('base-files')).toMatchObject({ source: 'base-files' });
    expect(byName.get('musl')).toMatchObject({
      license: 'MIT',
      purl: expect.stringMatching(/^pkg:apk\/debian\/musl@/),
    });
    expect(byName.get('@scope/thing')).toMatchObject({ license: 'MIT', purl: 'pkg:npm/%40scope/thing@2.0.0-beta.1' });
    expect(byName.get('nested')).toMatchObject({ license: '(MIT OR Apache-2.0)' });
    expect(byName.get('requests')).toMatchObject({ license: 'Apache 2.0', purl: 'pkg:pypi/requests@2.28.1' });
    expect(byName.get('attrs')).toMatchObject({ license: 'MIT' });
    expect(byName.get('optional-only')).toMatchObject({ location: '/app/package-lock.json', license: 'ISC' });
    const [manifestLayers] = await Promise.all([layers.listLayers(`oci:${oci}:one`)]);
    expect(byName.get('curl')!.layer).toBe(manifestLayers[1]!.digest);
  });

  it('follows whiteouts and finds an image without packages empty', async () => {
    const two = await service.inventory(`oci:${oci}:two`);
    expect(two.warnings).toEqual([]);
    expect(brief(two.packages)).toContain('npm left-pad 1.10.0 L2');
    // bash's version changed in layer 2: that layer installed the version the image has.
    expect(brief(two.packages)).toContain('deb bash 5.2.15-2 L2');
    expect(brief(two.packages)).toContain('deb libc6 2.36-9+deb12u4 L0');
  });

  it('diffs two images in each ecosystem’s own version order', async () => {
    const diff = await service.diff(`oci:${oci}:one`, `oci:${oci}:two`);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toEqual([
      { name: 'bash', type: 'deb', from: '5.2.15-2+b2', to: '5.2.15-2', direction: 'downgraded' },
      { name: 'curl', type: 'deb', from: '7.88.1-10+deb12u5', to: '7.88.1-10+deb12u12', direction: 'upgraded' },
      { name: '@scope/thing', type: 'npm', from: '2.0.0-beta.1', to: '2.0.0', direction: 'upgraded' },
      // 1.10.0 > 1.3.0 in semver, though not as text.
      { name: 'left-pad', type: 'npm', from: '1.3.0', to: '1.10.0', direction: 'upgraded' },
    ]);
    const fromBase = await service.diff(`oci:${oci}:base`, `oci:${oci}:one`);
    expect(fromBase.added.map((item) => item.name)).toEqual([
      'curl',
      '@scope/thing',
      'left-pad',
      'nested',
      'optional-only',
      'attrs',
      'requests',
      'six',
    ]);
  });

  it('answers again from its cache without reading a layer', async () => {
    const first = await service.inventory(`oci:${oci}:one`);
    const reads: string[] = [];
    const watched = new PackageService({
      layers: { ...layers, scan: (...args) => (reads.push('scan'), layers.scan(...args)) },
      cacheDir: join(root, 'cache', 'packages'),
      toolVersion: '0.0.0-test',
    });
    expect(await watched.inventory(`oci:${oci}:one`)).toEqual(first);
    expect(reads).toEqual([]);
  });

  it('refuses a reference that is not an image with the layer engine’s error', async () => {
    await expect(service.inventory(`oci:${join(root, 'missing')}:x`)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('SBOM exports', () => {
  it('writes CycloneDX 1.6 JSON that the CycloneDX library’s own schema validator accepts', async () => {
    const document = (await service.sbom(`oci:${oci}:one`, 'cyclonedx')) as {
      specVersion: string;
      components: { name: string; purl: string; licenses?: unknown[] }[];
    };
    expect(document.specVersion).toBe('1.6');
    expect(document.components).toHaveLength(13);
    expect(document.components.find((item) => item.name === 'left-pad')).toMatchObject({
      purl: 'pkg:npm/left-pad@1.3.0',
      licenses: [{ license: { id: 'WTFPL' } }],
    });
    const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6);
    expect(await validator.validate(JSON.stringify(document))).toBeNull();
  });

  it('writes SPDX 2.3 JSON with one package per installed package and valid license expressions only', async () => {
    const document = (await service.sbom(`oci:${oci}:one`, 'spdx')) as {
      spdxVersion: string;
      packages: {
        name: string;
        SPDXID: string;
        licenseDeclared: string;
        externalRefs?: { referenceLocator: string }[];
      }[];
      relationships: { relationshipType: string }[];
    };
    expect(document.spdxVersion).toBe('SPDX-2.3');
    expect(document.packages).toHaveLength(14);
    expect(new Set(document.packages.map((item) => item.SPDXID)).size).toBe(14);
    for (const item of document.packages) expect(item.SPDXID).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    const requests = document.packages.find((item) => item.name === 'requests')!;
    expect(requests.licenseDeclared).toBe('NOASSERTION');
    expect(document.packages.find((item) => item.name === 'nested')!.licenseDeclared).toBe('(MIT OR Apache-2.0)');
    expect(document.relationships.filter((item) => item.relationshipType === 'CONTAINS')).toHaveLength(13);
  });
});
