/**
 * The sync service behind `sync.*` and `berth sync`: rules in the settings, a plan per tag (HEADs first,
 * reads only for what will be written), gates for tags that enter a gated lane stage, and a run on
 * promotion's executor with every write audited.
 */
import { BerthError } from '../../shared/errors';
import { describeGate } from '../../shared/gates';
import type { AuditEntry, GateResult, PromotionLane } from '../../shared/types/promotion';
import type { SyncPlan, SyncResult, SyncRule } from '../../shared/types/sync';
import type { AuditLog } from '../promotion/audit-log';
import { evaluateGates, stagesForTarget, type GateDeps } from '../promotion/gates';
import type { RegistryHostLookup } from '../promotion/lanes';
import { defaultOsUser } from '../promotion/service';
import type { RegistryClient } from '../registry';
import { mapBounded } from '../util/async';
import { executeSync, type SyncRunOptions } from './sync-execute';
import { checkPlanHash, pinPlan, tagsToRecheck, type PinnedPlan } from './sync-pin';
import { prepareSync, publicTag, type PlannedTag, type PreparedSync, type SyncPlanDeps } from './sync-plan';
import { parseLocation } from './sync-rules';
import type { SyncRuleStore } from './sync-rules';

export interface SyncRequest {
  ruleName?: string | undefined;
  rule?: SyncRule | undefined;
  onlyTags?: string[] | undefined;
}

export interface SyncRunRequest extends SyncRequest {
  /** A plan `sync.plan` returned, to run exactly. */
  plan?: PinnedPlan | undefined;
  /** Writes tags whose gates fail, for this reason (audited). */
  override?: { reason: string } | undefined;
}

export interface SyncServiceOptions {
  registry: RegistryClient;
  rules: SyncRuleStore;
  audit: AuditLog;
  created: SyncPlanDeps['created'];
  /** The username Berth signs in to a registry with, when it has one (never the secret). */
  registryUser?: (host: string) => Promise<string | undefined>;
  osUser?: () => string;
  /** Lanes and what their gates read: a tag written into a gated stage passes its gates first. */
  gates?: { lanes(): readonly PromotionLane[]; hostOf: RegistryHostLookup; deps: GateDeps };
  /** Tags written at once (default 8) and blobs per tag (default 4). */
  tagConcurrency?: number;
  blobConcurrency?: number;
}

export interface SyncService {
  rules(): SyncRule[];
  setRules(rules: SyncRule[]): SyncRule[];
  plan(request: SyncRequest, signal: AbortSignal): Promise<SyncPlan>;
  run(request: SyncRunRequest, options: SyncRunOptions): Promise<SyncResult>;
}

const GATE_CONCURRENCY = 4;

export function createSyncService(options: SyncServiceOptions): SyncService {
  const client = options.registry;

  function ruleOf(request: SyncRequest): SyncRule {
    if (request.rule) return request.rule;
    const rule = options.rules.list().find((candidate) => candidate.name === request.ruleName);
    if (!rule) {
      const names = options.rules.list().map((candidate) => candidate.name);
      throw new BerthError(
        'not_found',
        `There is no sync rule named "${request.ruleName ?? ''}". Rules: ${names.join(', ') || 'none yet'}.`,
      );
    }
    return rule;
  }

  /**
   * Gates of the lane stages the written tags enter, judged on the source pinned by digest (what is judged is
   * what is copied): the failing ones per `repository:tag`, each tag marked `gated` in the plan.
   */
  async function failingGates(tags: readonly PlannedTag[], signal: AbortSignal): Promise<Map<string, GateResult[]>> {
    const failing = new Map<string, GateResult[]>();
    const gates = options.gates;
    if (!gates) return failing;
    const lanes = gates.lanes();
    const writes = tags.filter((tag) => tag.action === 'new' || tag.action === 'overwrite');
    await mapBounded(writes, GATE_CONCURRENCY, signal, async (tag, _i, gateSignal) => {
      const target = `${tag.targetRegistry}/${tag.repository}:${tag.tag}`;
      const stages = stagesForTarget(lanes, target, gates.hostOf).filter((stage) => (stage.gates?.length ?? 0) > 0);
      const failed: GateResult[] = [];
      for (const stage of stages) {
        const source = `${tag.sourceRegistry}/${tag.sourceRepository}:${tag.tag}@${tag.digest}`;
        failed.push(...(await evaluateGates(stage, source, gates.deps, gateSignal)).filter((gate) => !gate.passed));
      }
      if (failed.length === 0) return;
      failing.set(`${tag.repository}:${tag.tag}`, failed);
      tag.gated = `gated: ${failed.map((gate) => `${describeGate(gate.gate)} (${gate.stage}): ${gate.message}`).join(' ')}`;
    });
    return failing;
  }

  async function plan(request: SyncRequest, signal: AbortSignal): Promise<PreparedSync> {
    const prepared = await prepareSync({ client, created: options.created }, ruleOf(request), {
      signal,
      ...(request.onlyTags ? { onlyTags: request.onlyTags } : {}),
    });
    await failingGates(prepared.tags, signal);
    for (const tag of prepared.tags.filter((candidate) => candidate.gated !== undefined))
      prepared.plan.notes.push(
        `${tag.repository}:${tag.tag}: ${tag.gated} It will not be written unless the run overrides the gates with a reason.`,
      );
    prepared.plan.tags = prepared.tags.map(publicTag);
    return prepared;
  }

  /** What the run writes: the fresh plan, or with `request.plan` exactly that plan (moved tags refused). */
  async function runPlan(
    request: SyncRunRequest,
    signal: AbortSignal,
  ): Promise<{ prepared: PreparedSync; refused: Map<string, string> }> {
    const rule = ruleOf(request);
    if (!request.plan) {
      const prepared = await prepareSync({ client, created: options.created }, rule, {
        signal,
        ...(request.onlyTags ? { onlyTags: request.onlyTags } : {}),
      });
      return { prepared, refused: new Map() };
    }
    checkPlanHash(rule, request.plan);
    const source = parseLocation(rule.source, 'source');
    const target = parseLocation(rule.target, 'target');
    const recheck = tagsToRecheck(request.plan);
    // A plan that writes nothing runs without a request.
    const fresh =
      recheck.length === 0
        ? undefined
        : await prepareSync({ client, created: options.created }, rule, { signal, onlyTags: recheck });
    const { tags, refused } = pinPlan(fresh, request.plan, {
      sourceRegistry: source.host,
      targetRegistry: target.host,
    });
    const plan: SyncPlan = {
      ...(fresh?.plan ?? { blobsToCopy: 0, blobsToMount: 0, bytesToCopy: 0, notes: [] }),
      rule,
      sourceRegistry: source.host,
      targetRegistry: target.host,
      tags: tags.map(publicTag),
      planHash: request.plan.planHash,
    };
    return { prepared: { plan, tags }, refused };
  }

  async function who(host: string): Promise<Pick<AuditEntry, 'user' | 'registryUser'>> {
    const registryUser = await options.registryUser?.(host).catch(() => undefined);
    return { user: (options.osUser ?? defaultOsUser)(), ...(registryUser ? { registryUser } : {}) };
  }

  return {
    rules: () => options.rules.list(),
    setRules: (rules) => options.rules.set(rules),
    async plan(request, signal) {
      return (await plan(request, signal)).plan;
    },
    async run(request, run) {
      const { prepared, refused } = await runPlan(request, run.signal);
      // Failing gates refuse a tag unless the run overrides them with a reason, which the audit log records.
      const overrides = new Map<string, AuditEntry['override']>();
      const idOf = (tag: PlannedTag) => `${tag.repository}:${tag.tag}`;
      const judged = prepared.tags.filter((tag) => !refused.has(idOf(tag)));
      for (const [id, failed] of await failingGates(judged, run.signal)) {
        if (request.override) overrides.set(id, { reason: request.override.reason, gates: failed });
        else
          refused.set(
            id,
            `${judged.find((tag) => idOf(tag) === id)!.gated} Nothing was written for this tag; override with a reason to sync anyway.`,
          );
      }
      return executeSync(
        {
          client,
          audit: options.audit,
          who,
          tagConcurrency: Math.max(1, options.tagConcurrency ?? 8),
          blobConcurrency: Math.max(1, options.blobConcurrency ?? 4),
        },
        prepared,
        run,
        { refused, overrides },
      );
    },
  };
}
