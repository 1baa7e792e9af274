/**
 * The delete and retention service behind `lifecycle.*` and `retention.*`: capabilities probed once per
 * registry and repository (for five minutes), `berth rm` as a plan with blast radius then an execution of
 * exactly that plan, and retention plan / apply. Dependencies come in as arguments (services.ts wires them).
 */
import { BerthError } from '../../shared/errors';
import { classifyArtifactTag } from '../../shared/artifact-tags';
import { parseReference } from '../../shared/reference';
import type {
  BlastRadius,
  DeleteCapabilities,
  DeletionStep,
  RemovePlan,
  RemoveResult,
  RetentionPlan,
  RetentionPolicy,
  RetentionResult,
  StoredRetentionPolicy,
} from '../../shared/types/deletion';
import type { ProgressState } from '../../shared/types/operations';
import { blastRadius } from './blast-radius';
import { probeDeleteCapabilities, vendorDeleteCapabilities } from './capabilities';
import { readRepository, tagsByDigest, type RepositoryState } from './delete-state';
import { checkSteps, runSteps, summarizeReports } from './delete-steps';
import { applyRetention, planRetention, type RetentionDeps } from './retention-plan';
import { checkPolicy } from './retention-policy';

const CAPABILITY_TTL_MS = 5 * 60_000;

export type DeleteServiceOptions = Omit<RetentionDeps, 'capabilities'>;

export interface DeleteService {
  capabilities(registry: string, repository: string, signal?: AbortSignal): Promise<DeleteCapabilities>;
  /** What removing these references would do: untag for `repo:tag`, delete for `repo@digest` (or `digest`). */
  planRemove(
    references: string[],
    options: { digest: boolean; withReferrers?: boolean; signal?: AbortSignal },
  ): Promise<RemovePlan>;
  remove(
    plan: Pick<RemovePlan, 'steps'> & { orphanedReferrers: string[] },
    options: { signal?: AbortSignal; onProgress?: (state: ProgressState) => void },
  ): Promise<RemoveResult>;
  planRetention(
    input: { scope: string; policy?: RetentionPolicy; withReferrers?: boolean },
    options: { signal?: AbortSignal; onProgress?: (state: ProgressState) => void },
  ): Promise<RetentionPlan>;
  applyRetention(
    plan: RetentionPlan,
    options: { signal?: AbortSignal; onProgress?: (state: ProgressState) => void },
  ): Promise<RetentionResult>;
  policies(): StoredRetentionPolicy[];
  setPolicies(policies: StoredRetentionPolicy[]): StoredRetentionPolicy[];
}

function describeWarnings(radius: BlastRadius): string[] {
  const name = `${radius.registry}/${radius.repository}@${radius.digest.slice(0, 19)}…`;
  return [
    ...radius.indexes.map(
      (index) =>
        `${name} is the ${index.platform ?? 'unnamed'} platform of the multi-arch image ${index.digest.slice(0, 19)}…${index.tags.length ? ` (tags ${index.tags.join(', ')})` : ''}: deleting it breaks that image.`,
    ),
    ...radius.lanes
      .filter((held) => held.last)
      .map(
        (held) =>
          `${name} is held by ${held.stage}, the last stage of lane ${held.lane} (tags ${held.tags.join(', ')}).`,
      ),
  ];
}

/**
 * Cosign-style tags of a deleted digest (`sha256-<hex>.sig/.att/.sbom`, and the referrers fallback tag) are
 * useless without their subject, so they go with it: each becomes a delete of its own manifest, and moves in
 * the blast radius from "orphaned" to "removed with it". OCI referrers found through the referrers API stay
 * listed as orphaned (a registry's GC or the user removes those).
 */
function addReferrerDeletes(found: BlastRadius, state: RepositoryState, deletes: Map<string, DeletionStep>): void {
  const prefix = `${found.registry}/${found.repository}:`;
  const grouped = tagsByDigest(state);
  const orphaned: BlastRadius['orphanedReferrers'] = [];
  for (const referrer of found.orphanedReferrers) {
    const tag = referrer.reference.startsWith(prefix) ? referrer.reference.slice(prefix.length) : undefined;
    const digest = tag !== undefined ? state.tags.get(tag)?.digest : undefined;
    // A manifest that an ordinary tag also names is an image of its own: listed, never taken along.
    const shared = digest ? (grouped.get(digest) ?? []).some((other) => !classifyArtifactTag(other)) : false;
    if (!digest || shared) {
      orphaned.push(referrer);
      continue;
    }
    found.removedReferrers.push(referrer);
    const key = `${found.registry}/${found.repository}@${digest}`;
    if (!deletes.has(key))
      deletes.set(key, {
        registry: found.registry,
        repository: found.repository,
        action: 'delete',
        digest,
        tags: grouped.get(digest) ?? [tag!],
      });
  }
  found.orphanedReferrers = orphaned;
}

export function createDeleteService(options: DeleteServiceOptions): DeleteService {
  const probed = new Map<string, { at: number; value: Promise<DeleteCapabilities> }>();
  const capabilities = (registry: string, repository: string, signal?: AbortSignal) => {
    const key = `${registry}/${repository}`;
    const kind = options.registryKind(registry);
    if (kind === 'dockerhub' || kind === 'harbor') return Promise.resolve(vendorDeleteCapabilities(registry, kind));
    const cached = probed.get(key);
    if (cached && Date.now() - cached.at < CAPABILITY_TTL_MS) return cached.value;
    const value = probeDeleteCapabilities(options.browser.client, registry, repository, signal);
    probed.set(key, { at: Date.now(), value });
    value.catch(() => probed.delete(key));
    return value;
  };
  const deps: RetentionDeps = { ...options, capabilities };

  async function planRemove(
    references: string[],
    {
      digest: byDigest,
      withReferrers = true,
      signal,
    }: { digest: boolean; withReferrers?: boolean; signal?: AbortSignal },
  ) {
    const states = new Map<string, RepositoryState>();
    const stateOf = async (registry: string, repository: string) => {
      const key = `${registry}/${repository}`;
      let state = states.get(key);
      if (!state) {
        state = await readRepository(options.browser, registry, repository, signal);
        states.set(key, state);
      }
      return state;
    };
    const deletes = new Map<string, DeletionStep>();
    const untags = new Map<string, DeletionStep>();
    const radius: BlastRadius[] = [];
    const seenCapabilities = new Map<string, DeleteCapabilities>();
    for (const text of references) {
      const ref = parseReference(text);
      const caps = await capabilities(ref.registry, ref.repository, signal);
      seenCapabilities.set(ref.registry, caps);
      const wholeImage = ref.digest !== undefined || byDigest;
      if (wholeImage ? caps.manifestDelete !== 'enabled' : caps.untagMethod === 'none')
        throw new BerthError('unsupported', caps.message, { registry: ref.registry });
      const state = await stateOf(ref.registry, ref.repository);
      if (wholeImage) {
        const digest = ref.digest ?? state.tags.get(ref.tag ?? 'latest')?.digest;
        if (!digest)
          throw new BerthError('not_found', `${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'} does not exist.`);
        const key = `${ref.registry}/${ref.repository}@${digest}`;
        if (deletes.has(key)) continue;
        const found = await blastRadius(options.browser, options.lanes, state, digest, signal);
        if (found.tags.length === 0 && ref.tag === undefined) {
          const head = await options.browser.client.headManifest(
            { registry: ref.registry, repository: ref.repository, digest },
            signal ? { signal } : {},
          );
          if (!head) throw new BerthError('not_found', `${key} does not exist.`);
        }
        radius.push(found);
        deletes.set(key, {
          registry: ref.registry,
          repository: ref.repository,
          action: 'delete',
          digest,
          tags: found.tags,
        });
        if (withReferrers) addReferrerDeletes(found, state, deletes);
      } else {
        const tag = ref.tag ?? 'latest';
        const detail = state.tags.get(tag);
        if (!detail) throw new BerthError('not_found', `${ref.registry}/${ref.repository}:${tag} does not exist.`);
        untags.set(`${ref.registry}/${ref.repository}:${tag}`, {
          registry: ref.registry,
          repository: ref.repository,
          action: 'untag',
          digest: detail.digest,
          tags: [tag],
        });
      }
    }
    // A tag whose digest is deleted anyway needs no untag of its own.
    const steps = [
      ...[...untags.values()].filter((step) => !deletes.has(`${step.registry}/${step.repository}@${step.digest}`)),
      ...deletes.values(),
    ];
    return {
      steps,
      radius,
      capabilities: [...seenCapabilities.values()],
      warnings: radius.flatMap(describeWarnings),
    };
  }

  return {
    capabilities,
    planRemove,
    async remove(plan, { signal, onProgress }) {
      const isReferrerStep = (step: DeletionStep) =>
        step.action === 'delete' && step.tags.length > 0 && step.tags.every((tag) => classifyArtifactTag(tag));
      const checked = await checkSteps(deps, plan.steps, signal);
      const reports = await runSteps(deps, checked, {
        ...(signal ? { signal } : {}),
        onStep: (report) =>
          onProgress?.({
            status: `${report.step.action === 'untag' ? 'Untagged' : 'Deleted'} ${report.step.repository}`,
            current: report.current,
            total: report.total,
            // One item per tag the step removed, so a view can tick each tag off.
            items: (report.step.tags.length > 0 ? report.step.tags : [report.step.digest]).map((id) => ({
              id,
              status: report.outcome,
              current: 1,
              total: 1,
            })),
          }),
      });
      return {
        ...summarizeReports(reports),
        orphanedReferrers: plan.orphanedReferrers,
        removedReferrers: reports
          .filter((report) => report.outcome === 'done' && isReferrerStep(report.step))
          .flatMap(({ step }) => step.tags.map((tag) => `${step.registry}/${step.repository}:${tag}`)),
      };
    },
    planRetention: (input, runOptions) => planRetention(deps, input, runOptions),
    applyRetention: (plan, runOptions) => applyRetention(deps, plan, runOptions),
    policies: () => options.policies.list(),
    setPolicies(policies) {
      for (const { scope, policy } of policies) {
        if (!/^[^/\s]+\/\S+$/.test(scope))
          throw new BerthError(
            'invalid_input',
            `A retention policy is for a repository (host/repo) or a namespace (host/namespace/), not "${scope.slice(0, 200)}".`,
          );
        checkPolicy(policy);
      }
      return options.policies.set(policies);
    },
  };
}
