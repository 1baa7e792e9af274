/**
 * The Sync view: the sync rules stored in the settings (add, edit, delete in a dialog), a dry run of a rule
 * that shows the plan per tag (new / same / differs / overwrite / delete, bytes to copy) before anything is
 * written, then the run with its progress, a cancel, and the result with each failed tag named.
 * Test hooks: data-testid sync-view, sync-rule (data-rule), sync-plan, sync-result; plan rows data-action
 * and data-tag; the table is labelled "Sync plan".
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { SyncMode, SyncRule, SyncTagPlan } from '../../../shared/types/sync';
import { Dialog } from '../../components/Dialog';
import { CheckboxField, FormError, SelectField, TextField } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/Progress';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { ViewHeader } from '../../components/ViewHeader';
import { formatBytes, shortDigest } from '../../logic/format';
import { toErrorData } from '../../stores/loadable';
import { useOperations } from '../../stores/operations';
import { planWrites, tagOutcome, useSync, type SyncRun, type SyncTagOutcome } from '../../stores/sync';
import './sync.css';

const ACTION_LABELS: Record<SyncTagPlan['action'], string> = {
  new: 'New',
  same: 'Same',
  differs: 'Differs (left alone)',
  overwrite: 'Overwrite',
  delete: 'Delete',
};

const OUTCOME_LABELS: Record<SyncTagOutcome, string> = { done: 'Done', failed: 'Failed', unchanged: 'Unchanged' };

export function SyncView() {
  const rules = useSync((s) => s.rules);
  const loadRules = useSync((s) => s.loadRules);
  const saveRules = useSync((s) => s.saveRules);
  const dryRun = useSync((s) => s.dryRun);
  const run = useSync((s) => s.run);
  const [editing, setEditing] = useState<{ rule?: SyncRule } | undefined>(undefined);

  useEffect(() => {
    void loadRules();
  }, [loadRules]);

  const list = rules?.value ?? [];
  const remove = (name: string) => void saveRules(list.filter((rule) => rule.name !== name)).catch(() => undefined);

  return (
    <div className="view sync-view" data-testid="sync-view">
      <ViewHeader icon="refresh" title="Sync">
        <button type="button" className="button button-small" onClick={() => setEditing({})}>
          <Icon name="plus" size={13} /> New rule
        </button>
      </ViewHeader>
      <div className="view-body">
        {!rules || (rules.status === 'loading' && !rules.value) ? <LoadingState label="Reading sync rules…" /> : null}
        {rules?.status === 'error' ? (
          <ErrorState
            error={rules.error}
            context="Could not read the sync rules"
            handlers={{ retry: () => void loadRules() }}
          />
        ) : null}
        {rules?.value && list.length === 0 ? (
          <EmptyState
            icon="refresh"
            title="No sync rules yet"
            message="A rule keeps the tags of a namespace or repository in step with another registry (or runs `berth sync`)."
          />
        ) : null}
        {list.length > 0 ? (
          <table className="data-table sync-rules" aria-label="Sync rules">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Source</th>
                <th>Target</th>
                <th>Tags</th>
                <th>Mode</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((rule) => (
                <tr key={rule.name} data-testid="sync-rule" data-rule={rule.name}>
                  <td>{rule.name}</td>
                  <td className="mono">{rule.source}</td>
                  <td className="mono">{rule.target}</td>
                  <td className="mono">
                    {rule.tags ?? 'all'}
                    {rule.latest ? ` (newest ${rule.latest})` : ''}
                  </td>
                  <td>
                    {rule.mode}
                    {rule.delete ? ' + delete' : ''}
                  </td>
                  <td className="nowrap sync-rule-actions">
                    <button
                      type="button"
                      className="button button-small button-primary"
                      onClick={() => void dryRun(rule)}
                    >
                      Dry run
                    </button>
                    <button type="button" className="button button-small" onClick={() => setEditing({ rule })}>
                      Edit
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Delete rule ${rule.name}`}
                      onClick={() => remove(rule.name)}
                    >
                      <Icon name="trash" size={13} />
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {run ? <RunPanel run={run} /> : null}
      </div>
      {editing ? (
        <RuleDialog
          rule={editing.rule}
          others={list.filter((rule) => rule.name !== editing.rule?.name)}
          onClose={() => setEditing(undefined)}
          onSave={async (rule) => {
            const next = editing.rule
              ? list.map((existing) => (existing.name === editing.rule!.name ? rule : existing))
              : [...list, rule];
            await saveRules(next);
            setEditing(undefined);
          }}
        />
      ) : null}
    </div>
  );
}

function RunPanel({ run }: { run: SyncRun }) {
  const execute = useSync((s) => s.execute);
  const cancel = useSync((s) => s.cancel);
  const operation = useOperations((s) => (run.operationId ? s.entries[run.operationId] : undefined));
  const [reason, setReason] = useState('');
  const tags = run.result?.tags ?? run.plan?.tags ?? [];
  const gated = run.plan?.tags.some((tag) => tag.gated !== undefined) ?? false;
  const result = run.result;
  const failed = new Map(
    (run.result?.failures ?? []).map((failure) => [`${failure.repository}:${failure.tag}`, failure]),
  );
  return (
    <section className="sync-run" data-testid="sync-plan" data-phase={run.phase} aria-label={`Sync ${run.rule.name}`}>
      <h2 className="sync-run-title">
        {run.rule.source} → {run.rule.target}
      </h2>
      {run.phase === 'planning' ? <LoadingState label="Planning: comparing tags (HEAD requests only)…" /> : null}
      {run.phase === 'failed' && run.error ? <ErrorState error={run.error} context="The sync did not run" /> : null}
      {run.plan ? (
        <p className="sync-summary">
          {summary(run.plan.tags)}. {run.plan.blobsToCopy} blobs to copy ({formatBytes(run.plan.bytesToCopy)}),{' '}
          {run.plan.blobsToMount} to mount.
        </p>
      ) : null}
      {run.plan?.notes.map((note) => (
        <p key={note} className="muted sync-note">
          {note}
        </p>
      ))}
      {run.phase === 'running' ? (
        <ProgressBar
          current={operation?.current ?? 0}
          total={operation?.total ?? 0}
          label={operation?.status ?? 'Syncing'}
        />
      ) : null}
      {run.result ? (
        <p className="sync-summary" data-testid="sync-result" role="status">
          {run.result.failures.length > 0 ? `${run.result.failures.length} failed. ` : 'Synced. '}
          {run.result.blobsCopied} blobs copied ({formatBytes(run.result.bytesCopied)}), {run.result.blobsMounted}{' '}
          mounted, {run.result.manifestsWritten} manifests written.
        </p>
      ) : null}
      {tags.length > 0 ? (
        <table className="data-table sync-plan-table" aria-label="Sync plan">
          <thead>
            <tr>
              <th>Action</th>
              <th>Tag</th>
              <th>Digest</th>
              <th>Now at target</th>
              <th>To copy</th>
              {result ? <th>Result</th> : null}
            </tr>
          </thead>
          <tbody>
            {tags.map((tag) => {
              const failure = failed.get(`${tag.repository}:${tag.tag}`);
              const outcome = result ? tagOutcome(result, tag) : undefined;
              return (
                <tr
                  key={`${tag.repository}:${tag.tag}`}
                  data-action={tag.action}
                  data-tag={tag.tag}
                  {...(outcome ? { 'data-outcome': outcome } : {})}
                >
                  <td>
                    <span className={`sync-action sync-action-${tag.action}`}>{ACTION_LABELS[tag.action]}</span>
                  </td>
                  <td className="mono">
                    {tag.repository}:{tag.tag}
                    {tag.artifactOf ? <span className="muted"> (attached to {tag.artifactOf})</span> : null}
                    {failure ? (
                      <div className="sync-failure" role="alert">
                        Failed: {failure.message}
                      </div>
                    ) : null}
                  </td>
                  <td className="mono" title={tag.digest}>
                    {shortDigest(tag.digest)}
                  </td>
                  <td className="mono" title={tag.targetDigest}>
                    {tag.targetDigest && tag.targetDigest !== tag.digest ? shortDigest(tag.targetDigest) : ''}
                  </td>
                  <td className="nowrap">{tag.bytesToCopy > 0 ? formatBytes(tag.bytesToCopy) : ''}</td>
                  {outcome ? (
                    <td className={`nowrap sync-outcome sync-outcome-${outcome}`}>{OUTCOME_LABELS[outcome]}</td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {run.phase === 'plan' && gated ? (
        <TextField
          label="Override reason"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          hint="Gates fail for some tags: they are not written unless you give a reason (recorded in the audit log)."
        />
      ) : null}
      <div className="sync-run-buttons">
        {run.phase === 'plan' && run.plan ? (
          <button
            type="button"
            className="button button-primary"
            disabled={planWrites(run.plan) === 0}
            onClick={() => void execute(gated ? reason : undefined)}
          >
            Run sync
          </button>
        ) : null}
        <button type="button" className="button" onClick={() => void cancel()}>
          {run.phase === 'running' ? 'Cancel' : 'Close'}
        </button>
      </div>
    </section>
  );
}

function summary(tags: SyncTagPlan[]): string {
  const counts = new Map<string, number>();
  for (const tag of tags) counts.set(tag.action, (counts.get(tag.action) ?? 0) + 1);
  if (counts.size === 0) return 'No tag matches the rule';
  return [...counts].map(([action, count]) => `${count} ${action}`).join(', ');
}

function RuleDialog({
  rule,
  others,
  onClose,
  onSave,
}: {
  rule?: SyncRule;
  others: SyncRule[];
  onClose: () => void;
  onSave: (rule: SyncRule) => Promise<void>;
}) {
  const [name, setName] = useState(rule?.name ?? '');
  const [source, setSource] = useState(rule?.source ?? '');
  const [target, setTarget] = useState(rule?.target ?? '');
  const [tags, setTags] = useState(rule?.tags ?? '');
  const [latest, setLatest] = useState(rule?.latest ? String(rule.latest) : '');
  const [platforms, setPlatforms] = useState(rule?.platforms?.join(', ') ?? '');
  const [mode, setMode] = useState<SyncMode>(rule?.mode ?? 'copy');
  const [remove, setRemove] = useState(rule?.delete ?? false);
  const [referrers, setReferrers] = useState(rule?.referrers ?? true);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (others.some((other) => other.name === name.trim())) {
      setError(`A rule named "${name.trim()}" exists already.`);
      return;
    }
    const count = latest.trim() ? Number(latest.trim()) : undefined;
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) {
      setError('"Newest" is a whole number of tags, 1 or more.');
      return;
    }
    const platformList = platforms
      .split(',')
      .map((platform) => platform.trim())
      .filter(Boolean);
    setSaving(true);
    setError(null);
    try {
      await onSave({
        name: name.trim(),
        source: source.trim(),
        target: target.trim(),
        ...(tags.trim() ? { tags: tags.trim() } : {}),
        ...(count !== undefined ? { latest: count } : {}),
        ...(platformList.length > 0 ? { platforms: platformList } : {}),
        referrers,
        mode,
        delete: mode === 'mirror' && remove,
      });
    } catch (caught) {
      setError(toErrorData(caught).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(open) => (open ? undefined : onClose())}
      title={rule ? `Edit sync rule ${rule.name}` : 'New sync rule'}
      width={560}
      footer={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="sync-rule-form" className="button button-primary" disabled={saving}>
            Save rule
          </button>
        </>
      }
    >
      <form id="sync-rule-form" className="sync-rule-form" onSubmit={(event) => void submit(event)}>
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={64}
          autoFocus
        />
        <TextField
          label="Source"
          hint="host/namespace/ (every repository below), host/repository, or host/glob"
          value={source}
          onChange={(e) => setSource(e.target.value)}
          required
        />
        <TextField
          label="Target"
          hint="host/namespace/: the source's namespace is replaced by this one (prod/ → mirror/prod/)"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          required
        />
        <TextField
          label="Tags"
          hint="a glob (prod-*), /regex/, or semver:RANGE; every tag when empty"
          value={tags}
          onChange={(e) => setTags(e.target.value)}
        />
        <TextField
          label="Newest"
          hint="keep only the newest N matching tags per repository (by version, else by date)"
          value={latest}
          inputMode="numeric"
          onChange={(e) => setLatest(e.target.value)}
        />
        <TextField
          label="Platforms"
          hint="e.g. linux/amd64, linux/arm64; every platform when empty"
          value={platforms}
          onChange={(e) => setPlatforms(e.target.value)}
        />
        <SelectField label="Mode" value={mode} onChange={(e) => setMode(e.target.value as SyncMode)}>
          <option value="copy">copy: leave a target tag that holds another digest alone</option>
          <option value="mirror">mirror: overwrite it</option>
        </SelectField>
        {mode === 'mirror' ? (
          <CheckboxField label="Delete target tags gone at the source" checked={remove} onChange={setRemove} />
        ) : null}
        <CheckboxField label="Carry signatures, attestations and SBOMs" checked={referrers} onChange={setReferrers} />
        <FormError message={error} />
      </form>
    </Dialog>
  );
}
