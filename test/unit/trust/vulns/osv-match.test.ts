import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dpkgLess } from '../../../env/dpkg';
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../../../src/main/trust/packages/versions';
import { loadOsvDatabase } from '../../../../src/main/trust/vulns/osv-database';
import {
  evaluateRange,
  matchInventory,
  type InstalledPackage,
  type VersionComparator,
} from '../../../../src/main/trust/vulns/osv-match';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/osv');
const compare: VersionComparator = (type, a, b) => compareVersions(type as Parameters<typeof compareVersions>[0], a, b);
const plain = (a: string, b: string) => Number(a) - Number(b);

describe('OSV range evaluation (the schema’s evaluation rules)', () => {
  it('introduced/fixed spans, several of them, and the fix of the span that holds the version', () => {
    const range = {
      type: 'ECOSYSTEM',
      events: [{ introduced: '0' }, { fixed: '10' }, { introduced: '20' }, { fixed: '30' }],
    };
    expect(evaluateRange('5', range, plain)).toEqual({ affected: true, fixed: '10' });
    expect(evaluateRange('10', range, plain)).toEqual({ affected: false });
    expect(evaluateRange('15', range, plain)).toEqual({ affected: false });
    expect(evaluateRange('25', range, plain)).toEqual({ affected: true, fixed: '30' });
    expect(evaluateRange('30', range, plain)).toEqual({ affected: false });
  });

  it('events in any order are evaluated in version order', () => {
    const range = {
      type: 'ECOSYSTEM',
      events: [{ fixed: '30' }, { introduced: '20' }, { fixed: '10' }, { introduced: '0' }],
    };
    expect(evaluateRange('25', range, plain)).toEqual({ affected: true, fixed: '30' });
    expect(evaluateRange('15', range, plain).affected).toBe(false);
  });

  it('last_affected includes its version; limit bounds the range', () => {
    const last = { type: 'ECOSYSTEM', events: [{ introduced: '5' }, { last_affected: '7' }] };
    expect([4, 5, 7, 8].map((v) => evaluateRange(String(v), last, plain).affected)).toEqual([false, true, true, false]);
    const limited = { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { limit: '50' }] };
    expect(evaluateRange('49', limited, plain).affected).toBe(true);
    expect(evaluateRange('50', limited, plain).affected).toBe(false);
  });
});

/** This machine's own dpkg database (Debian 12): real packages with their Source: and source versions. */
function hostInventory(): InstalledPackage[] {
  const out = execFileSync('dpkg-query', ['-W', '-f=${Package}\t${Version}\t${source:Package}\t${source:Version}\n'], {
    encoding: 'utf8',
  });
  return out
    .trim()
    .split('\n')
    .map((line) => line.split('\t'))
    .map(([name, version, source, sourceVersion]) => ({
      name: name!,
      version: version!,
      type: 'deb',
      ...(source && source !== name ? { source } : {}),
      ...(sourceVersion && sourceVersion !== version ? { sourceVersion } : {}),
    }));
}

describe('matching Debian 12 records by source package', () => {
  it('matches exactly what dpkg --compare-versions says is below each fix, keyed by Source:', async () => {
    const database = await loadOsvDatabase(join(FIXTURES, 'debian12'));
    // This machine is Debian 12 (TESTWORLD.md); its dpkg database is the inventory.
    expect(readFileSync('/etc/os-release', 'utf8')).toMatch(/^VERSION_ID="12"$/m);
    const os = { id: 'debian', versionId: '12' };
    const packages = hostInventory();
    const source = (name: string) => packages.find((pkg) => pkg.name === name)!;
    const sourceVersion = (pkg: InstalledPackage) => pkg.sourceVersion ?? pkg.version;
    const libc6 = source('libc6');
    const zlib1g = source('zlib1g');
    const libssl = source('libssl3');
    const bash = source('bash');

    // Independent expectations: dpkg's own order, the records' texts, and the binary packages built from each source.
    const expected = new Set<string>();
    const bySource = (name: string) => packages.filter((pkg) => (pkg.source ?? pkg.name) === name);
    for (const pkg of bySource('glibc')) {
      if (dpkgLess(sourceVersion(pkg), '2.36-9+deb12u3')) expected.add(`BERTH-GLIBC-FIXED ${pkg.name}`);
      if (dpkgLess(sourceVersion(pkg), '2.36-9+deb12u99')) expected.add(`BERTH-GLIBC-NEXT ${pkg.name}`);
    }
    for (const pkg of bySource('zlib'))
      if (dpkgLess(sourceVersion(pkg), '1.2.13.dfsg-9')) expected.add(`BERTH-ZLIB-EPOCH ${pkg.name}`);
    for (const pkg of bySource('openssl'))
      if (!dpkgLess(sourceVersion(pkg), '3.0.0-1') && !dpkgLess('3.0.19-1~deb12u2', sourceVersion(pkg)))
        expected.add(`BERTH-OPENSSL-LAST ${pkg.name}`);
    for (const pkg of bySource('bash'))
      if (['5.2.15-1', '5.2.15-2'].includes(sourceVersion(pkg))) expected.add(`BERTH-BASH-LISTED ${pkg.name}`);

    const matches = matchInventory(packages, database, os, compare);
    expect(new Set(matches.map((match) => `${match.id} ${match.package}`))).toEqual(expected);
    // The cases the fixtures were written for, on this machine's versions.
    expect(expected.has('BERTH-GLIBC-NEXT libc6')).toBe(true);
    expect(dpkgLess(zlib1g.version, '1.2.13.dfsg-9')).toBe(false); // the epoch 1: outranks a record without one
    expect([...expected].some((id) => id.startsWith('BERTH-LIBC6-BINARY'))).toBe(false);
    expect(expected.has('BERTH-OPENSSL-DEB11 libssl3')).toBe(false);
    expect(libssl.source).toBe('openssl');

    const next = matches.find((match) => match.id === 'BERTH-GLIBC-NEXT' && match.package === 'libc6')!;
    expect(next).toMatchObject({
      version: libc6.version,
      source: 'glibc',
      fixed: '2.36-9+deb12u99',
      severity: 'critical',
      score: 9.8,
    });
    if (expected.has('BERTH-OPENSSL-LAST libssl3')) {
      const last = matches.find((match) => match.id === 'BERTH-OPENSSL-LAST' && match.package === 'libssl3')!;
      // A last_affected range names no fix; the severity is the affected entry's word (MODERATE).
      expect([last.severity, last.fixed]).toEqual(['medium', undefined]);
    }
    // bash is a binNMU here (5.2.15-2+b8): the record lists source versions, which is what is compared.
    if (bash.sourceVersion) expect(bash.version).not.toBe(bash.sourceVersion);
    expect(database.info).toMatchObject({ date: '2026-03-04T05:06:07Z', records: 7, skipped: 1 });
  });

  it('matches no distribution record when the image has no os-release', async () => {
    const database = await loadOsvDatabase(join(FIXTURES, 'debian12'));
    expect(matchInventory(hostInventory(), database, undefined, compare)).toEqual([]);
  });
});

describe('real upstream OSV records', () => {
  it('PYSEC-2021-63: the versions list and the ECOSYSTEM ranges in PEP 440 order, PyPI names normalised', async () => {
    const database = await loadOsvDatabase(join(FIXTURES, 'upstream'));
    const packages: InstalledPackage[] = [
      { name: 'Cryptography', version: '3.3.1', type: 'pypi' },
      { name: 'cryptography', version: '3.1.1', type: 'pypi' },
      { name: 'cryptography', version: '3.3.2', type: 'pypi' },
      { name: 'cryptography', version: '3.1.2', type: 'pypi' },
      { name: 'cryptography', version: '3.0', type: 'pypi' },
    ];
    const matches = matchInventory(packages, database, undefined, compare);
    // The record: 3.1 <= v < 3.1.2 and 3.2 <= v < 3.3.2, listing 3.1, 3.1.1, 3.2, 3.2.1, 3.3, 3.3.1.
    expect(matches.map((match) => [match.package, match.version, match.fixed]).sort()).toEqual([
      ['Cryptography', '3.3.1', '3.3.2'],
      ['cryptography', '3.1.1', '3.1.2'],
    ]);
    for (const match of matches)
      expect(match).toMatchObject({ id: 'PYSEC-2021-63', aliases: ['CVE-2020-36242'], severity: 'unknown' });
  });

  it('SEMVER ranges; an npm range without a fix; other ecosystems and releases never match', async () => {
    const database = await loadOsvDatabase(join(FIXTURES, 'upstream'));
    const matches = matchInventory(
      [
        { name: 'demo-lib', version: '1.1.9', type: 'pypi' },
        { name: 'demo-lib', version: '1.2.0', type: 'pypi' },
        { name: 'demo-lib', version: '4.0.0', type: 'npm' },
        { name: 'nginx', version: '1.2.1-2.2+wheezy2', type: 'deb' },
        { name: 'org.apache.any23:apache-any23', version: '2.4', type: 'npm' },
      ],
      database,
      { id: 'debian', versionId: '12' },
      compare,
    );
    expect(matches.map((match) => `${match.id} ${match.type} ${match.version} ${match.fixed ?? '-'}`).sort()).toEqual([
      'MULTI-ECO-FIX-DEMO npm 4.0.0 -',
      'MULTI-ECO-FIX-DEMO pypi 1.1.9 1.2.0',
    ]);
    // DSA-3029-1 is for Debian:7: an older release's record says nothing about Debian 12.
    const wheezy = matchInventory(
      [{ name: 'nginx', version: '1.2.1-2.2+wheezy2', type: 'deb' }],
      database,
      { id: 'debian', versionId: '7' },
      compare,
    );
    expect(wheezy.map((match) => [match.id, match.fixed])).toEqual([['DSA-3029-1', '1.2.1-2.2+wheezy3']]);
    expect(database.info.ecosystems).toEqual(['Debian:7', 'Maven', 'PyPI', 'npm']);
  });

  it('scores the record’s CVSS vector (GHSA-838r-hvwh-24h8: CVSS:3.1/…/C:H/I:H/A:N is 9.1, critical)', async () => {
    const database = await loadOsvDatabase(join(FIXTURES, 'upstream'));
    const [entry] = database.lookup('Maven', 'org.apache.any23:apache-any23');
    const { recordSeverity } = await import('../../../../src/main/trust/vulns/osv-match');
    expect(recordSeverity(entry!.record)).toEqual({
      severity: 'critical',
      score: 9.1,
      vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N',
    });
  });
});
