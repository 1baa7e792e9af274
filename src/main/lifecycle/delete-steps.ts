/**
 * The one executor of deletion plans (`berth rm` and retention alike): check the registry still matches the
 * plan, then write exactly the plan's steps in order (untags first, then deletes by digest), each audited.
 * The check refuses, changing nothing, when a planned tag has moved or a digest to delete has gained a tag
 * outside the plan. Planned tags and digests already gone count as done, so running an interrupted plan
 * again completes it; a tag left on Berth's own placeholder (an untag cut short) is finished.
 */
import { userInfo } from 'node:os';
import { BerthError, isBerthError } from '../../shared/errors';
import type { DeleteCapabilities, DeletionStep } from '../../shared/types/deletion';
import type { AuditEntry } from '../../shared/types/promotion';
import { throwIfAborted } from '../util/async';
import type { AuditLog } from '../promotion/audit-log';
import type { RegistryBrowser } from '../registry/browser';
import { readRepository, tagsByDigest, type RepositoryState } from './delete-state';
import { deletePlaceholder, isOwnPlaceholder, untag } from './untag';

export interface DeleteStepDeps {
  browser: RegistryBrowser;
  audit: AuditLog;
  capabilities(registry: string, repository: string, signal?: AbortSignal): Promise<DeleteCapabilities>;
  /** Who runs Berth (default: the OS user). */
  user?: () => string;
}

export interface StepReport {
  step: DeletionStep;
  outcome: 'done' | 'already-gone';
  /** Position among the steps, and how many there are. */
  current: number;
  total: number;
}

interface CheckedStep {
  step: DeletionStep;
  /** Untag only: the tag is already gone. (A delete learns it from the registry's 404.) */
  gone: boolean;
  /** An untag cut short: the tag points at Berth's own placeholder, which only needs deleting. */
  placeholder?: string;
}

const refOf = (step: DeletionStep, tag?: string) =>
  tag !== undefined
    ? `${step.registry}/${step.repository}:${tag}`
    : `${step.registry}/${step.repository}@${step.digest}`;

/** Checks every step against a fresh read of its repository; throws `conflict` listing each mismatch. */
export async function checkSteps(
  deps: DeleteStepDeps,
  steps: readonly DeletionStep[],
  signal?: AbortSignal,
): Promise<CheckedStep[]> {
  const states = new Map<string, RepositoryState>();
  for (const step of steps) {
    const key = `${step.registry}/${step.repository}`;
    if (!states.has(key)) {
      try {
        states.set(key, await readRepository(deps.browser, step.registry, step.repository, signal));
      } catch (error) {
        // A repository gone entirely has nothing left of the plan in it.
        if (!isBerthError(error) || error.code !== 'not_found') throw error;
        states.set(key, { registry: step.registry, repository: step.repository, tags: new Map() });
      }
    }
  }
  const conflicts: string[] = [];
  const checked: CheckedStep[] = [];
  for (const step of steps) {
    const state = states.get(`${step.registry}/${step.repository}`)!;
    if (step.action === 'untag') {
      const tag = step.tags[0]!;
      const now = state.tags.get(tag);
      if (!now) checked.push({ step, gone: true });
      else if (now.digest === step.digest) checked.push({ step, gone: false });
      else {
        const placeholder = await isOwnPlaceholder(
          deps.browser.client,
          { registry: step.registry, repository: step.repository, tag },
          signal,
        );
        if (placeholder) checked.push({ step, gone: false, placeholder });
        else conflicts.push(`${refOf(step, tag)} moved from ${step.digest} to ${now.digest}`);
      }
      continue;
    }
    const planned = new Set(step.tags);
    const current = tagsByDigest(state).get(step.digest) ?? [];
    const gained = current.filter((tag) => !planned.has(tag));
    if (gained.length > 0) conflicts.push(`${refOf(step)} gained tag(s) outside the plan: ${gained.sort().join(', ')}`);
    for (const tag of step.tags) {
      const now = state.tags.get(tag);
      if (now && now.digest !== step.digest)
        conflicts.push(`${refOf(step, tag)} moved from ${step.digest} to ${now.digest}`);
    }
    checked.push({ step, gone: false });
  }
  if (conflicts.length > 0) {
    throw new BerthError(
      'conflict',
      `The registry no longer matches the plan, so nothing was changed; make a new plan. ${conflicts.slice(0, 20).join('; ')}${conflicts.length > 20 ? `; and ${conflicts.length - 20} more` : ''}.`,
      { conflicts: conflicts.length, planOutdated: true },
    );
  }
  return checked;
}

/** Writes checked steps in order, auditing each; `onStep` hears each one done. */
export async function runSteps(
  deps: DeleteStepDeps,
  checked: readonly CheckedStep[],
  options: { signal?: AbortSignal; onStep?: (report: StepReport) => void } = {},
): Promise<StepReport[]> {
  const { signal } = options;
  const user = (deps.user ?? (() => userInfo().username))();
  const client = deps.browser.client;
  // The audit log must be writable before the first deletion: a deletion that cannot be audited does not run.
  await deps.audit.check();
  const ordered = [
    ...checked.filter((entry) => entry.step.action === 'untag'),
    ...checked.filter((entry) => entry.step.action === 'delete'),
  ];
  const reports: StepReport[] = [];
  for (const [position, { step, gone, placeholder }] of ordered.entries()) {
    throwIfAborted(signal);
    const reference = step.action === 'untag' ? refOf(step, step.tags[0]) : refOf(step);
    const started = Date.now();
    const audit = (outcome: AuditEntry['outcome'], message: string) =>
      deps.audit.append({
        at: new Date().toISOString(),
        user,
        source: reference,
        target: reference,
        digest: step.digest,
        action: step.action,
        outcome,
        message,
        durationMs: Date.now() - started,
      });
    let outcome: StepReport['outcome'] = 'done';
    try {
      if (step.action === 'untag') {
        const target = { registry: step.registry, repository: step.repository, tag: step.tags[0]! };
        if (gone) outcome = 'already-gone';
        else if (placeholder) await deletePlaceholder(client, target, placeholder, signal);
        else await untag(client, target, await deps.capabilities(step.registry, step.repository, signal), signal);
      } else {
        try {
          const { api } = await deps.capabilities(step.registry, step.repository, signal);
          await client.deleteManifest(
            { registry: step.registry, repository: step.repository, digest: step.digest },
            { ...(signal ? { signal } : {}), ...(api ? { via: api } : {}) },
          );
        } catch (error) {
          // Gone already (an earlier run, or someone else): what the plan wanted is true.
          if (!isBerthError(error) || error.code !== 'not_found') throw error;
          outcome = 'already-gone';
        }
      }
    } catch (error) {
      await audit('failure', isBerthError(error) ? error.message : 'internal error').catch(() => undefined);
      const done = reports.length;
      if (isBerthError(error) && error.code !== 'cancelled') {
        throw new BerthError(
          error.code,
          `${error.message} (${done} of ${ordered.length} deletions done before this one; run the same plan again to finish it.)`,
          error.details,
        );
      }
      throw error;
    }
    await audit(
      'success',
      outcome === 'already-gone'
        ? 'already gone'
        : step.action === 'untag'
          ? 'untagged'
          : `deleted with tags: ${step.tags.join(', ') || 'none'}`,
    );
    const report = { step, outcome, current: position + 1, total: ordered.length };
    reports.push(report);
    options.onStep?.(report);
  }
  return reports;
}

/** What a run did, as references: `host/repo:tag` for tags, `host/repo@digest` for digests. */
export function summarizeReports(reports: readonly StepReport[]): {
  untagged: string[];
  deletedDigests: string[];
  alsoRemovedTags: string[];
  alreadyGone: string[];
} {
  const named = (step: DeletionStep) => (step.action === 'untag' ? refOf(step, step.tags[0]) : refOf(step));
  const done = reports.filter((report) => report.outcome === 'done').map((report) => report.step);
  return {
    untagged: done.filter((step) => step.action === 'untag').map(named),
    deletedDigests: done.filter((step) => step.action === 'delete').map(named),
    alsoRemovedTags: done
      .filter((step) => step.action === 'delete')
      .flatMap((step) => step.tags.map((tag) => refOf(step, tag))),
    alreadyGone: reports.filter((report) => report.outcome === 'already-gone').map((report) => named(report.step)),
  };
}
