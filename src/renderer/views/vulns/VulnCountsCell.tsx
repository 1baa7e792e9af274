/**
 * The tag table's vulnerability column: severity counts from the scan reports attached to the row's image
 * (cosign vuln attestations, Trivy, SARIF, CycloneDX VEX). Only images with something attached (an `.att`
 * tag or a referrers fallback tag) are asked about, so a plain repository costs no extra requests.
 * Test hooks: [data-vuln-counts] holds "critical high medium low" counts; [data-verified] says whether every
 * report behind them verified.
 */
import { useEffect } from 'react';
import type { SeverityCounts } from '../../../shared/types/vulns';
import type { AttachedTag } from '../../logic/artifact-tags';
import { useVulns } from '../../stores/vulns';
import './vulns.css';

const SHOWN = ['critical', 'high', 'medium', 'low'] as const;
const LETTER: Record<(typeof SHOWN)[number], string> = { critical: 'C', high: 'H', medium: 'M', low: 'L' };

export function countsTitle(counts: SeverityCounts): string {
  return SHOWN.map((severity) => `${counts[severity]} ${severity}`).join(', ');
}

export function VulnCountsCell({
  reference,
  attached,
}: {
  /** `host/repository@digest`. */
  reference: string;
  attached: readonly AttachedTag[] | undefined;
}) {
  const ask = (attached ?? []).some((tag) => tag.kind === 'attestation' || tag.kind === 'referrers-fallback');
  const state = useVulns((s) => s.attached[reference]);
  const want = useVulns((s) => s.wantAttached);
  useEffect(() => {
    if (ask) want(reference);
  }, [ask, want, reference]);
  if (!ask) return <span className="muted">—</span>;
  if (!state || state.status === 'loading') return <span className="cell-pending" aria-label="Reading reports" />;
  if (state.status === 'error')
    return (
      <span className="muted" title={state.error.message}>
        ?
      </span>
    );
  const { reports, counts } = state.value;
  if (reports.length === 0) return <span className="muted">—</span>;
  const verified = reports.every((report) => report.verified);
  return (
    <span
      className="vuln-counts"
      data-vuln-counts={SHOWN.map((severity) => counts[severity]).join(' ')}
      data-verified={verified}
      title={`${countsTitle(counts)} from ${reports.length} report${reports.length === 1 ? '' : 's'}${verified ? '' : ' (not all verified)'}`}
    >
      {SHOWN.map((severity) => (
        <span key={severity} className={`vuln-count vuln-${severity}${counts[severity] === 0 ? ' zero' : ''}`}>
          {LETTER[severity]}
          {counts[severity]}
        </span>
      ))}
      {verified ? null : <span className="muted">*</span>}
    </span>
  );
}
