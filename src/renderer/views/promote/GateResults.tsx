/**
 * The target stage's gates in the promote dialog: each gate's result, and when one fails, the reason field
 * that overrides it (recorded in the audit log with the gates it overrode).
 * Test hooks: the list has data-testid "gate-results", each item data-gate (kind) and data-passed; the reason
 * field is labelled "Override reason".
 */
import { describeGate } from '../../../shared/gate-text';
import type { PromotionPlan } from '../../../shared/types/promotion';
import { Icon } from '../../components/Icon';
import { MIN_OVERRIDE_REASON } from '../../stores/promotion';

export function GateResults({
  plan,
  reason,
  onReason,
}: {
  plan: PromotionPlan;
  reason: string;
  onReason: (reason: string) => void;
}) {
  if (plan.gates.length === 0) return null;
  const failing = plan.gates.filter((gate) => !gate.passed);
  return (
    <section className="gate-results" aria-label="Gates">
      <h3 className="gate-title">Gates of {plan.gates[0]!.stage}</h3>
      <ul data-testid="gate-results">
        {plan.gates.map((gate, index) => (
          <li
            key={`${gate.gate.kind}-${index}`}
            data-gate={gate.gate.kind}
            data-passed={gate.passed}
            className={gate.passed ? 'gate-passed' : 'gate-failed'}
          >
            <Icon name={gate.passed ? 'check' : 'alert'} size={14} label={gate.passed ? 'passed' : 'failed'} />
            <div>
              <strong>{describeGate(gate.gate)}</strong>
              {gate.evidence && gate.evidence.length > 0 ? (
                <span className="muted">
                  {' '}
                  (by{' '}
                  {gate.evidence
                    .map((source) => (source === 'osv' ? 'OSV matching' : 'attached reports'))
                    .join(' and ')}
                  )
                </span>
              ) : null}
              <div className="muted">{gate.message}</div>
            </div>
          </li>
        ))}
      </ul>
      {failing.length > 0 ? (
        <div className="notice notice-warning" role="alert" data-testid="gate-blocked">
          <Icon name="alert" size={14} />
          <div>
            <strong>
              {failing.length === 1 ? 'A gate fails' : `${failing.length} gates fail`}: the promotion is blocked.
            </strong>
            <label className="gate-override">
              Override reason
              <textarea
                value={reason}
                rows={2}
                maxLength={1024}
                placeholder={`Why promote anyway (at least ${MIN_OVERRIDE_REASON} characters; recorded in the audit log)`}
                onChange={(event) => onReason(event.target.value)}
              />
            </label>
          </div>
        </div>
      ) : null}
    </section>
  );
}
