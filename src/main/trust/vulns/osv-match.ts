/**
 * Matching an inventory against OSV records, evaluating `affected` as the schema says
 * (https://ossf.github.io/osv-schema/#evaluation): a version is affected when it is listed in `versions`, or
 * when, walking a SEMVER/ECOSYSTEM range's events in version order ("0" first), the last event at or below
 * it is an `introduced` (a `fixed` at or below, or a `last_affected` below, ends the span), and it is below
 * a `limit` when the range has any. SEMVER ranges compare as SemVer 2.0; ECOSYSTEM ranges in the
 * ecosystem's own order (both from the package inventory's `compareVersions`). GIT ranges name commits, which an installed package does not have: not evaluated.
 */
import type { Severity, SeverityCounts, VulnerabilityMatch } from '../../../shared/types/vulns';
import { parseSeverityWord, scoreVector, severityRank } from './cvss';
import { osvEcosystem, osvVersion, type OsRelease } from './ecosystems';
import type { OsvAffected, OsvDatabase, OsvEvent, OsvRange, OsvRecord } from './osv-database';

/** `compareVersions(type, a, b)`: negative, zero or positive; throws on a version the order cannot read. */
export type VersionComparator = (type: string, a: string, b: string) => number;

/** What matching reads of an installed package (PKG's `Package`). */
export interface InstalledPackage {
  name: string;
  version: string;
  type: string;
  /** dpkg `Source:` (OSV's Debian records are keyed by source package). */
  source?: string;
  /** The source package's version when it differs (`Source: bash (5.2.15-2)` of a binNMU `5.2.15-2+b8`). */
  sourceVersion?: string;
}

type Compare = (a: string, b: string) => number;

const eventVersion = (event: OsvEvent): string | undefined =>
  event.introduced ?? event.fixed ?? event.last_affected ?? event.limit;

export interface RangeOutcome {
  affected: boolean;
  /** The first `fixed` above the installed version in the span that holds it. */
  fixed?: string;
}

/** One range, per the schema's evaluation pseudo-code; throws when a version cannot be compared. */
export function evaluateRange(version: string, range: OsvRange, compare: Compare): RangeOutcome {
  const ordered = range.events
    .filter((event) => eventVersion(event) !== undefined && event.limit === undefined)
    .map((event) => ({ event, at: eventVersion(event)! }))
    .sort((a, b) => (a.at === '0' ? (b.at === '0' ? 0 : -1) : b.at === '0' ? 1 : compare(a.at, b.at)));
  let affected = false;
  let fixed: string | undefined;
  for (const { event } of ordered) {
    if (event.introduced !== undefined) {
      if (event.introduced === '0' || compare(version, event.introduced) >= 0) affected = true;
    } else if (event.fixed !== undefined) {
      if (compare(version, event.fixed) >= 0) affected = false;
      else if (affected && fixed === undefined) fixed = event.fixed;
    } else if (event.last_affected !== undefined) {
      if (compare(version, event.last_affected) > 0) affected = false;
    }
    // A `fixed` seen before the span that holds the version is not that span's fix.
    if (!affected) fixed = undefined;
  }
  const limits = range.events.map((event) => event.limit).filter((limit): limit is string => limit !== undefined);
  if (affected && limits.length > 0 && !limits.some((limit) => limit === '*' || compare(version, limit) < 0))
    affected = false;
  return affected ? { affected, ...(fixed !== undefined ? { fixed } : {}) } : { affected };
}

/** Whether one `affected` entry includes the version; undefined when no range could be evaluated. */
export function evaluateAffected(
  version: string,
  affected: OsvAffected,
  orders: { ecosystem: Compare; semver: Compare },
  listedAs: string = version,
): RangeOutcome & { evaluated: boolean } {
  if (affected.versions.includes(listedAs)) {
    // Listed explicitly; a range may still name its fix.
    const withFix = rangesOutcome(version, affected.ranges, orders);
    return { affected: true, evaluated: true, ...(withFix.fixed ? { fixed: withFix.fixed } : {}) };
  }
  return rangesOutcome(version, affected.ranges, orders);
}

function rangesOutcome(version: string, ranges: OsvRange[], orders: { ecosystem: Compare; semver: Compare }) {
  let evaluated = false;
  for (const range of ranges) {
    const compare = range.type === 'SEMVER' ? orders.semver : range.type === 'ECOSYSTEM' ? orders.ecosystem : undefined;
    if (!compare) continue;
    try {
      const outcome = evaluateRange(version, range, compare);
      evaluated = true;
      if (outcome.affected) return { ...outcome, evaluated };
    } catch {
      // A version this order cannot read (a malformed record or package): this range says nothing.
    }
  }
  return { affected: false, evaluated };
}

/** The record's severity: the highest CVSS base score among its vectors, else the database's word. */
export function recordSeverity(
  record: OsvRecord,
  affected?: OsvAffected,
): Pick<VulnerabilityMatch, 'severity' | 'score' | 'vector'> {
  let best: { score: number; vector: string; severity: Severity } | undefined;
  for (const vector of record.vectors) {
    const scored = scoreVector(vector);
    if (scored && (!best || scored.score > best.score)) best = scored;
  }
  if (best) return { severity: best.severity, score: best.score, vector: best.vector };
  return {
    severity: parseSeverityWord(affected?.severityWord) ?? parseSeverityWord(record.severityWord) ?? 'unknown',
  };
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, none: 0, unknown: 0 };
}

export function countSeverities(matches: readonly { severity: Severity }[]): SeverityCounts {
  const counts = emptyCounts();
  for (const match of matches) counts[match.severity]++;
  return counts;
}

/** Every (record, package) pair whose `affected` includes the installed version; most severe first. */
export function matchInventory(
  packages: readonly InstalledPackage[],
  database: OsvDatabase,
  os: OsRelease | undefined,
  compareVersions: VersionComparator,
): VulnerabilityMatch[] {
  const matches: VulnerabilityMatch[] = [];
  const seen = new Set<string>();
  for (const pkg of packages) {
    const ecosystem = osvEcosystem(pkg.type, os);
    if (!ecosystem) continue;
    // Debian's records are keyed by the source package; a binary without `Source:` is its own source.
    const lookupName = pkg.type === 'deb' ? (pkg.source ?? pkg.name) : pkg.name;
    // ...and name source versions, which a binNMU's binary version (`+b8`) is not.
    const version = pkg.type === 'deb' ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
    const orders = {
      ecosystem: (a: string, b: string) => compareVersions(pkg.type, a, b),
      // SEMVER ranges are SemVer 2.0 whatever the ecosystem: npm's order is exactly that.
      semver: (a: string, b: string) => compareVersions('npm', a, b),
    };
    for (const { record, affected } of database.lookup(ecosystem, lookupName)) {
      const key = `${record.id}\0${pkg.type}\0${pkg.name}\0${pkg.version}`;
      if (seen.has(key)) continue;
      const outcome = evaluateAffected(version, affected, orders, osvVersion(pkg.type, version));
      if (!outcome.affected) continue;
      seen.add(key);
      matches.push({
        id: record.id,
        ...(record.aliases.length > 0 ? { aliases: record.aliases } : {}),
        package: pkg.name,
        type: pkg.type,
        ...(lookupName !== pkg.name ? { source: lookupName } : {}),
        version: pkg.version,
        ...(outcome.fixed !== undefined ? { fixed: outcome.fixed } : {}),
        ...recordSeverity(record, affected),
        ...(record.summary ? { summary: record.summary } : {}),
      });
    }
  }
  return matches.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      (b.score ?? 0) - (a.score ?? 0) ||
      a.package.localeCompare(b.package) ||
      a.id.localeCompare(b.id),
  );
}
