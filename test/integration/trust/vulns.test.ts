/**
 * Offline OSV matching as users run it: an image pushed to the world's registry with a dpkg database, an
 * os-release and an npm package; `berth vulns REF --db DIR --json` (the built CLI) and the `vulns.*` requests
 * through the real backend. What must match is worked out with `dpkg --compare-versions`, not with Berth.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../env/cli';
import { dpkgLess } from '../../env/dpkg';
import { failure } from '../../env/failure';
import { TreeBuilder } from '../../env/layers';
import { makeTempDir } from '../../env/process';
import { pushTreeImage } from '../../env/unique-image';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';
import { pushFallbackIndex, pushLayersManifest } from './signer';
import { readFileSync } from 'node:fs';

const world = inject('world');
const registry = world.anonymous;
const FIXTURES = join(import.meta.dirname, '../../fixtures/osv');

/** The image's dpkg database: versions chosen around the fixtures' fixes. */
const DPKG = [
  { name: 'libc6', source: 'glibc', version: '2.36-9+deb12u2' },
  { name: 'libc-bin', source: 'glibc', version: '2.36-9+deb12u2' },
  { name: 'zlib1g', source: 'zlib', version: '1:1.2.13.dfsg-1' },
  { name: 'libssl3', source: 'openssl', version: '3.0.11-1~deb12u2' },
  { name: 'bash', source: 'bash (5.2.15-2)', version: '5.2.15-2+b8' },
  { name: 'base-files', version: '12.4+deb12u5' },
];

function dpkgStatus(): string {
  return DPKG.map(
    (pkg) =>
      `Package: ${pkg.name}\nStatus: install ok installed\nArchitecture: amd64\n${pkg.source ? `Source: ${pkg.source}\n` : ''}Version: ${pkg.version}\nDescription: ${pkg.name}\n`,
  ).join('\n');
}

let harness: Harness;
let dir: string;
let db: string;
let reference: string;
let digest: string;

beforeAll(async () => {
  harness = await startHarness([]);
  dir = await makeTempDir('berth-vulns-');
  db = join(dir, 'osv');
  await mkdir(db);
  await cp(join(FIXTURES, 'debian12'), db, { recursive: true });
  await cp(join(FIXTURES, 'upstream'), join(db, 'upstream'), { recursive: true });
  const repository = `${uniqueName('scratch')}/vulnerable`;
  const base = new TreeBuilder()
    .file('/usr/lib/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
    .symlink('/etc/os-release', '../usr/lib/os-release')
    .file('/var/lib/dpkg/status', dpkgStatus());
  const app = new TreeBuilder().file(
    '/app/node_modules/demo-lib/package.json',
    JSON.stringify({ name: 'demo-lib', version: '4.0.0' }),
  );
  ({ digest } = await pushTreeImage({ host: registry.host }, repository, '1.0', [base, app]));
  reference = `${registry.host}/${repository}:1.0`;
});
afterAll(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What must match, from the records' texts and dpkg's order. */
function expectedMatches(): string[] {
  const expected: string[] = [];
  for (const pkg of DPKG) {
    const source = pkg.source?.replace(/ \(.*\)$/, '') ?? pkg.name;
    const sourceVersion = /\((.*)\)/.exec(pkg.source ?? '')?.[1] ?? pkg.version;
    if (source === 'glibc' && dpkgLess(sourceVersion, '2.36-9+deb12u3')) expected.push(`BERTH-GLIBC-FIXED ${pkg.name}`);
    if (source === 'glibc' && dpkgLess(sourceVersion, '2.36-9+deb12u99')) expected.push(`BERTH-GLIBC-NEXT ${pkg.name}`);
    if (source === 'zlib' && dpkgLess(sourceVersion, '1.2.13.dfsg-9')) expected.push(`BERTH-ZLIB-EPOCH ${pkg.name}`);
    if (source === 'openssl' && !dpkgLess(sourceVersion, '3.0.0-1') && !dpkgLess('3.0.19-1~deb12u2', sourceVersion))
      expected.push(`BERTH-OPENSSL-LAST ${pkg.name}`);
    if (source === 'bash' && ['5.2.15-1', '5.2.15-2'].includes(sourceVersion))
      expected.push(`BERTH-BASH-LISTED ${pkg.name}`);
  }
  // MULTI-ECO-FIX-DEMO: every npm demo-lib is affected (introduced 0, no fix).
  expected.push('MULTI-ECO-FIX-DEMO demo-lib');
  return expected.sort();
}

describe('berth vulns', () => {
  it('--db DIR --json: id, package, installed version, fixed version and severity of each match', async () => {
    const env = harness.env;
    const run = await runCli(['vulns', reference, '--db', db, '--json'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      digest: string;
      database: { date: string; records: number };
      vulnerabilities: { id: string; package: string; version: string; fixed: string | null; severity: string }[];
    };
    expect(out.digest).toBe(digest);
    expect(out.vulnerabilities.map((v) => `${v.id} ${v.package}`).sort()).toEqual(expectedMatches());
    expect(out.vulnerabilities.find((v) => v.id === 'BERTH-GLIBC-NEXT' && v.package === 'libc6')).toEqual(
      expect.objectContaining({ version: '2.36-9+deb12u2', fixed: '2.36-9+deb12u99', severity: 'critical' }),
    );
    expect(out.vulnerabilities.find((v) => v.id === 'MULTI-ECO-FIX-DEMO')).toEqual(
      expect.objectContaining({ version: '4.0.0', fixed: null, severity: 'unknown' }),
    );
    // The database's date: the newest `modified` among its records.
    expect(out.database).toMatchObject({ date: '2026-03-04T05:06:07Z', records: 12 });

    const text = await runCli(['vulns', reference, '--db', db], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/dated 2026-03-04T05:06:07Z/);
    expect(text.stdout).toMatch(
      /BERTH-GLIBC-NEXT\s+libc6 \(glibc\)\s+2\.36-9\+deb12u2\s+2\.36-9\+deb12u99\s+critical 9\.8/,
    );
  });

  it('fails clearly on a missing database and on no database at all (exit 1, no stack)', async () => {
    const missing = await runCli(['vulns', reference, '--db', join(dir, 'nope')], { env: harness.env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^berth: No OSV database at .*nope \(ENOENT\)/);
    const none = await failure(harness.call('vulns.scan', { reference }));
    expect(none.code).toBe('invalid_input');
    expect(none.message).toMatch(/No OSV database: import one/);
  });

  it('imports a database once; scans without --db use it and say its date', async () => {
    expect(await harness.call('vulns.database', {})).toEqual({ database: null });
    const info = await harness.call('vulns.importDatabase', { path: db });
    expect(info).toMatchObject({ records: 12, date: '2026-03-04T05:06:07Z' });
    expect((await harness.call('vulns.database', {})).database).toMatchObject({ path: db, records: 12 });
    const scan = await harness.call('vulns.scan', { reference });
    expect(scan.os).toEqual({ id: 'debian', versionId: '12' });
    expect(scan.vulnerabilities.map((v) => `${v.id} ${v.package}`).sort()).toEqual(expectedMatches());
    expect(scan.counts.critical).toBe(expectedMatches().filter((id) => id.startsWith('BERTH-GLIBC-NEXT')).length);
  });
});

describe('reports attached as referrers', () => {
  it('reads Trivy SARIF and CycloneDX documents found through the referrers fallback tag, labelled unverified', async () => {
    const repository = `${uniqueName('scratch')}/scanned`;
    const { digest: subjectDigest } = await pushTreeImage({ host: registry.host }, repository, '1', [
      new TreeBuilder().file('/a', 'a'),
    ]);
    const subject = await fetch(`http://${registry.host}/v2/${repository}/manifests/1`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const subjectDescriptor = {
      mediaType: subject.headers.get('content-type')!,
      digest: subjectDigest,
      size: Number(subject.headers.get('content-length')),
    };
    const documents = [
      ['application/sarif+json', 'trivy-alpine-310.sarif'],
      ['application/vnd.cyclonedx+json', 'trivy-fluentd-short.cdx.json'],
    ] as const;
    const entries = [];
    for (const [artifactType, file] of documents) {
      const payload = readFileSync(join(FIXTURES, '../vuln-reports', file));
      const digest = await pushLayersManifest(
        { host: registry.host },
        repository,
        `${file}-ref`,
        [{ mediaType: artifactType, payload, annotations: {} }],
        { artifactType, subject: subjectDescriptor },
      );
      entries.push({ digest, size: 0, artifactType });
    }
    // Sizes as the registry serves them (the fallback index names each referrer's manifest).
    for (const entry of entries) {
      const head = await fetch(`http://${registry.host}/v2/${repository}/manifests/${entry.digest}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      entry.size = Number(head.headers.get('content-length'));
    }
    await pushFallbackIndex({ host: registry.host }, repository, subjectDigest, entries);

    const attached = await harness.call('vulns.attached', { reference: `${registry.host}/${repository}:1` });
    expect(attached.problems).toEqual([]);
    expect(
      attached.reports.map((report) => [report.format, report.verified, report.vulnerabilities.length]).sort(),
    ).toEqual([
      ['cyclonedx-vex', false, 3],
      ['sarif', false, 4],
    ]);
    // SARIF: 4 medium; CycloneDX: 2 critical (9.8) and 1 high (7.8), by the ratings' CVSS vectors.
    expect(attached.counts).toMatchObject({ critical: 2, high: 1, medium: 4, low: 0 });
    expect(attached.reports[0]!.reason).toMatch(/nothing signs it/);
  });
});
