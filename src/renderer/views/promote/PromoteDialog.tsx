/**
 * The promote dialog (Radix, through the app's Dialog): the plan (what is mounted, copied and how many
 * bytes, what is already there), a warning when the target tag holds another digest, then Promote or
 * Cancel; during the copy live progress; at the end the digest the target tag now has. Mounted once by
 * the shell; every drag, menu and key press opens it through the promotion store.
 * Test hooks: the dialog is role "dialog" named "Promote"; data-phase on the body; the overwrite warning
 * has data-testid "overwrite-warning"; the source digest the plan pins "plan-source-digest"; the result digest
 * "promotion-digest"; whether the target accepts the push "push-access" (data-status granted / denied / unchecked).
 */
import { useState } from 'react';
import type { ErrorData } from '../../../shared/errors';
import type {
  BlobStep,
  PromotionPlan,
  PromotionResult,
  PromotionStrategy,
  PushAccess,
} from '../../../shared/types/promotion';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { LoadingState } from '../../components/states';
import { formatBytes, formatCount, plural, shortDigest } from '../../logic/format';
import { tryParseReference } from '../../logic/references';
import { useNavigation } from '../../navigation/store';
import { useOperations } from '../../stores/operations';
import { gateOverride, usePromotion, type PromotionDialog } from '../../stores/promotion';
import { GateResults } from './GateResults';
import './promote.css';

const STRATEGY_TEXT: Record<PromotionStrategy, string> = {
  'same-repository': 'Same repository: only the tag is written; no blobs move.',
  mount: 'Same registry: blobs are mounted across repositories; no layer bytes pass through Berth.',
  copy: 'Across registries: missing blobs are streamed from source to target and verified by digest.',
  engine: 'Through the local Docker engine: pulled, tagged and pushed by dockerd.',
};

const ACTION_TEXT: Record<BlobStep['action'], string> = {
  present: 'already there',
  mount: 'mount',
  copy: 'copy',
  external: 'foreign (not copied)',
};

export function PromoteDialog() {
  const dialog = usePromotion((s) => s.dialog);
  const cancel = usePromotion((s) => s.cancel);
  const close = usePromotion((s) => s.close);
  if (!dialog) return null;
  const running = dialog.phase === 'executing';
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        // Escape or the close button while copying cancels the copy; otherwise it closes.
        if (!open) void (running ? cancel() : close());
      }}
      title="Promote"
      description={<PromotionRoute source={dialog.source} target={dialog.target} context={dialog.context} />}
      width={640}
      className="promote-dialog"
      footer={<Footer dialog={dialog} />}
    >
      <div className="promote-body" data-phase={dialog.phase} data-testid="promote-dialog-body">
        <Body dialog={dialog} />
      </div>
    </Dialog>
  );
}

function PromotionRoute({ source, target, context }: { source: string; target: string; context?: string }) {
  return (
    <span className="promote-route">
      {context ? <span className="promote-context">{context}</span> : null}
      <span className="promote-route-label">From</span>
      <span className="mono">{source}</span>
      <span className="promote-route-label">To</span>
      <span className="mono">{target || '…'}</span>
    </span>
  );
}

function Body({ dialog }: { dialog: PromotionDialog }) {
  switch (dialog.phase) {
    case 'choose':
      return <ChooseTarget dialog={dialog} />;
    case 'planning':
      return (
        <LoadingState
          label="Planning…"
          detail="Checking which blobs the target already has and which can be mounted."
        />
      );
    case 'plan':
      return dialog.plan ? (
        <PlanView plan={dialog.plan} force={dialog.force} overrideReason={dialog.overrideReason} />
      ) : null;
    case 'executing':
      return (
        <>
          {dialog.plan ? <PlanSummary plan={dialog.plan} /> : null}
          <ExecutionProgress operationId={dialog.operationId} />
        </>
      );
    case 'done':
      return dialog.result ? <ResultView result={dialog.result} /> : null;
    case 'failed':
      return dialog.error ? <Failure error={dialog.error} planned={dialog.plan !== undefined} /> : null;
  }
}

function ChooseTarget({ dialog }: { dialog: PromotionDialog }) {
  const propose = usePromotion((s) => s.propose);
  const [target, setTarget] = useState(dialog.target);
  return (
    <form
      id="promote-choose"
      className="promote-choose"
      onSubmit={(event) => {
        event.preventDefault();
        if (target.trim()) void propose(dialog.source, target.trim());
      }}
    >
      <label className="field-label" htmlFor="promote-target">
        Target (registry/repository:tag)
      </label>
      <input
        id="promote-target"
        className="input mono"
        autoFocus
        value={target}
        onChange={(event) => setTarget(event.target.value)}
        placeholder="registry.example.com/prod/app:1.0.0"
        spellCheck={false}
      />
      <p className="muted">
        The image keeps its digest: the plan shows what is mounted or copied before anything is written.
      </p>
    </form>
  );
}

const bytesOf = (blobs: readonly BlobStep[]) => blobs.reduce((sum, blob) => sum + blob.size, 0);

/** The confirm button sends the plan's pinned source: this digest is what is promoted. */
const PINNED_TITLE =
  'Promote copies exactly this source digest; if the source tag has moved by then, nothing is written and the new plan is offered.';

/**
 * What happens to the target tag: the promotion always writes it last (unless it is up to date), even when
 * every manifest is already in the repository, as when re-tagging within one repository.
 */
function tagChange(plan: PromotionPlan): string {
  const tag = `:${tryParseReference(plan.target)?.tag ?? plan.target}`;
  if (plan.upToDate || plan.existingTargetDigest === plan.targetDigest) return `${tag} already points here`;
  return plan.existingTargetDigest
    ? `${tag} re-pointed from ${shortDigest(plan.existingTargetDigest)}`
    : `${tag} created`;
}

function PlanSummary({ plan }: { plan: PromotionPlan }) {
  const kept = plan.targetDigest === plan.sourceDigest;
  const count = (action: BlobStep['action']) => plan.blobs.filter((b) => b.action === action);
  const mounted = count('mount');
  const copied = count('copy');
  const present = count('present');
  const external = count('external');
  const manifestsToWrite = plan.manifests.filter((m) => m.action === 'put').length;
  return (
    <>
      <div className="plan-digest">
        <span className="muted">Digest</span>
        {kept ? (
          <span className="chip" title="The target gets exactly the source's manifest">
            kept
          </span>
        ) : plan.strategy === 'engine' ? (
          <span className="chip chip-warn" title="The engine carries one platform image of the source index">
            one platform
          </span>
        ) : (
          <span className="chip chip-warn" title="A platform subset makes a new index">
            new index
          </span>
        )}
        {kept ? (
          <span className="mono" data-testid="plan-source-digest" title={PINNED_TITLE}>
            {plan.sourceDigest}
          </span>
        ) : (
          <span className="mono">{plan.targetDigest}</span>
        )}
        <CopyButton text={plan.targetDigest} label="Copy digest" />
      </div>
      {kept ? null : (
        <div className="plan-digest">
          <span className="muted">From</span>
          <span className="mono" data-testid="plan-source-digest" title={PINNED_TITLE}>
            {plan.sourceDigest}
          </span>
        </div>
      )}
      {/* Only what happens: a row per action that has blobs, so "0 blobs · 0 B" never sits beside a count. */}
      <dl className="plan-summary" data-testid="plan-summary">
        {mounted.length > 0 ? (
          <div>
            <dt>Mounted</dt>
            <dd data-testid="plan-mounted">
              {plural(mounted.length, 'blob')} · {formatBytes(bytesOf(mounted))}
            </dd>
          </div>
        ) : null}
        {copied.length > 0 ? (
          <div>
            <dt>Copied</dt>
            <dd data-testid="plan-copied">
              {plural(copied.length, 'blob')} · {formatBytes(plan.bytesToCopy)}
            </dd>
          </div>
        ) : null}
        {present.length > 0 ? (
          <div>
            <dt>Already there</dt>
            <dd data-testid="plan-present">
              {present.length === plan.blobs.length && present.length > 1 ? 'all ' : ''}
              {plural(present.length, 'blob')} · {formatBytes(bytesOf(present))}
            </dd>
          </div>
        ) : null}
        {external.length > 0 ? (
          <div>
            <dt>Foreign</dt>
            <dd>{plural(external.length, 'blob')}</dd>
          </div>
        ) : null}
        <div>
          <dt>Manifests</dt>
          <dd data-testid="plan-manifests">
            {manifestsToWrite > 0 ? `${formatCount(manifestsToWrite)} to write` : 'already there'}
          </dd>
        </div>
        <div>
          <dt>Tag</dt>
          <dd data-testid="plan-tag">{tagChange(plan)}</dd>
        </div>
      </dl>
    </>
  );
}

/** The verdict before the message; an unchecked push's message says "not checked" itself. */
const PUSH_ACCESS_TITLE: Record<PushAccess['status'], string | undefined> = {
  granted: 'Push allowed.',
  denied: 'No push access.',
  unchecked: undefined,
};

/** Asked of the target's token service while planning: a refused push is known before Promote, not after. */
function PushAccessNotice({ access }: { access: PushAccess }) {
  const denied = access.status === 'denied';
  const tone = denied ? 'notice-error' : access.status === 'granted' ? 'notice-ok' : 'notice-info';
  return (
    <div
      className={`notice ${tone}`}
      role={denied ? 'alert' : 'status'}
      data-testid="push-access"
      data-status={access.status}
    >
      <Icon name={denied ? 'alert' : access.status === 'granted' ? 'check' : 'key'} size={14} />
      <div>
        {PUSH_ACCESS_TITLE[access.status] ? <strong>{PUSH_ACCESS_TITLE[access.status]} </strong> : null}
        {access.message}
      </div>
    </div>
  );
}

function PlanView({ plan, force, overrideReason }: { plan: PromotionPlan; force: boolean; overrideReason: string }) {
  const setForce = usePromotion((s) => s.setForce);
  const setOverrideReason = usePromotion((s) => s.setOverrideReason);
  const [showBlobs, setShowBlobs] = useState(false);
  return (
    <>
      {plan.upToDate ? null : <PushAccessNotice access={plan.pushAccess} />}
      {plan.upToDate ? (
        <div className="notice notice-ok" role="status" data-testid="up-to-date">
          <Icon name="check" size={14} /> The target already has this digest; there is nothing to write.
        </div>
      ) : null}
      {plan.overwrites ? (
        <div className="notice notice-warning" role="alert" data-testid="overwrite-warning">
          <Icon name="alert" size={14} />
          <div>
            <strong>{plan.target} already exists with another digest.</strong>
            <div>
              Now{' '}
              <span className="mono">
                {plan.existingTargetDigest ? shortDigest(plan.existingTargetDigest) : 'unknown'}
              </span>
              , after promotion <span className="mono">{shortDigest(plan.targetDigest)}</span>. Anyone pulling this tag
              gets the new image.
            </div>
            <label className="checkbox-line">
              <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} />
              Replace the existing tag
            </label>
          </div>
        </div>
      ) : null}
      <GateResults plan={plan} reason={overrideReason} onReason={setOverrideReason} />
      <p className="promote-strategy">{STRATEGY_TEXT[plan.strategy]}</p>
      <PlanSummary plan={plan} />
      {plan.platforms.length > 0 ? <p className="muted">Platforms: {plan.platforms.join(', ')}</p> : null}
      {plan.referrers.length > 0 ? (
        <p className="muted">Carries {plural(plan.referrers.length, 'referrer')} (signatures, attestations, SBOMs).</p>
      ) : null}
      {plan.notes.map((note) => (
        <p key={note} className="promote-note">
          {note}
        </p>
      ))}
      <button type="button" className="link-button" aria-expanded={showBlobs} onClick={() => setShowBlobs(!showBlobs)}>
        {showBlobs ? 'Hide' : 'Show'} the {plural(plan.blobs.length, 'blob')} and{' '}
        {plural(plan.manifests.length, 'manifest')}
      </button>
      {showBlobs ? (
        <table className="data-table plan-blobs" aria-label="Blobs">
          <thead>
            <tr>
              <th>Digest</th>
              <th>Type</th>
              <th className="num-wide">Size</th>
              <th>Action</th>
            </tr>
          </thead>
          <tbody>
            {plan.manifests.map((m) => (
              <tr key={`m${m.digest}`}>
                <td className="mono">{shortDigest(m.digest)}</td>
                <td>
                  {m.role}
                  {m.platform ? ` ${m.platform}` : ''}
                  {m.tag ? ` :${m.tag}` : ''}
                </td>
                <td className="num-wide">{formatBytes(m.size)}</td>
                <td>{m.action === 'put' ? 'write' : 'already there'}</td>
              </tr>
            ))}
            {plan.blobs.map((blob) => (
              <tr key={blob.digest} data-action={blob.action}>
                <td className="mono">{shortDigest(blob.digest)}</td>
                <td title={blob.mediaType}>{blob.mediaType.includes('config') ? 'config' : 'layer'}</td>
                <td className="num-wide">{formatBytes(blob.size)}</td>
                <td>
                  <span className={`action-badge action-${blob.action}`}>{ACTION_TEXT[blob.action]}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function ExecutionProgress({ operationId }: { operationId?: string }) {
  const entry = useOperations((s) => (operationId ? s.entries[operationId] : undefined));
  return (
    <div className="promote-progress" data-testid="promote-progress">
      <div className="promote-progress-status">{entry?.status ?? 'Starting'}</div>
      <ProgressBar current={entry?.current ?? 0} total={entry?.total ?? 0} label="Promotion progress" />
      {entry && entry.total > 0 ? (
        <div className="muted">
          {formatBytes(entry.current)} of {formatBytes(entry.total)}
        </div>
      ) : null}
      {entry?.items && entry.items.length > 0 ? (
        <ul className="item-progress">
          {entry.items.map((item) => (
            <li key={item.id}>
              <span className="mono">{item.id.startsWith('sha256:') ? shortDigest(item.id) : item.id}</span>
              <span className="muted">{item.status}</span>
              <ProgressBar current={item.current} total={item.total} label={`${item.id} progress`} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ResultView({ result }: { result: PromotionResult }) {
  return (
    <div className="promote-result" data-testid="promote-result">
      <div className="notice notice-ok" role="status">
        <Icon name="check" size={14} />
        <div>
          <strong>Promoted.</strong> <span className="mono">{result.target}</span> now points at
          <div className="promote-digest">
            <span className="mono" data-testid="promotion-digest">
              {result.digest}
            </span>
            <CopyButton text={result.digest} label="Copy digest" />
          </div>
        </div>
      </div>
      <dl className="plan-summary">
        <div>
          <dt>Mounted</dt>
          <dd>{plural(result.blobsMounted, 'blob')}</dd>
        </div>
        <div>
          <dt>Copied</dt>
          <dd>
            {plural(result.blobsCopied, 'blob')} · {formatBytes(result.bytesCopied)}
          </dd>
        </div>
        <div>
          <dt>Already there</dt>
          <dd>{plural(result.skipped, 'blob')}</dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>{(result.durationMs / 1000).toFixed(1)} s</dd>
        </div>
      </dl>
    </div>
  );
}

/** Main refused a pinned source whose tag points at another digest than the plan showed. */
const sourceMoved = (error: ErrorData | undefined) =>
  error?.code === 'conflict' && error.details?.reason === 'source_moved';

function Failure({ error, planned }: { error: ErrorData; planned: boolean }) {
  const cancelled = error.code === 'cancelled';
  const title = cancelled
    ? 'Cancelled.'
    : sourceMoved(error)
      ? 'The source tag moved.'
      : planned
        ? 'The promotion failed.'
        : 'Could not plan this promotion.';
  return (
    <div
      className={`notice ${cancelled ? 'notice-info' : 'notice-error'}`}
      role="alert"
      data-testid="promote-error"
      data-error-code={error.code}
    >
      <Icon name="alert" size={14} />
      <div>
        <strong>{title}</strong>
        <div className="error-text">{error.message}</div>
        {cancelled ? (
          <div className="muted">
            Blobs already copied stay at the target (they are content-addressed); the tag was not changed.
          </div>
        ) : null}
      </div>
    </div>
  );
}

function Footer({ dialog }: { dialog: PromotionDialog }) {
  const confirm = usePromotion((s) => s.confirm);
  const cancel = usePromotion((s) => s.cancel);
  const close = usePromotion((s) => s.close);
  const propose = usePromotion((s) => s.propose);
  const navigate = useNavigation((s) => s.navigate);
  switch (dialog.phase) {
    case 'choose':
      return (
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" form="promote-choose" className="button button-primary">
            Plan
          </button>
        </>
      );
    case 'planning':
    case 'plan': {
      const plan = dialog.plan;
      // A push the target's token service refused would fail at the first write: not offered.
      // A failing gate blocks unless the user gives a reason to override it.
      const override = plan ? gateOverride(plan, dialog.overrideReason) : undefined;
      const blocked =
        !plan ||
        plan.upToDate ||
        plan.pushAccess.status === 'denied' ||
        (plan.overwrites && !dialog.force) ||
        override === null;
      return (
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${plan?.overwrites ? 'button-danger' : 'button-primary'}`}
            disabled={blocked}
            onClick={() => void confirm()}
          >
            {plan?.overwrites ? 'Replace and promote' : override ? 'Override and promote' : 'Promote'}
          </button>
        </>
      );
    }
    case 'executing':
      return (
        <button type="button" className="button" onClick={() => void cancel()}>
          Cancel promotion
        </button>
      );
    case 'done':
      return (
        <>
          <button
            type="button"
            className="button"
            onClick={() => {
              const target = dialog.result?.target ?? dialog.target;
              close();
              navigate({ view: 'image', reference: target });
            }}
          >
            Open target
          </button>
          <button type="button" className="button button-primary" onClick={close} autoFocus>
            Done
          </button>
        </>
      );
    case 'failed':
      return (
        <>
          <button type="button" className="button" onClick={close}>
            Close
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => void propose(dialog.source, dialog.target, dialog.context)}
          >
            {sourceMoved(dialog.error) ? 'Review the new plan' : 'Plan again'}
          </button>
        </>
      );
  }
}
