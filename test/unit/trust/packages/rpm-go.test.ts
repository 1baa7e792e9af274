/**
 * rpm databases and Go build info in the package inventory. rpm: packages built with Debian's rpmbuild and
 * recorded with `rpm --justdb` into an rpmdb.sqlite, listed independently by `rpm -qa`. Go: `go` is not on
 * these machines (so `go version -m` cannot be the reference); the build info of Debian's own Go binary
 * docker-registry is checked against `strings`, and module lines against a binary laid out per Go's
 * debug/buildinfo format.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLayerService, type LayerService } from '../../../../src/main/layers';
import { parseGoBuildInfo } from '../../../../src/main/trust/packages/golang';
import { PackageService } from '../../../../src/main/trust/packages/package-service';
import { imageOf, layerOf, writeOciLayout } from '../../layers/fixtures';

const RPMS = [
  { name: 'berth-hello', epoch: '2', version: '1.2.3', release: '4.el9', license: 'MIT AND Apache-2.0' },
  { name: 'berth-lib', epoch: '', version: '0.9~rc1', release: '1', license: 'GPL-2.0-or-later' },
  { name: 'berth-tools', epoch: '', version: '10.0', release: '3.fc40', license: 'BSD-3-Clause' },
];

let root: string;
let layers: LayerService;
let service: PackageService;
let rpmExpected: string[];

function rpmbuild(dir: string, spec: (typeof RPMS)[number]): string {
  const file = join(dir, `${spec.name}.spec`);
  execFileSync('sh', [
    '-c',
    `cat > ${file} <<'SPEC'
Name: ${spec.name}
Version: ${spec.version}
Release: ${spec.release}
${spec.epoch ? `Epoch: ${spec.epoch}` : ''}
Summary: a package for Berth's tests
License: ${spec.license}
BuildArch: noarch
%description
test
%files
SPEC`,
  ]);
  execFileSync('rpmbuild', ['--define', `_topdir ${join(dir, 'top')}`, '-bb', file], { stdio: 'ignore' });
  const epochless = `${spec.name}-${spec.version}-${spec.release}.noarch.rpm`;
  return join(dir, 'top', 'RPMS', 'noarch', epochless);
}

/** A Go binary's build info laid out as Go 1.18+ writes it (src/debug/buildinfo/buildinfo.go). */
function goBinary(version: string, modinfo: string): Buffer {
  const uvarint = (value: number) => {
    const bytes: number[] = [];
    while (value >= 0x80) {
      bytes.push((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    bytes.push(value);
    return Buffer.from(bytes);
  };
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 'latin1');
  header[14] = 8;
  header[15] = 0x2;
  const framed = Buffer.concat([Buffer.alloc(16, 0x30), Buffer.from(modinfo), Buffer.alloc(16, 0xf9)]);
  const info = Buffer.concat([header, uvarint(version.length), Buffer.from(version), uvarint(framed.length), framed]);
  // Padding before (ELF headers, code) keeps the header on its 16-byte boundary and the file over 1 MiB.
  return Buffer.concat([Buffer.alloc(1024 * 1024, 0x90), info, Buffer.alloc(4096)]);
}

const MODINFO =
  'path\texample.com/app/cmd/app\nmod\texample.com/app\tv1.4.2\th1:abc=\ndep\tgithub.com/spf13/cobra\tv1.8.0\th1:def=\ndep\tgolang.org/x/sys\tv0.15.0\th1:ghi=\n=>\tgolang.org/x/sys\tv0.16.0\th1:jkl=\nbuild\t-compiler=gc\n';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-rpm-go-'));
  const db = join(root, 'rpmdb');
  await mkdir(db);
  execFileSync('rpm', ['--dbpath', db, '--initdb']);
  for (const spec of RPMS)
    execFileSync(
      'rpm',
      ['--dbpath', db, '-i', '--justdb', '--nodeps', '--ignorearch', '--ignoreos', rpmbuild(root, spec)],
      {
        stdio: 'ignore',
      },
    );
  rpmExpected = execFileSync(
    'rpm',
    ['--dbpath', db, '-qa', '--qf', '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}\\t%{LICENSE}\\n'],
    {
      encoding: 'utf8',
    },
  )
    .trim()
    .split('\n')
    .sort();
  const base = await layerOf(
    [
      { name: 'etc/os-release', content: 'ID=fedora\nVERSION_ID=40\n' },
      { name: 'var/lib/rpm/rpmdb.sqlite', content: await readFile(join(db, 'rpmdb.sqlite')) },
      { name: 'usr/local/bin/app', content: goBinary('go1.22.1', MODINFO), mode: 0o755 },
      { name: 'usr/local/bin/not-go', content: Buffer.alloc(1024 * 1024 + 10, 0x41), mode: 0o755 },
    ],
    'gzip',
  );
  const broken = await layerOf(
    [{ name: 'var/lib/rpm/rpmdb.sqlite', content: Buffer.from('SQLite format 3\u0000 but not really') }],
    'gzip',
  );
  await writeOciLayout(join(root, 'layout'), [
    { image: imageOf([base]), tag: 'good' },
    { image: imageOf([base, broken]), tag: 'broken' },
  ]);
  layers = createLayerService({ cacheDir: join(root, 'cache', 'layers') });
  service = new PackageService({ layers, cacheDir: join(root, 'cache', 'packages'), toolVersion: 'test' });
});

afterAll(async () => {
  await layers.close();
  await rm(root, { recursive: true, force: true });
});

describe('rpm database', () => {
  it('lists what rpm -qa lists, epoch, license and architecture included', async () => {
    const inventory = await service.inventory(`oci:${join(root, 'layout')}:good`);
    const rpms = inventory.packages.filter((item) => item.type === 'rpm');
    expect(rpms.map((item) => `${item.name}\t${item.version}\t${item.arch}\t${item.license}`).sort()).toEqual(
      rpmExpected,
    );
    expect(rpms.find((item) => item.name === 'berth-hello')).toMatchObject({
      version: '2:1.2.3-4.el9',
      source: 'berth-hello',
      purl: 'pkg:rpm/fedora/berth-hello@2:1.2.3-4.el9?arch=noarch&distro=fedora-40',
    });
  });

  it('reports a damaged database as a warning and lists the rest', async () => {
    const inventory = await service.inventory(`oci:${join(root, 'layout')}:broken`);
    expect(inventory.packages.filter((item) => item.type === 'rpm')).toEqual([]);
    expect(inventory.warnings).toEqual([expect.stringMatching(/^\/var\/lib\/rpm\/rpmdb\.sqlite could not be read: /)]);
    expect(inventory.packages.filter((item) => item.type === 'golang')).not.toEqual([]);
  });
});

describe('Go build info', () => {
  it('reads the Go version and main package of Debian’s docker-registry as strings(1) shows them', async () => {
    const binary = await readFile('/usr/bin/docker-registry');
    const info = parseGoBuildInfo(binary);
    const printable = execFileSync('strings', ['-n', '4', '/usr/bin/docker-registry'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const path = /^path\t(.+)$/m.exec(printable)![1];
    expect(info?.path).toBe(path);
    expect(printable).toContain(info!.goVersion);
    expect(info!.goVersion).toMatch(/^go1\.\d+/);
  });

  it('lists a binary’s main module and dependencies, with replacements, in the inventory', async () => {
    const inventory = await service.inventory(`oci:${join(root, 'layout')}:good`);
    const modules = inventory.packages.filter((item) => item.type === 'golang');
    expect(modules.map((item) => [item.name, item.version, item.location, item.purl])).toEqual([
      ['example.com/app', 'v1.4.2', '/usr/local/bin/app', 'pkg:golang/example.com/app@v1.4.2'],
      ['github.com/spf13/cobra', 'v1.8.0', '/usr/local/bin/app', 'pkg:golang/github.com/spf13/cobra@v1.8.0'],
      ['golang.org/x/sys', 'v0.16.0', '/usr/local/bin/app', 'pkg:golang/golang.org/x/sys@v0.16.0'],
    ]);
    expect(parseGoBuildInfo(Buffer.alloc(64))).toBeUndefined();
  });
});
