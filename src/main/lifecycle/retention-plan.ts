/**
 * Retention as plan -> apply. The plan is the exact list of tags to untag and digests to delete, each with
 * the rule that decided it, the bytes that become unreferenced, and a hash of it all. Apply checks the hash,
 * then runs that list through the one deletion executor, which refuses (changing nothing) when the registry
 * has moved since, and counts what is already gone as done (so a re-run finishes an interrupted apply).
 */
import { createHash } from 'node:crypto';
import { BerthError, isBerthError } from '../../shared/errors';
import { parseReference } from '../../shared/reference';
import type {
  DeletionStep,
  RetentionDelete,
  RetentionPlan,
  RetentionPolicy,
  RetentionResult,
} from '../../shared/types/deletion';
import type { ProgressState } from '../../shared/types/operations';
import type { RegistryKind } from '../../shared/types/settings';
import { throwIfAborted } from '../util/async';
import { laneStageStates, repositoryIndexes, type LaneLookup } from './blast-radius';
import { readRepository } from './delete-state';
import { checkSteps, runSteps, summarizeReports, type DeleteStepDeps } from './delete-steps';
import { gcGuidance } from './gc-guidance';
import { unreferencedBytes } from './retention-bytes';
import { checkPolicy, decideRetention, hasKeepRule, type RepositoryFacts } from './retention-policy';
import type { RetentionStore } from './retention-store';

export interface RetentionDeps extends DeleteStepDeps {
  lanes: LaneLookup;
  policies: RetentionStore;
  registryKind(host: string): RegistryKind;
  now?: () => Date;
}

type Progress = (state: ProgressState) => void;

/** JSON with object keys sorted, so the hash does not depend on key order after a round trip through a file. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export function retentionPlanHash(plan: Omit<RetentionPlan, 'planHash'> & { planHash?: string }): string {
  const { planHash: _ignored, ...content } = plan;
  return `sha256:${createHash('sha256').update(canonical(content)).digest('hex')}`;
}

/** `host/repo` or `host/namespace/` -> the registry and the repositories it covers now. */
async function resolveScope(
  deps: RetentionDeps,
  scope: string,
  signal?: AbortSignal,
): Promise<{ registry: string; repositories: string[] }> {
  const namespace = scope.endsWith('/');
  const reference = parseReference(namespace ? scope.slice(0, -1) : scope);
  if (reference.tag !== undefined || reference.digest !== undefined || !scope.includes('/'))
    throw new BerthError(
      'invalid_input',
      `Retention applies to a repository or namespace (host/name or host/namespace/), not "${scope.slice(0, 200)}".`,
    );
  const { registry, repository: name } = reference;
  let listed: string[] = [];
  try {
    listed = (await deps.browser.listRepositories(registry, signal)).repositories;
  } catch (error) {
    // A closed catalog: the name given is taken as a repository.
    if (!isBerthError(error) || namespace || (error.code !== 'unsupported' && error.code !== 'invalid_input'))
      throw error;
  }
  const below = listed.filter((repository) => repository.startsWith(`${name}/`)).sort();
  if (!namespace && (listed.includes(name) || below.length === 0)) return { registry, repositories: [name] };
  if (below.length === 0) throw new BerthError('not_found', `No repository of ${registry} is under ${name}/.`);
  return { registry, repositories: below };
}

export async function planRetention(
  deps: RetentionDeps,
  input: { scope: string; policy?: RetentionPolicy; withReferrers?: boolean },
  options: { signal?: AbortSignal; onProgress?: Progress } = {},
): Promise<RetentionPlan> {
  const { signal, onProgress } = options;
  const now = (deps.now ?? (() => new Date()))();
  if (input.policy) checkPolicy(input.policy);
  const { registry, repositories } = await resolveScope(deps, input.scope, signal);
  const keep: RetentionPlan['keep'] = [];
  const remove: RetentionDelete[] = [];
  const orphanedReferrers: RetentionPlan['orphanedReferrers'] = [];
  const used: { repository: string; policy: RetentionPolicy }[] = [];
  const kind = deps.registryKind(registry);
  const pullApi = kind === 'harbor' || kind === 'dockerhub' ? kind : undefined;
  const notes: string[] = [];
  for (const [position, repository] of repositories.entries()) {
    throwIfAborted(signal);
    onProgress?.({ status: `Reading ${repository}`, current: position, total: repositories.length + 1 });
    const policy = input.policy ?? deps.policies.forRepository(registry, repository);
    if (!policy)
      throw new BerthError(
        'invalid_input',
        `No retention rule for ${registry}/${repository}: give --keep-last, --keep or --newer-than, or store a policy for it.`,
      );
    used.push({ repository, policy });
    if (policy.pulledWithinDays !== undefined && !pullApi) {
      // Said in the plan, never silently dropped; alone it would keep nothing and so remove every tag.
      if (!hasKeepRule(policy, false))
        throw new BerthError(
          'invalid_input',
          `The pulled-within rule needs pull times, and ${registry} (a ${kind} registry) does not report them (Harbor and Docker Hub do); add another keep rule.`,
        );
      notes.push(
        `pulled-within ${policy.pulledWithinDays} days: not applicable to ${registry}/${repository}: a ${kind} registry does not report when tags were pulled, so this rule kept nothing.`,
      );
    }
    const state = await readRepository(deps.browser, registry, repository, signal);
    const pulled =
      policy.pulledWithinDays !== undefined && pullApi
        ? await deps.browser.client.pullTimes({ registry, repository }, pullApi, signal ? { signal } : {})
        : undefined;
    const laneHolds = new Map<string, string>();
    for (const stage of await laneStageStates(deps.browser, deps.lanes, state, signal)) {
      if (stage.own) continue;
      for (const detail of stage.state.tags.values())
        if (!laneHolds.has(detail.digest))
          laneHolds.set(
            detail.digest,
            `held by ${stage.last ? 'the last (production) stage' : 'stage'} ${stage.stage} of lane ${stage.lane}`,
          );
    }
    const facts: RepositoryFacts = {
      registry,
      repository,
      tags: [...state.tags.values()].map((detail) => {
        const at = pulled?.get(detail.tag);
        return {
          tag: detail.tag,
          digest: detail.digest,
          ...(detail.created ? { created: detail.created } : {}),
          ...(at ? { pulled: at } : {}),
        };
      }),
      pullTimes: pulled !== undefined,
      laneHolds,
      indexes: new Map(
        (await repositoryIndexes(deps.browser, state, signal)).map((index) => [
          index.digest,
          index.entries.map((entry) => entry.digest),
        ]),
      ),
    };
    const decision = decideRetention(facts, policy, now, { withReferrers: input.withReferrers ?? false });
    keep.push(...decision.keep);
    remove.push(...decision.delete);
    orphanedReferrers.push(...decision.orphanedReferrers);
  }
  if (remove.length > 0) {
    const capabilities = await deps.capabilities(registry, repositories[0]!, signal);
    if (capabilities.manifestDelete !== 'enabled' && capabilities.untagMethod === 'vendor-api') {
      // Docker Hub deletes by tag only: each tag of a removed image is untagged, the image left to Hub.
      for (const [position, entry] of remove.entries())
        if (entry.action === 'delete')
          remove[position] = { ...entry, action: 'untag', rule: `${entry.rule}; ${registry} deletes by tag only` };
    } else if (capabilities.manifestDelete !== 'enabled') throw new BerthError('unsupported', capabilities.message);
    if (remove.some((entry) => entry.action === 'untag') && capabilities.untagMethod === 'placeholder-manifest')
      notes.push(
        'Each untag here leaves a small placeholder manifest (a few hundred bytes) for garbage collection, not counted in bytesFreed.',
      );
  }
  onProgress?.({
    status: `Counting unreferenced bytes in ${registry}`,
    current: repositories.length,
    total: repositories.length + 1,
  });
  const deletions = [
    ...new Map(
      remove
        .filter((entry) => entry.action === 'delete')
        .map((entry) => [
          `${entry.repository}@${entry.digest}`,
          { repository: entry.repository, digest: entry.digest },
        ]),
    ).values(),
  ];
  const { bytes, skipped } = deletions.length
    ? await unreferencedBytes(deps.browser, registry, deletions, signal)
    : { bytes: 0, skipped: [] };
  if (skipped.length > 0)
    notes.push(
      `Could not read ${skipped.length} repositories of ${registry} (${skipped.slice(0, 5).join(', ')}): blobs only they use may be counted as freed.`,
    );
  notes.push(
    'Untagged manifests are not visible through the registry API; a blob only they share with a removed image stays after garbage collection.',
  );
  const content: Omit<RetentionPlan, 'planHash'> = {
    version: 1,
    registry,
    scope: input.scope,
    repositories,
    policy: input.policy ?? used[0]?.policy ?? {},
    // Stored policies differ between the repositories of a namespace: each one's is recorded.
    ...(input.policy ? {} : { repositoryPolicies: used }),
    createdAt: now.toISOString(),
    keep,
    delete: remove,
    bytesFreed: bytes,
    orphanedReferrers,
    notes,
  };
  return { ...content, planHash: retentionPlanHash(content) };
}

/** The plan's entries as executor steps: one delete per (repository, digest), one untag per tag. */
export function retentionSteps(plan: RetentionPlan): DeletionStep[] {
  const steps = new Map<string, DeletionStep>();
  for (const entry of plan.delete) {
    const key =
      entry.action === 'delete' ? `d ${entry.repository}@${entry.digest}` : `u ${entry.repository}:${entry.tag}`;
    const step = steps.get(key);
    if (step) step.tags.push(entry.tag);
    else
      steps.set(key, {
        registry: plan.registry,
        repository: entry.repository,
        action: entry.action,
        digest: entry.digest,
        tags: [entry.tag],
      });
  }
  return [...steps.values()];
}

export async function applyRetention(
  deps: RetentionDeps,
  plan: RetentionPlan,
  options: { signal?: AbortSignal; onProgress?: Progress } = {},
): Promise<RetentionResult> {
  if (retentionPlanHash(plan) !== plan.planHash)
    throw new BerthError(
      'invalid_input',
      'This retention plan was changed after it was made (its content does not match its planHash); make a new plan.',
    );
  const steps = retentionSteps(plan);
  options.onProgress?.({ status: 'Checking the registry against the plan', current: 0, total: steps.length });
  const checked = await checkSteps(deps, steps, options.signal);
  const reports = await runSteps(deps, checked, {
    ...(options.signal ? { signal: options.signal } : {}),
    onStep: (report) =>
      options.onProgress?.({
        status: `${report.step.action === 'untag' ? 'Untagged' : 'Deleted'} ${report.step.repository}${report.step.action === 'untag' ? `:${report.step.tags[0]}` : `@${report.step.digest.slice(0, 19)}…`}`,
        current: report.current,
        total: report.total,
      }),
  });
  const { untagged, deletedDigests, alreadyGone } = summarizeReports(reports);
  return {
    planHash: plan.planHash,
    untagged,
    deletedDigests,
    alreadyGone,
    gc: gcGuidance(deps.registryKind(plan.registry), plan.registry, plan.bytesFreed),
  };
}
