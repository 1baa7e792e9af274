/**
 * The retention preview of one repository: rules in, the exact plan out (each tag kept or removed with the
 * rule that decided it, bytes freed after garbage collection, the plan's hash), then "Apply this plan",
 * which applies exactly what is shown and says how to reclaim the space.
 *
 * The fields start from the policy stored for this repository, and "Save as this repository's policy" stores
 * what they say (retention plans without rules given, and `berth retention plan`, use stored policies).
 *
 * Test hooks: dialog "Retention"; fields "Keep the last", "Keep tags matching", "Keep newer than (days)",
 * "Keep pulled within (days)"; button "Preview"; lists "Kept" and "Removed" (items data-tag); data-testid
 * "bytes-freed", "plan-hash"; buttons "Apply this plan", "Save as this repository's policy"; status
 * data-testid "policy-saved".
 */
import { useEffect, useState } from 'react';
import { scopePolicy } from '../../../shared/retention-scopes';
import { Dialog } from '../../components/Dialog';
import { ErrorState } from '../../components/states';
import { formatBytes } from '../../logic/format';
import { useDeletion } from '../../stores/deletion';
import type { RetentionPolicy } from '../../../shared/types/deletion';

export function RetentionDialog({ scope, onClose }: { scope: string; onClose: (changed: boolean) => void }) {
  const [keepLast, setKeepLast] = useState('10');
  const [keep, setKeep] = useState('');
  const [newerThan, setNewerThan] = useState('');
  const [pulledWithin, setPulledWithin] = useState('');
  const [saved, setSaved] = useState(false);
  const stored = useDeletion((s) => s.storedPolicies);
  const loadPolicies = useDeletion((s) => s.loadPolicies);
  const savePolicy = useDeletion((s) => s.savePolicy);
  useEffect(() => {
    void loadPolicies().then((policies) => {
      // The fields start from this repository's stored policy, when it has one.
      const current = scopePolicy(policies ?? [], scope);
      if (!current) return;
      setKeepLast(current.keepLast !== undefined ? String(current.keepLast) : '');
      setKeep((current.keep ?? []).join(', '));
      setNewerThan(current.newerThanDays !== undefined ? String(current.newerThanDays) : '');
      setPulledWithin(current.pulledWithinDays !== undefined ? String(current.pulledWithinDays) : '');
    });
  }, [loadPolicies, scope]);
  const plan = useDeletion((s) => s.retentionPlan);
  const result = useDeletion((s) => s.retentionResult);
  const preview = useDeletion((s) => s.previewRetention);
  const apply = useDeletion((s) => s.applyRetention);
  const reset = useDeletion((s) => s.resetRetention);
  const close = () => {
    const changed = result?.status === 'ready';
    reset();
    onClose(changed);
  };
  const policy = (): RetentionPolicy => ({
    ...(keepLast.trim() ? { keepLast: Number(keepLast) } : {}),
    ...(keep.trim()
      ? {
          keep: keep
            .split(',')
            .map((glob) => glob.trim())
            .filter(Boolean),
        }
      : {}),
    ...(newerThan.trim() ? { newerThanDays: Number(newerThan) } : {}),
    ...(pulledWithin.trim() ? { pulledWithinDays: Number(pulledWithin) } : {}),
  });
  const value = plan?.value;
  const applied = result?.status === 'ready' ? result.value : undefined;
  return (
    <Dialog
      open
      onOpenChange={(open) => !open && close()}
      title="Retention"
      width={680}
      description={`Preview what a policy keeps and removes in ${scope}. Apply runs exactly the previewed plan.`}
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Done
          </button>
          {!applied ? (
            <button
              type="button"
              className="button button-danger"
              disabled={plan?.status !== 'ready' || value?.delete.length === 0 || result?.status === 'loading'}
              onClick={() => void apply()}
            >
              Apply this plan
            </button>
          ) : null}
        </>
      }
    >
      <form
        className="retention-form"
        onSubmit={(event) => {
          event.preventDefault();
          void preview(scope, policy());
        }}
      >
        <label>
          Keep the last
          <input value={keepLast} onChange={(event) => setKeepLast(event.target.value)} inputMode="numeric" />
        </label>
        <label>
          Keep tags matching
          <input value={keep} onChange={(event) => setKeep(event.target.value)} placeholder="stable-*, v1.*" />
        </label>
        <label>
          Keep newer than (days)
          <input value={newerThan} onChange={(event) => setNewerThan(event.target.value)} inputMode="numeric" />
        </label>
        <label>
          Keep pulled within (days)
          <input
            value={pulledWithin}
            onChange={(event) => setPulledWithin(event.target.value)}
            inputMode="numeric"
            title="Harbor and Docker Hub report pull times; elsewhere the plan says this rule does not apply"
          />
        </label>
        <button type="submit" className="button button-primary" disabled={plan?.status === 'loading'}>
          Preview
        </button>
        <button
          type="button"
          className="button"
          disabled={stored?.status === 'loading'}
          onClick={() => {
            setSaved(false);
            void savePolicy(scope, policy()).then((policies) => setSaved(policies !== undefined));
          }}
        >
          Save as this repository&apos;s policy
        </button>
      </form>
      {saved ? (
        <p role="status" data-testid="policy-saved" className="muted">
          Saved as the retention policy of {scope}.
        </p>
      ) : null}
      {stored?.status === 'error' ? <ErrorState error={stored.error} compact /> : null}
      {plan?.status === 'error' ? <ErrorState error={plan.error} compact /> : null}
      {value ? (
        <div className="retention-plan">
          <p>
            <span data-testid="bytes-freed">{formatBytes(value.bytesFreed)}</span> freed after garbage collection · plan{' '}
            <code data-testid="plan-hash">{value.planHash.slice(7, 19)}</code>
          </p>
          <h3>Removed ({value.delete.length})</h3>
          <ul aria-label="Removed">
            {value.delete.map((entry) => (
              <li key={`${entry.repository}:${entry.tag}`} data-tag={entry.tag}>
                {entry.action === 'untag' ? 'untag' : 'delete'} <code>{entry.tag}</code>{' '}
                <span className="muted">{entry.rule}</span>
              </li>
            ))}
          </ul>
          <h3>Kept ({value.keep.length})</h3>
          <ul aria-label="Kept">
            {value.keep.map((entry) => (
              <li key={`${entry.repository}:${entry.tag}`} data-tag={entry.tag}>
                <code>{entry.tag}</code> <span className="muted">{entry.rule}</span>
              </li>
            ))}
          </ul>
          {value.notes.map((note) => (
            <p key={note} className="muted">
              {note}
            </p>
          ))}
        </div>
      ) : null}
      {result?.status === 'error' ? <ErrorState error={result.error} compact /> : null}
      {applied ? (
        <div role="status">
          <p>
            Applied: {applied.deletedDigests.length} images deleted, {applied.untagged.length} untagged,{' '}
            {applied.alreadyGone.length} already gone.
          </p>
          <p>{applied.gc.summary}</p>
          <ul>
            {[...applied.gc.steps, ...applied.gc.warnings].map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </Dialog>
  );
}
