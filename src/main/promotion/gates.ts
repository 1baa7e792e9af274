/**
 * Promotion gates: what a lane stage demands of an image before it enters (a verified signature, no known
 * vulnerability at or above a severity, an SBOM). Evaluated on the pinned source when a promotion is planned;
 * the plan shows each result and execution refuses a failing gate unless the user overrides it with a
 * reason, which the audit log keeps. Sync calls `evaluateGates` for the tags it writes into a gated stage.
 */
import { describeGate } from '../../shared/gates';
import { parseReference } from '../../shared/reference';
import type { GateResult, PromotionLane, PromotionStage, StageGate } from '../../shared/types/promotion';
import type { AttachedReports, GateSeverity, VulnerabilityMatch, VulnerabilityScan } from '../../shared/types/vulns';
import { GATE_SEVERITIES } from '../../shared/types/vulns';
import { isBerthError } from '../../shared/errors';
import { severityRank } from '../trust/vulns/cvss';
import { stageMatch, type RegistryHostLookup } from './lanes';
import { artifactTagFor } from '../../shared/artifact-tags';
import type { ImageReference } from '../../shared/reference';
import type { Referrer } from '../../shared/types/registry';
import type { AttestationSource } from '../trust/vulns/vuln-service';

/** What gates read; a check Berth cannot make here (no dependency) fails its gate, saying so. */
export interface GateDeps {
  /** Signatures of `reference` verified by the policy named (or the one for its registry and namespace). */
  verifySignature?(
    reference: string,
    policy: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ verified: boolean; signer?: string; reason?: string }>;
  /** Vulnerability reports attached to the image. */
  attachedReports?(reference: string, signal?: AbortSignal): Promise<AttachedReports>;
  /** OSV matching against the imported database; undefined when none is imported. */
  osvScan?(reference: string, signal?: AbortSignal): Promise<VulnerabilityScan | undefined>;
  /** Whether an SBOM is attached (a referrer, or an attestation whose envelope verified). */
  sbom?(reference: string, signal?: AbortSignal): Promise<{ present: boolean; detail: string }>;
}

/** The stages a target lands in (one per lane whose stage namespace holds it), with their gates. */
export function stagesForTarget(
  lanes: readonly PromotionLane[],
  target: string,
  hostOf: RegistryHostLookup,
): PromotionStage[] {
  const reference = parseReference(target);
  const stages: PromotionStage[] = [];
  for (const lane of lanes) {
    const match = stageMatch(lane, reference, hostOf);
    if (match) stages.push(lane.stages[match.index]!);
  }
  return stages;
}

function errorText(error: unknown): string {
  return isBerthError(error) ? error.message : ((error as Error)?.message ?? String(error));
}

function atOrAbove(matches: readonly VulnerabilityMatch[], severity: GateSeverity): VulnerabilityMatch[] {
  const threshold = severityRank(severity);
  return matches.filter((match) => severityRank(match.severity) >= threshold);
}

function listIds(matches: readonly VulnerabilityMatch[]): string {
  const ids = [...new Set(matches.map((match) => `${match.id} (${match.severity}, ${match.package || '?'})`))];
  return ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
}

async function vulnerabilityGate(
  severity: GateSeverity,
  reference: string,
  deps: GateDeps,
  signal?: AbortSignal,
): Promise<Pick<GateResult, 'passed' | 'message' | 'evidence'>> {
  const evidence: ('attached' | 'osv')[] = [];
  const findings: VulnerabilityMatch[] = [];
  const notes: string[] = [];
  if (deps.attachedReports) {
    const attached = await deps.attachedReports(reference, signal);
    const verified = attached.reports.filter((report) => report.verified);
    const unverified = attached.reports.length - verified.length;
    if (verified.length > 0) {
      evidence.push('attached');
      for (const report of verified) findings.push(...report.vulnerabilities);
      notes.push(`${verified.length} verified attached report${verified.length === 1 ? '' : 's'}`);
    }
    // An unverified report could say anything: it is named, and never counts as evidence either way.
    if (unverified > 0) notes.push(`${unverified} unverified report${unverified === 1 ? '' : 's'} not counted`);
  }
  if (deps.osvScan) {
    const scan = await deps.osvScan(reference, signal);
    if (scan) {
      evidence.push('osv');
      findings.push(...scan.vulnerabilities);
      notes.push(
        `OSV matching of ${scan.packagesScanned} packages (database of ${scan.database.date?.slice(0, 10) ?? 'unknown date'})`,
      );
    }
  }
  const basis = notes.join('; ');
  if (evidence.length === 0)
    return {
      passed: false,
      evidence,
      message: `Nothing to judge by: no verified vulnerability report is attached and no OSV database is imported${basis ? ` (${basis})` : ''}.`,
    };
  const blocking = atOrAbove(findings, severity);
  if (blocking.length === 0) return { passed: true, evidence, message: `None at or above ${severity}, by ${basis}.` };
  return {
    passed: false,
    evidence,
    message: `${new Set(blocking.map((match) => match.id)).size} at or above ${severity}: ${listIds(blocking)}; by ${basis}.`,
  };
}

async function evaluateGate(
  gate: StageGate,
  reference: string,
  deps: GateDeps,
  signal?: AbortSignal,
): Promise<Pick<GateResult, 'passed' | 'message' | 'evidence'>> {
  switch (gate.kind) {
    case 'signature': {
      if (!deps.verifySignature) return { passed: false, message: 'Signatures cannot be verified in this Berth.' };
      const trust = await deps.verifySignature(reference, gate.policy, signal);
      return trust.verified
        ? { passed: true, message: `Signed${trust.signer ? ` by ${trust.signer}` : ''}, verified.` }
        : { passed: false, message: `No verified signature${trust.reason ? `: ${trust.reason}` : '.'}` };
    }
    case 'vulnerabilities':
      if (!GATE_SEVERITIES.includes(gate.severity))
        return { passed: false, message: `Unknown severity "${String(gate.severity)}".` };
      return vulnerabilityGate(gate.severity, reference, deps, signal);
    case 'sbom': {
      if (!deps.sbom) return { passed: false, message: 'SBOMs cannot be looked up in this Berth.' };
      const sbom = await deps.sbom(reference, signal);
      return { passed: sbom.present, message: sbom.detail };
    }
  }
}

/**
 * Each gate of `stage` on `sourceReference` (pinned by digest, so what is judged is what is copied). A check
 * that fails to run (registry error, unreadable report) fails its gate with the reason: a gate never passes
 * by default. Cancellation propagates.
 */
export async function evaluateGates(
  stage: Pick<PromotionStage, 'name' | 'gates'>,
  sourceReference: string,
  deps: GateDeps,
  signal?: AbortSignal,
): Promise<GateResult[]> {
  const results: GateResult[] = [];
  for (const gate of stage.gates ?? []) {
    try {
      results.push({ gate, stage: stage.name, ...(await evaluateGate(gate, sourceReference, deps, signal)) });
    } catch (error) {
      if (signal?.aborted || (isBerthError(error) && error.code === 'cancelled')) throw error;
      results.push({
        gate,
        stage: stage.name,
        passed: false,
        message: `Could not check ${describeGate(gate)}: ${errorText(error)}`,
      });
    }
  }
  return results;
}

/** SPDX and CycloneDX in-toto predicate types (https://github.com/in-toto/attestation/tree/main/spec/predicates). */
const SBOM_PREDICATES = /spdx|cyclonedx/i;

export interface SbomSources {
  registry: {
    findReferrers(
      ref: ImageReference,
      options?: { signal?: AbortSignal },
    ): Promise<{ digest: string; referrers: Referrer[] }>;
    headManifest(ref: ImageReference, options?: { signal?: AbortSignal }): Promise<{ digest: string } | undefined>;
  };
  attestations?: AttestationSource;
}

/**
 * An SBOM is attached when a referrer is one, cosign's `.sbom` tag exists, or an SPDX/CycloneDX attestation's
 * envelope verified. An attestation that did not verify does not count (it could be anyone's).
 */
export function attachedSbomCheck(sources: SbomSources): NonNullable<GateDeps['sbom']> {
  return async (reference, signal) => {
    const ref = parseReference(reference);
    const options = signal ? { signal } : {};
    const { digest, referrers } = await sources.registry.findReferrers(ref, options);
    const referrer = referrers.find((entry) => entry.type === 'sbom');
    if (referrer)
      return {
        present: true,
        detail: `SBOM attached as referrer ${referrer.digest.slice(0, 19)}… (${referrer.artifactType}).`,
      };
    const tag = artifactTagFor(digest, 'sbom');
    if (await sources.registry.headManifest({ registry: ref.registry, repository: ref.repository, tag }, options))
      return { present: true, detail: `SBOM attached as cosign's ${tag}.` };
    const attestations =
      (await sources.attestations?.attestations(`${ref.registry}/${ref.repository}@${digest}`, options)) ?? [];
    const sboms = attestations.filter((attestation) => SBOM_PREDICATES.test(attestation.predicateType));
    const verified = sboms.find((attestation) => attestation.verified);
    if (verified) return { present: true, detail: `SBOM attestation (${verified.predicateType}) verified.` };
    if (sboms.length > 0)
      return {
        present: false,
        detail: `An SBOM attestation is attached but unverified: ${sboms[0]!.reason ?? 'its envelope did not verify'}.`,
      };
    return { present: false, detail: 'No SBOM is attached (no SBOM referrer, no .sbom tag, no SBOM attestation).' };
  };
}

/** What the signature gate reads of the trust service (SIG's `TrustService`), structurally. */
export interface SignatureVerifier<Policy extends { id: string; name: string }> {
  verify(
    reference: string,
    options?: { policy?: Policy; signal?: AbortSignal },
  ): Promise<{
    verified: boolean;
    signatures: { verified: boolean; signer?: string; reason?: string; kind: string }[];
  }>;
}

/**
 * The signature gate on the trust service: the gate's policy (by id or name) or, without one, the settings'
 * policy for the source's registry and namespace. A gate naming a policy that does not exist fails, naming it.
 */
export function signatureCheck<Policy extends { id: string; name: string }>(
  trust: SignatureVerifier<Policy>,
  policies: () => readonly Policy[],
): NonNullable<GateDeps['verifySignature']> {
  return async (reference, policyName, signal) => {
    let policy: Policy | undefined;
    if (policyName !== undefined) {
      policy = policies().find((entry) => entry.id === policyName || entry.name === policyName);
      if (!policy) return { verified: false, reason: `there is no trust policy named "${policyName}"` };
    }
    const result = await trust.verify(reference, { ...(policy ? { policy } : {}), ...(signal ? { signal } : {}) });
    const good = result.signatures.find((signature) => signature.verified);
    if (result.verified && good) return { verified: true, ...(good.signer ? { signer: good.signer } : {}) };
    const reasons = [
      ...new Set(result.signatures.map((signature) => `${signature.kind}: ${signature.reason ?? 'not verified'}`)),
    ];
    return { verified: false, reason: reasons.length > 0 ? reasons.join('; ') : 'the image carries no signature' };
  };
}
