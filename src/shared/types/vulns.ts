/** Vulnerabilities: attached scan reports, offline OSV matching, and the severities gates compare. */

/** Qualitative severity, as CVSS v3/v4 name score bands (https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale). */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'none' | 'unknown';

/** Severities a gate may name, lowest first. */
export const GATE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type GateSeverity = (typeof GATE_SEVERITIES)[number];

export type SeverityCounts = Record<Severity, number>;

export interface VulnerabilityMatch {
  /** OSV id (`GHSA-…`, `DSA-…`, `CVE-…`), or the scanner's id in an attached report. */
  id: string;
  aliases?: string[];
  /** The installed package's name (for Debian, the binary package; `source` is what OSV keyed it by). */
  package: string;
  /** Package type of the inventory (`deb`, `apk`, `npm`, `pypi`, `rpm`, `golang`), when known. */
  type?: string;
  /** The dpkg `Source:` the Debian record names, when it differs from the package. */
  source?: string;
  /** Installed version. */
  version: string;
  /** The first version that fixes it, when the record names one. */
  fixed?: string;
  severity: Severity;
  /** The CVSS base score computed from `vector`. */
  score?: number;
  vector?: string;
  summary?: string;
}

export interface OsvDatabaseInfo {
  /** Folder or zip it was read from. */
  path: string;
  /** The newest `modified` among its records (ISO 8601): how current the database is. */
  date?: string;
  records: number;
  ecosystems: string[];
  /** Files that were not OSV records (skipped, counted). */
  skipped: number;
}

export interface VulnerabilityScan {
  reference: string;
  digest: string;
  database: OsvDatabaseInfo;
  /** The OS the Debian/Alpine records were chosen for (`/etc/os-release`: `debian 12`), when found. */
  os?: { id: string; versionId: string };
  packagesScanned: number;
  vulnerabilities: VulnerabilityMatch[];
  counts: SeverityCounts;
}

export type AttachedReportFormat = 'cosign-vuln' | 'trivy' | 'sarif' | 'cyclonedx-vex';

export interface AttachedVulnerabilityReport {
  format: AttachedReportFormat;
  /** Referrer digest or `.att` tag it came from. */
  source: string;
  /** Whether its envelope was verified against the trust policy (plain referrer documents never are). */
  verified: boolean;
  reason?: string;
  scanner?: string;
  /** When the scan ran, if the report says. */
  scannedAt?: string;
  counts: SeverityCounts;
  vulnerabilities: VulnerabilityMatch[];
}

export interface AttachedReports {
  reference: string;
  digest: string;
  reports: AttachedVulnerabilityReport[];
  /** Severity counts over every report, verified or not (the tag table's column). */
  counts: SeverityCounts;
  /** Reports that could not be read, with why (a malformed document never hides the others). */
  problems: string[];
}
