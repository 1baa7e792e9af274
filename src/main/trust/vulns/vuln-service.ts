/**
 * Vulnerabilities of an image: offline OSV matching of its package inventory, and the scan reports attached
 * to it. Dependencies come in as small interfaces (the package inventory, signatures' attestations, the
 * registry client, the layer engine), so the service runs in plain Node and tests wire real ones.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BerthError, isBerthError } from '../../../shared/errors';
import { parseReference, type ImageReference } from '../../../shared/reference';
import type { Referrer } from '../../../shared/types/registry';
import type {
  AttachedReports,
  AttachedVulnerabilityReport,
  OsvDatabaseInfo,
  VulnerabilityScan,
} from '../../../shared/types/vulns';
import { COSIGN_VULN_PREDICATE, parseReportDocument, parseVulnPredicate, toAttachedReport } from './attached';
import type { OsRelease } from './ecosystems';
import { loadOsvDatabase, type OsvDatabase } from './osv-database';
import { countSeverities, matchInventory, type InstalledPackage, type VersionComparator } from './osv-match';

/** PKG's `PackageService.inventory`, structurally: packages, and the distribution from `/etc/os-release`. */
export interface InventorySource {
  inventory(
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: string; packages: InstalledPackage[]; os?: { id: string; versionId?: string } }>;
}

/** SIG's `TrustService.attestations`, structurally. */
export interface AttestationSource {
  attestations(
    reference: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ predicateType: string; verified: boolean; reason?: string; statement: unknown; source: string }[]>;
}

/** What the service reads from a registry (the RegistryClient's methods of those names). */
export interface ReferrerReader {
  findReferrers(
    ref: ImageReference,
    options?: { signal?: AbortSignal },
  ): Promise<{ digest: string; referrers: Referrer[] }>;
  getManifest(
    ref: ImageReference,
    options?: { signal?: AbortSignal },
  ): Promise<{ parsed: { form: string; layers?: { digest: string; size: number; mediaType: string }[] } }>;
  fetchBlob(
    repo: { registry: string; repository: string },
    target: { digest: string; size?: number },
    maxBytes: number,
    options?: { signal?: AbortSignal },
  ): Promise<Buffer>;
}

export interface VulnServiceOptions {
  /** The package inventory; without one, OSV matching is refused as unsupported. */
  inventory?: InventorySource;
  compareVersions: VersionComparator;
  attestations?: AttestationSource;
  registry: ReferrerReader;
  /** Where the imported database's location is remembered (the app's data folder). */
  dataDir: string;
}

export interface VulnService {
  /** Reads a folder or zip of OSV records and remembers it as the database scans use by default. */
  importDatabase(path: string, signal?: AbortSignal): Promise<OsvDatabaseInfo>;
  /** The imported database, if any (read again when its files changed). */
  database(signal?: AbortSignal): Promise<OsvDatabaseInfo | undefined>;
  /** Matches the image's packages against `db` (a path), or the imported database. */
  scan(reference: string, options?: { db?: string; signal?: AbortSignal }): Promise<VulnerabilityScan>;
  attached(reference: string, signal?: AbortSignal): Promise<AttachedReports>;
}

const IMPORTED_FILE = 'osv-database.json';
/** A report document larger than this is not read (Trivy's JSON of a large image is a few MiB). */
const MAX_REPORT_BYTES = 32 * 1024 * 1024;
/** Media types whose layers may hold a vulnerability report. In-toto envelopes are the attestation reader's. */
const REPORT_TYPES = /sarif|cyclonedx|vex|trivy|vuln|application\/json/i;
const ENVELOPE_TYPES = /dsse|in-toto|sigstore|cosign/i;
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;

export function createVulnService(options: VulnServiceOptions): VulnService {
  const importedFile = join(options.dataDir, IMPORTED_FILE);
  let loaded: { path: string; mtimeMs: number; database: OsvDatabase } | undefined;

  async function open(path: string, signal?: AbortSignal): Promise<OsvDatabase> {
    const absolute = resolve(path);
    const mtimeMs = await stat(absolute).then(
      (info) => info.mtimeMs,
      () => -1,
    );
    if (loaded && loaded.path === absolute && loaded.mtimeMs === mtimeMs) return loaded.database;
    const database = await loadOsvDatabase(absolute, signal);
    loaded = { path: absolute, mtimeMs, database };
    return database;
  }

  async function importedPath(): Promise<string | undefined> {
    try {
      const json = JSON.parse(await readFile(importedFile, 'utf8')) as { path?: unknown };
      return typeof json.path === 'string' ? json.path : undefined;
    } catch {
      return undefined;
    }
  }

  return {
    async importDatabase(path, signal) {
      const database = await open(path, signal);
      await mkdir(dirname(importedFile), { recursive: true });
      await writeFile(
        importedFile,
        `${JSON.stringify({ path: database.info.path, importedAt: new Date().toISOString() })}\n`,
      );
      return database.info;
    },
    async database(signal) {
      const path = await importedPath();
      return path === undefined ? undefined : (await open(path, signal)).info;
    },
    async scan(reference, scanOptions = {}) {
      const { signal } = scanOptions;
      const path = scanOptions.db ?? (await importedPath());
      if (path === undefined)
        throw new BerthError(
          'invalid_input',
          'No OSV database: import one (a folder or zip of OSV records) or give its path (--db DIR).',
        );
      const source = options.inventory;
      if (!source)
        throw new BerthError('unsupported', 'This Berth has no package inventory to match an OSV database against.');
      const [database, inventory] = await Promise.all([open(path, signal), source.inventory(reference, signal)]);
      const os: OsRelease | undefined =
        inventory.os?.versionId !== undefined ? { id: inventory.os.id, versionId: inventory.os.versionId } : undefined;
      const vulnerabilities = matchInventory(inventory.packages, database, os, options.compareVersions);
      return {
        reference,
        digest: inventory.digest,
        database: database.info,
        ...(os ? { os: { id: os.id, versionId: os.versionId } } : {}),
        packagesScanned: inventory.packages.length,
        vulnerabilities,
        counts: countSeverities(vulnerabilities),
      };
    },
    async attached(reference, signal) {
      const ref = parseReference(reference);
      const repo = { registry: ref.registry, repository: ref.repository };
      const requestOptions = signal ? { signal } : {};
      const problems: string[] = [];
      const reports: AttachedVulnerabilityReport[] = [];
      const { digest, referrers } = await options.registry.findReferrers(ref, requestOptions);
      for (const referrer of referrers) {
        if (referrer.type === 'signature' || ENVELOPE_TYPES.test(referrer.artifactType)) continue;
        if (!REPORT_TYPES.test(referrer.artifactType) && referrer.type !== 'other') continue;
        try {
          const manifest = await options.registry.getManifest({ ...repo, digest: referrer.digest }, requestOptions);
          for (const layer of manifest.parsed.layers ?? []) {
            if (layer.size > MAX_REPORT_BYTES || ENVELOPE_TYPES.test(layer.mediaType)) continue;
            const bytes = await options.registry.fetchBlob(repo, layer, MAX_REPORT_BYTES, requestOptions);
            let json: unknown;
            try {
              json = JSON.parse(bytes.toString('utf8'));
            } catch {
              continue;
            }
            const parsed = parseReportDocument(json);
            if (!parsed) continue;
            reports.push(
              toAttachedReport(
                parsed.format,
                referrer.digest,
                { verified: false, reason: 'a plain referrer document: nothing signs it' },
                parsed,
              ),
            );
          }
        } catch (error) {
          if (signal?.aborted || (isBerthError(error) && error.code === 'cancelled')) throw error;
          problems.push(`${referrer.digest}: ${(error as Error).message}`);
        }
      }
      if (options.attestations) {
        const pinned = `${ref.registry}/${ref.repository}@${digest}`;
        try {
          for (const attestation of await options.attestations.attestations(pinned, requestOptions)) {
            if (attestation.predicateType !== COSIGN_VULN_PREDICATE) continue;
            const statement = attestation.statement as { predicate?: unknown } | null;
            const parsed = parseVulnPredicate(statement?.predicate);
            if (!parsed.readable)
              problems.push(`${attestation.source}: the vuln attestation's scanner.result is in no format Berth reads`);
            reports.push(
              toAttachedReport(
                'cosign-vuln',
                attestation.source,
                { verified: attestation.verified, ...(attestation.reason ? { reason: attestation.reason } : {}) },
                parsed,
              ),
            );
          }
        } catch (error) {
          if (signal?.aborted || (isBerthError(error) && error.code === 'cancelled')) throw error;
          problems.push(`attestations: ${(error as Error).message}`);
        }
      }
      const counts = countSeverities([]);
      for (const report of reports) for (const severity of SEVERITY_ORDER) counts[severity] += report.counts[severity];
      return { reference, digest, reports, counts, problems };
    },
  };
}
