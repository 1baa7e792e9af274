import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReportDocument, parseVulnPredicate } from '../../../../src/main/trust/vulns/attached';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/vuln-reports');
const read = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

describe('attached vulnerability reports (real Trivy output)', () => {
  it('reads Trivy JSON: id, package, installed and fixed versions, severity', () => {
    const report = parseReportDocument(read('trivy-alpine-310.json'))!;
    expect(report.format).toBe('trivy');
    expect(report.scannedAt).toBe('2021-08-25T12:20:30.000000005Z');
    expect(report.findings.map((f) => [f.id, f.package, f.version, f.fixed, f.severity])).toEqual([
      ['CVE-2019-1549', 'libcrypto1.1', '1.1.1c-r0', '1.1.1d-r0', 'medium'],
      ['CVE-2019-1551', 'libcrypto1.1', '1.1.1c-r0', '1.1.1d-r2', 'medium'],
      ['CVE-2019-1549', 'libssl1.1', '1.1.1c-r0', '1.1.1d-r0', 'medium'],
      ['CVE-2019-1551', 'libssl1.1', '1.1.1c-r0', '1.1.1d-r2', 'medium'],
    ]);
  });

  it('reads the same scan as SARIF: the severity Trivy tags each rule with, package and versions from the message', () => {
    const sarif = parseReportDocument(read('trivy-alpine-310.sarif'))!;
    expect(sarif).toMatchObject({ format: 'sarif', scanner: 'Trivy' });
    // The golden's rules are tagged MEDIUM; it is the same scan as the JSON golden, so the same findings.
    const row = (f: { id: string; package: string; version: string; fixed?: string; severity: string }) => [
      f.id,
      f.package,
      f.version,
      f.fixed,
      f.severity,
    ];
    expect(sarif.findings.map(row)).toEqual(parseReportDocument(read('trivy-alpine-310.json'))!.findings.map(row));
    expect(sarif.findings).toHaveLength(4);
  });

  it('reads CycloneDX vulnerabilities: the highest CVSS score among the ratings, the affected component', () => {
    const report = parseReportDocument(read('trivy-fluentd-short.cdx.json'))!;
    expect(report.format).toBe('cyclonedx-vex');
    expect(report.findings.map((f) => [f.id, f.severity, f.score])).toEqual([
      // NVD's CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H is 9.8 (critical); the vendors' words are lower.
      ['CVE-2019-18224', 'critical', 9.8],
      // CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H is 7.8 (high).
      ['CVE-2019-18276', 'high', 7.8],
      ['CVE-2020-8165', 'critical', 9.8],
    ]);
    expect(report.findings[1]).toMatchObject({ package: 'bash', version: '5.0-4' });
  });

  it('leaves out what a VEX statement says does not apply', () => {
    const vex = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: [{ 'bom-ref': 'pkg:npm/a@1.0.0', name: 'a', version: '1.0.0' }],
      vulnerabilities: [
        {
          id: 'CVE-1',
          ratings: [{ severity: 'critical' }],
          affects: [{ ref: 'pkg:npm/a@1.0.0' }],
          analysis: { state: 'not_affected' },
        },
        {
          id: 'CVE-2',
          ratings: [{ severity: 'high' }],
          affects: [{ ref: 'pkg:npm/a@1.0.0' }],
          analysis: { state: 'exploitable' },
        },
      ],
    };
    expect(parseReportDocument(vex)!.findings.map((f) => [f.id, f.package, f.severity])).toEqual([
      ['CVE-2', 'a', 'high'],
    ]);
  });

  it('reads a cosign vuln predicate whose scanner.result is Trivy JSON; an unknown result is not "clean"', () => {
    const predicate = {
      scanner: { uri: 'pkg:github/aquasecurity/trivy@0.50.0', result: read('trivy-alpine-310.json') },
      metadata: { scanFinishedOn: '2026-01-01T00:00:00Z' },
    };
    const parsed = parseVulnPredicate(predicate);
    expect(parsed).toMatchObject({
      readable: true,
      scanner: 'pkg:github/aquasecurity/trivy@0.50.0',
      scannedAt: '2026-01-01T00:00:00Z',
    });
    expect(parsed.findings.length).toBeGreaterThan(0);
    expect(parseVulnPredicate({ scanner: { result: { something: 'else' } } })).toMatchObject({
      readable: false,
      findings: [],
    });
  });

  it('ignores what is not a report, and never throws on malformed documents', () => {
    for (const value of [null, 42, 'x', [], {}, { runs: 'no' }, { bomFormat: 'CycloneDX' }, { SchemaVersion: 2 }])
      expect(parseReportDocument(value)).toBeUndefined();
    expect(
      parseReportDocument({ SchemaVersion: 2, Results: [null, { Vulnerabilities: [1, { VulnerabilityID: 7 }] }] })!
        .findings,
    ).toEqual([]);
    expect(
      parseReportDocument({ version: '2.1.0', runs: [null, { results: [{ ruleId: 'X', level: 'bogus' }] }] })!.findings,
    ).toEqual([expect.objectContaining({ id: 'X', severity: 'unknown' })]);
  });
});
