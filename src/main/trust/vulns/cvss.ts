/**
 * CVSS vectors to scores, with the maintained calculator (ae-cvss-calculator: v2, v3.0, v3.1, v4.0 per
 * FIRST's specifications), and scores to the qualitative bands of
 * https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale (v4 uses the same).
 */
// A CommonJS bundle whose named exports Node's ESM loader cannot detect: read them off the default export.
import cvssCalculator from 'ae-cvss-calculator';
import type { Severity } from '../../../shared/types/vulns';

const { fromVector } = cvssCalculator;

export interface CvssScore {
  vector: string;
  score: number;
  severity: Severity;
}

interface CalculatorVector {
  isBaseFullyDefined(): boolean;
  calculateScores(): { base?: number };
}

/** The base score of a vector, or undefined when it is not a complete CVSS base vector. */
export function scoreVector(vector: string): CvssScore | undefined {
  let parsed: CalculatorVector | null;
  try {
    parsed = fromVector(vector.trim()) as CalculatorVector | null;
  } catch {
    return undefined;
  }
  if (!parsed || !parsed.isBaseFullyDefined()) return undefined;
  const score = parsed.calculateScores().base;
  if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
  return { vector: vector.trim(), score, severity: severityOfScore(score) };
}

export function severityOfScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

const RANK: Record<Severity, number> = { none: 0, unknown: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Orders severities: critical first. `unknown` ranks with `none`: it satisfies no "at or above" threshold. */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/** Words scanners and databases use (GHSA's MODERATE, Trivy's UNKNOWN, SARIF's error/warning/note). */
export function parseSeverityWord(word: unknown): Severity | undefined {
  if (typeof word !== 'string') return undefined;
  switch (word.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
    case 'error':
      return 'high';
    case 'medium':
    case 'moderate':
    case 'warning':
      return 'medium';
    case 'low':
    case 'negligible':
    case 'note':
      return 'low';
    case 'none':
    case 'info':
      return 'none';
    case 'unknown':
      return 'unknown';
    default:
      return undefined;
  }
}
