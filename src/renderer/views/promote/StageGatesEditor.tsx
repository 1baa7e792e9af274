/**
 * A lane stage's gates in the lanes editor: a verified signature (by a named trust policy, or the image's own
 * registry and namespace policy), no vulnerabilities at or above a severity, an SBOM attached. Main checks
 * them on every promotion into the stage (see src/main/promotion/gates.ts).
 */
import type { StageGate } from '../../../shared/types/promotion';
import { GATE_SEVERITIES, type GateSeverity } from '../../../shared/types/vulns';

const NO_GATES: StageGate[] = [];

export function StageGatesEditor({
  stage,
  gates = NO_GATES,
  onChange,
}: {
  stage: string;
  gates?: StageGate[];
  onChange: (gates: StageGate[]) => void;
}) {
  const signature = gates.find((gate) => gate.kind === 'signature');
  const vulnerabilities = gates.find((gate) => gate.kind === 'vulnerabilities');
  const sbom = gates.some((gate) => gate.kind === 'sbom');
  // One gate per kind, in a stable order: signature, vulnerabilities, SBOM.
  const write = (next: { signature?: StageGate; vulnerabilities?: StageGate; sbom: boolean }) =>
    onChange([
      ...(next.signature ? [next.signature] : []),
      ...(next.vulnerabilities ? [next.vulnerabilities] : []),
      ...(next.sbom ? [{ kind: 'sbom' } as const] : []),
    ]);
  const current = { ...(signature ? { signature } : {}), ...(vulnerabilities ? { vulnerabilities } : {}), sbom };
  const name = stage || 'stage';
  return (
    <div className="stage-gates" role="group" aria-label={`Gates of ${name}`}>
      <label className="checkbox-line">
        <input
          type="checkbox"
          aria-label={`${name}: require a verified signature`}
          checked={signature !== undefined}
          onChange={(event) => {
            const { signature: _dropped, ...rest } = current;
            write(event.target.checked ? { ...rest, signature: { kind: 'signature' } } : rest);
          }}
        />
        Signed
      </label>
      {signature?.kind === 'signature' ? (
        <input
          className="input input-small"
          aria-label={`${name}: trust policy`}
          placeholder="policy (default: the image's)"
          value={signature.policy ?? ''}
          onChange={(event) =>
            write({
              ...current,
              signature: {
                kind: 'signature',
                ...(event.target.value.trim() ? { policy: event.target.value.trim() } : {}),
              },
            })
          }
        />
      ) : null}
      <select
        className="input input-small"
        aria-label={`${name}: block vulnerabilities at or above`}
        value={vulnerabilities?.kind === 'vulnerabilities' ? vulnerabilities.severity : ''}
        onChange={(event) => {
          const { vulnerabilities: _dropped, ...rest } = current;
          const severity = event.target.value as GateSeverity | '';
          write(severity ? { ...rest, vulnerabilities: { kind: 'vulnerabilities', severity } } : rest);
        }}
      >
        <option value="">Any vulnerabilities</option>
        {GATE_SEVERITIES.map((severity) => (
          <option key={severity} value={severity}>
            None ≥ {severity}
          </option>
        ))}
      </select>
      <label className="checkbox-line">
        <input
          type="checkbox"
          aria-label={`${name}: require an SBOM`}
          checked={sbom}
          onChange={(event) => write({ ...current, sbom: event.target.checked })}
        />
        SBOM
      </label>
    </div>
  );
}
