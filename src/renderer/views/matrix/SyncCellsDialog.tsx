/**
 * Syncs the matrix's selected cells from their rows' reference cells, through the sync engine (`sync.plan`
 * then `sync.run`, one rule per repository and pair of places, limited to the selected tags): the plan is
 * shown first, per tag, and nothing is written before the user confirms it (plan -> show -> execute).
 * Test hooks: the dialog is titled "Sync from reference"; plan rows have data-action.
 */
import { useEffect, useState } from 'react';
import type { ErrorData } from '../../../shared/errors';
import type { SyncPlan, SyncResult } from '../../../shared/types/sync';
import { useApi } from '../../api/context';
import { Dialog } from '../../components/Dialog';
import { formatBytes, plural } from '../../logic/format';
import { toErrorData } from '../../stores/loadable';
import { runOperation } from '../../stores/operations';
import type { SyncGroup } from './matrix-cells';

type Planned = { group: SyncGroup; plan?: SyncPlan; error?: ErrorData };

export function SyncCellsDialog({ groups, onClose }: { groups: SyncGroup[]; onClose: (changed: boolean) => void }) {
  const api = useApi();
  const [planned, setPlanned] = useState<Planned[] | null>(null);
  const [running, setRunning] = useState(false);
  const [results, setResults] = useState<{ result?: SyncResult; error?: ErrorData }[] | null>(null);

  useEffect(() => {
    let live = true;
    void Promise.all(
      groups.map(async (group): Promise<Planned> => {
        try {
          return { group, plan: await api.call('sync.plan', group) };
        } catch (error) {
          return { group, error: toErrorData(error) };
        }
      }),
    ).then((answers) => live && setPlanned(answers));
    return () => {
      live = false;
    };
  }, [api, groups]);

  const runnable = (planned ?? []).filter((entry) => entry.plan);
  const run = async () => {
    setRunning(true);
    const outcomes: { result?: SyncResult; error?: ErrorData }[] = [];
    for (const { group } of runnable) {
      try {
        const result = await runOperation(api, { kind: 'sync', label: `Sync ${group.rule.target}` }, (operationId) =>
          api.call('sync.run', { ...group, operationId }),
        );
        outcomes.push({ result });
      } catch (error) {
        outcomes.push({ error: toErrorData(error) });
      }
    }
    setResults(outcomes);
    setRunning(false);
  };

  const tags = runnable.flatMap((entry) => entry.plan!.tags);
  const bytes = runnable.reduce((sum, entry) => sum + entry.plan!.bytesToCopy, 0);
  return (
    <Dialog
      open
      onOpenChange={(open) => (open ? undefined : onClose(results !== null))}
      title="Sync from reference"
      description="Each selected cell gets its row's reference image, keeping its digest."
      width={640}
      footer={
        results ? (
          <button type="button" className="button button-primary" onClick={() => onClose(true)}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={() => onClose(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={!planned || running || tags.length === 0}
              onClick={() => void run()}
            >
              {running ? 'Syncing…' : `Sync ${plural(tags.length, 'tag')}`}
            </button>
          </>
        )
      }
    >
      {!planned ? <p className="muted">Planning…</p> : null}
      {(planned ?? []).map((entry, position) => (
        <section key={position} className="matrix-sync-group">
          <h3 className="mono">
            {entry.group.rule.source} → {entry.group.rule.target} ({entry.group.rule.mode})
          </h3>
          {entry.error ? <p className="field-error">{entry.error.message}</p> : null}
          <ul>
            {entry.plan?.tags.map((tag) => (
              <li key={tag.tag} data-action={tag.action}>
                <span className="mono">{tag.tag}</span> {tag.action}
                {tag.bytesToCopy ? ` · ${formatBytes(tag.bytesToCopy)}` : ''}
              </li>
            ))}
          </ul>
          {results?.[runnable.indexOf(entry)] ? <Outcome {...results[runnable.indexOf(entry)]!} /> : null}
        </section>
      ))}
      {planned && !results ? (
        <p className="muted">{formatBytes(bytes)} to copy after existence checks and mounts.</p>
      ) : null}
    </Dialog>
  );
}

function Outcome({ result, error }: { result?: SyncResult; error?: ErrorData }) {
  if (error) return <p className="field-error">{error.message}</p>;
  if (!result) return null;
  return (
    <p role="status">
      {result.failures.length === 0
        ? `Done: ${plural(result.blobsCopied, 'blob')} copied, ${result.blobsMounted} mounted.`
        : result.failures.map((failure) => `${failure.tag}: ${failure.message}`).join(' ')}
    </p>
  );
}
