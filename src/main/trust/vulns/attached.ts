/**
 * Vulnerability reports attached to an image, read into one shape: cosign vuln attestations
 * (https://github.com/sigstore/cosign/blob/main/specs/COSIGN_VULN_ATTESTATION_SPEC.md, whose
 * `scanner.result` holds the scanner's own output), Trivy JSON, SARIF 2.1.0 and CycloneDX VEX documents.
 * Parsing is defensive: a report is untrusted input, so anything malformed is reported, never thrown past.
 */
import type {
  AttachedReportFormat,
  AttachedVulnerabilityReport,
  Severity,
  VulnerabilityMatch,
} from '../../../shared/types/vulns';
import { parseSeverityWord, scoreVector, severityOfScore } from './cvss';
import { countSeverities } from './osv-match';

export const COSIGN_VULN_PREDICATE = 'https://cosign.sigstore.dev/attestation/vuln/v1';

/** Findings kept per report; a report listing more is cut (counts stay exact). */
const MAX_FINDINGS = 20_000;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export interface ParsedReport {
  format: Exclude<AttachedReportFormat, 'cosign-vuln'>;
  scanner?: string;
  scannedAt?: string;
  findings: VulnerabilityMatch[];
}

function finding(
  id: string,
  severity: Severity,
  fields: { package?: string; version?: string; fixed?: string; score?: number; vector?: string; summary?: string },
): VulnerabilityMatch {
  const match: VulnerabilityMatch = { id, package: fields.package ?? '', version: fields.version ?? '', severity };
  if (fields.fixed) match.fixed = fields.fixed;
  if (fields.score !== undefined) match.score = fields.score;
  if (fields.vector) match.vector = fields.vector;
  if (fields.summary) match.summary = fields.summary;
  return match;
}

/** Trivy's `--format json` (SchemaVersion 2): Results[].Vulnerabilities[]. */
function parseTrivy(json: Json): ParsedReport {
  const findings: VulnerabilityMatch[] = [];
  for (const result of list(json.Results))
    for (const vuln of isObject(result) ? list(result.Vulnerabilities) : []) {
      if (!isObject(vuln) || !str(vuln.VulnerabilityID)) continue;
      findings.push(
        finding(str(vuln.VulnerabilityID)!, parseSeverityWord(vuln.Severity) ?? 'unknown', {
          ...(str(vuln.PkgName) ? { package: str(vuln.PkgName)! } : {}),
          ...(str(vuln.InstalledVersion) ? { version: str(vuln.InstalledVersion)! } : {}),
          ...(str(vuln.FixedVersion) ? { fixed: str(vuln.FixedVersion)! } : {}),
          ...(str(vuln.Title) ? { summary: str(vuln.Title)! } : {}),
        }),
      );
    }
  return {
    format: 'trivy',
    scanner: 'trivy',
    ...(str(json.CreatedAt) ? { scannedAt: str(json.CreatedAt)! } : {}),
    findings,
  };
}

/**
 * SARIF 2.1.0: results[] with their rule's `security-severity` (a CVSS score, as GitHub code scanning reads
 * it), else the result's `level`. Trivy's SARIF names package and versions in the message text.
 */
function parseSarif(json: Json): ParsedReport {
  const findings: VulnerabilityMatch[] = [];
  let scanner: string | undefined;
  for (const run of list(json.runs)) {
    if (!isObject(run)) continue;
    const driver = isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : {};
    scanner ??= str(driver.name);
    const rules = new Map<string, Json>();
    for (const rule of list(driver.rules)) if (isObject(rule) && str(rule.id)) rules.set(str(rule.id)!, rule);
    for (const result of list(run.results)) {
      if (!isObject(result) || !str(result.ruleId)) continue;
      const rule = rules.get(str(result.ruleId)!);
      const raw = isObject(rule?.properties) ? rule.properties['security-severity'] : undefined;
      const score = typeof raw === 'number' || (typeof raw === 'string' && raw.trim() !== '') ? Number(raw) : NaN;
      const text = isObject(result.message) ? (str(result.message.text) ?? '') : '';
      const field = (label: string) => new RegExp(`${label}:\\s*(\\S+)`).exec(text)?.[1];
      // A scanner's own word beats SARIF's coarse `level` (error/warning/note): Trivy tags rules `CRITICAL`...
      const tagged = list(isObject(rule?.properties) ? rule.properties.tags : [])
        .map(parseSeverityWord)
        .find((word) => word !== undefined && word !== 'unknown');
      findings.push(
        finding(
          str(result.ruleId)!,
          Number.isFinite(score) && score >= 0 && score <= 10
            ? severityOfScore(score)
            : (tagged ?? parseSeverityWord(field('Severity')) ?? parseSeverityWord(result.level) ?? 'unknown'),
          {
            ...(field('Package') ? { package: field('Package')! } : {}),
            ...(field('Installed Version') ? { version: field('Installed Version')! } : {}),
            ...(field('Fixed Version') ? { fixed: field('Fixed Version')! } : {}),
            ...(Number.isFinite(score) ? { score } : {}),
          },
        ),
      );
    }
  }
  return { format: 'sarif', ...(scanner ? { scanner } : {}), findings };
}

/** States under which CycloneDX VEX says a listed vulnerability does not apply (CycloneDX 1.4+ `analysis.state`). */
const NOT_APPLICABLE = new Set(['not_affected', 'resolved', 'resolved_with_pedigree', 'false_positive']);

/** CycloneDX VEX: vulnerabilities[] with ratings and `affects[].ref` pointing at components by bom-ref. */
function parseCycloneDxVex(json: Json): ParsedReport {
  const components = new Map<string, Json>();
  for (const component of list(json.components))
    if (isObject(component) && str(component['bom-ref'])) components.set(str(component['bom-ref'])!, component);
  const findings: VulnerabilityMatch[] = [];
  for (const vuln of list(json.vulnerabilities)) {
    if (!isObject(vuln) || !str(vuln.id)) continue;
    const state = isObject(vuln.analysis) ? str(vuln.analysis.state) : undefined;
    if (state && NOT_APPLICABLE.has(state)) continue;
    let severity: Severity = 'unknown';
    let score: number | undefined;
    let vector: string | undefined;
    for (const rating of list(vuln.ratings)) {
      if (!isObject(rating)) continue;
      const scored = str(rating.vector) ? scoreVector(str(rating.vector)!) : undefined;
      const word = parseSeverityWord(rating.severity);
      const ratingScore = scored?.score ?? (typeof rating.score === 'number' ? rating.score : undefined);
      if (ratingScore !== undefined && (score === undefined || ratingScore > score)) {
        score = ratingScore;
        vector = scored?.vector;
        severity = scored?.severity ?? word ?? severityOfScore(ratingScore);
      } else if (score === undefined && word) severity = word;
    }
    const affects = list(vuln.affects).filter(isObject);
    const targets = affects.length > 0 ? affects : [{}];
    for (const affect of targets) {
      const component = str(affect.ref) ? components.get(str(affect.ref)!) : undefined;
      const name = str(component?.name) ?? str(affect.ref);
      findings.push(
        finding(str(vuln.id)!, severity, {
          ...(name ? { package: name } : {}),
          ...(str(component?.version) ? { version: str(component?.version)! } : {}),
          ...(score !== undefined ? { score } : {}),
          ...(vector ? { vector } : {}),
          ...(str(vuln.description) ? { summary: str(vuln.description)! } : {}),
        }),
      );
    }
  }
  const tools = isObject(json.metadata) ? json.metadata.tools : undefined;
  const tool = list(isObject(tools) ? tools.components : tools).find(isObject);
  const timestamp = isObject(json.metadata) ? str(json.metadata.timestamp) : undefined;
  return {
    format: 'cyclonedx-vex',
    ...(str(tool?.name) ? { scanner: str(tool?.name)! } : {}),
    ...(timestamp ? { scannedAt: timestamp } : {}),
    findings,
  };
}

/**
 * Which report a JSON document is, by its shape; undefined for anything else (an SBOM without
 * vulnerabilities, a signature payload...).
 */
export function parseReportDocument(json: unknown): ParsedReport | undefined {
  if (!isObject(json)) return undefined;
  if (Array.isArray(json.runs) && (json.version === '2.1.0' || /sarif/i.test(String(json.$schema ?? ''))))
    return parseSarif(json);
  if (json.bomFormat === 'CycloneDX' && Array.isArray(json.vulnerabilities)) return parseCycloneDxVex(json);
  if (json.SchemaVersion !== undefined && Array.isArray(json.Results)) return parseTrivy(json);
  return undefined;
}

/**
 * A cosign vuln attestation's predicate: `scanner.result` holds Trivy JSON, SARIF or CycloneDX; when it is
 * none of those the report has no findings Berth can read, which is said rather than read as "clean".
 */
export function parseVulnPredicate(predicate: unknown): ParsedReport & { readable: boolean } {
  const scanner = isObject(predicate) && isObject(predicate.scanner) ? predicate.scanner : {};
  const metadata = isObject(predicate) && isObject(predicate.metadata) ? predicate.metadata : {};
  const inner = parseReportDocument(scanner.result);
  const name = str(scanner.uri) ?? inner?.scanner;
  const scannedAt = str(metadata.scanFinishedOn) ?? str(metadata.scanStartedOn) ?? inner?.scannedAt;
  return {
    format: inner?.format ?? 'trivy',
    findings: inner?.findings ?? [],
    readable: inner !== undefined,
    ...(name ? { scanner: name } : {}),
    ...(scannedAt ? { scannedAt } : {}),
  };
}

export function toAttachedReport(
  format: AttachedReportFormat,
  source: string,
  verification: { verified: boolean; reason?: string },
  parsed: Pick<ParsedReport, 'scanner' | 'scannedAt' | 'findings'>,
): AttachedVulnerabilityReport {
  return {
    format,
    source,
    verified: verification.verified,
    ...(verification.reason ? { reason: verification.reason } : {}),
    ...(parsed.scanner ? { scanner: parsed.scanner } : {}),
    ...(parsed.scannedAt ? { scannedAt: parsed.scannedAt } : {}),
    counts: countSeverities(parsed.findings),
    vulnerabilities: parsed.findings.slice(0, MAX_FINDINGS),
  };
}
