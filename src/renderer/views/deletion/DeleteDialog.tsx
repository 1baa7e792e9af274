/**
 * "Delete…" from the tag table: the removal plan of the selected tags with its blast radius (the tags that go
 * with a digest, orphaned signatures, indexes that would break, lane stages holding it), then exactly that
 * plan executed with each tag ticked off as it goes.
 *
 * Test hooks: dialog "Delete tags"; checkbox "Delete the images (digests) with every tag on them";
 * list "Plan" with items data-step (`repo:tag` / `repo@digest`) and data-state "pending" | "done" |
 * "already-gone"; list "Blast radius"; button "Delete".
 */
import { useEffect, useState } from 'react';
import { Dialog } from '../../components/Dialog';
import { ErrorState } from '../../components/states';
import { shortDigest } from '../../logic/format';
import { useDeletion } from '../../stores/deletion';

export function DeleteDialog({ references, onClose }: { references: string[]; onClose: (changed: boolean) => void }) {
  const [byDigest, setByDigest] = useState(false);
  // Signature/attestation tags follow their subject: deleted with it unless the user unticks this.
  const [withReferrers, setWithReferrers] = useState(true);
  const plan = useDeletion((s) => s.plan);
  const progress = useDeletion((s) => s.progress);
  const result = useDeletion((s) => s.result);
  const planRemove = useDeletion((s) => s.planRemove);
  const remove = useDeletion((s) => s.remove);
  const reset = useDeletion((s) => s.resetRemove);
  const key = references.join('\n');

  useEffect(() => {
    void planRemove(key.split('\n'), byDigest, withReferrers);
  }, [key, byDigest, withReferrers, planRemove]);

  const close = () => {
    const changed = result?.status === 'ready';
    reset();
    onClose(changed);
  };
  const value = plan?.value;
  const finished = result?.status === 'ready';
  const running = result?.status === 'loading';
  const stepState = (tag: string) => (finished ? (progress[tag] ?? 'done') : (progress[tag] ?? 'pending'));

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && close()}
      title="Delete tags"
      width={640}
      description={`${references.length} selected. Nothing is removed until you press Delete; the registry is checked again first.`}
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            {finished ? 'Done' : 'Cancel'}
          </button>
          {!finished ? (
            <button
              type="button"
              className="button button-danger"
              disabled={plan?.status !== 'ready' || running}
              onClick={() => void remove()}
            >
              Delete
            </button>
          ) : null}
        </>
      }
    >
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={byDigest}
          disabled={running || finished}
          onChange={(event) => setByDigest(event.target.checked)}
        />
        Delete the images (digests) with every tag on them
      </label>
      {byDigest ? (
        <label className="checkbox-row">
          <input
            type="checkbox"
            checked={withReferrers}
            disabled={running || finished}
            onChange={(event) => setWithReferrers(event.target.checked)}
          />
          Also delete their signature, attestation and SBOM tags
        </label>
      ) : null}
      {plan?.status === 'loading' ? <p className="muted">Working out the blast radius…</p> : null}
      {plan?.status === 'error' ? <ErrorState error={plan.error} compact /> : null}
      {value ? (
        <>
          <ul className="delete-plan" aria-label="Plan">
            {value.steps.flatMap((step) =>
              step.action === 'untag'
                ? [
                    <li
                      key={`u${step.tags[0]}`}
                      data-step={`${step.repository}:${step.tags[0]}`}
                      data-state={stepState(step.tags[0]!)}
                    >
                      Untag <code>{step.tags[0]}</code>{' '}
                      <span className="muted">({shortDigest(step.digest)} and its other tags stay)</span>
                    </li>,
                  ]
                : [
                    <li
                      key={`d${step.digest}`}
                      data-step={`${step.repository}@${step.digest}`}
                      data-state={stepState(step.tags[0] ?? step.digest)}
                    >
                      Delete image <code>{shortDigest(step.digest)}</code> with{' '}
                      {step.tags.length === 0 ? 'no tags' : step.tags.join(', ')}
                    </li>,
                  ],
            )}
          </ul>
          {value.radius.length > 0 ? (
            <ul className="blast-radius" aria-label="Blast radius">
              {value.radius.flatMap((radius) => [
                ...radius.removedReferrers.map((referrer) => (
                  <li key={referrer.reference}>
                    Deletes its {referrer.kind} with it: <code>{referrer.reference}</code>
                  </li>
                )),
                ...radius.orphanedReferrers.map((referrer) => (
                  <li key={referrer.reference}>
                    Leaves its {referrer.kind} without a subject: <code>{referrer.reference}</code>
                  </li>
                )),
                ...radius.indexes.map((index) => (
                  <li key={index.digest}>
                    Breaks the multi-arch image {index.tags.join(', ') || shortDigest(index.digest)} (its{' '}
                    {index.platform ?? 'unnamed'} platform)
                  </li>
                )),
                ...radius.lanes.map((held) => (
                  <li key={`${held.lane}/${held.stage}`}>
                    Held by lane {held.lane}, stage {held.stage}
                    {held.last ? ' (the last, production stage)' : ''}: {held.tags.join(', ')}
                  </li>
                )),
              ])}
            </ul>
          ) : null}
          {value.warnings.map((warning) => (
            <p key={warning} className="state-inline" role="note">
              {warning}
            </p>
          ))}
        </>
      ) : null}
      {result?.status === 'error' ? <ErrorState error={result.error} compact /> : null}
      {finished ? (
        <p role="status">
          Done: {result.value.untagged.length} untagged,{' '}
          {result.value.deletedDigests.length - result.value.removedReferrers.length} images deleted
          {result.value.removedReferrers.length > 0
            ? ` with ${result.value.removedReferrers.length} signature/attestation tags`
            : ''}
          . Space returns after the registry’s garbage collection.
        </p>
      ) : null}
    </Dialog>
  );
}
