/**
 * The promotion service behind the API and `berth promote`: plan, execute (registry to registry, or
 * through the Docker engine), lanes and the audit log. Every execution is audited, whatever its outcome.
 */
import { userInfo } from 'node:os';
import { BerthError, isBerthError } from '../../shared/errors';
import { parseReference } from '../../shared/reference';
import type {
  AuditEntry,
  AuditOutcome,
  LaneStep,
  PromotionLane,
  PromotionPlan,
  PromotionResult,
} from '../../shared/types/promotion';
import { permissionError, type RegistryClient } from '../registry';
import type { AuditLog, AuditQuery } from './audit-log';
import { executeEnginePromotion, prepareEnginePromotion, type EngineTransfers } from './engine';
import { executePromotion, type ExecutionCounts } from './execute';
import { nextStage, type LaneStore, type RegistryHostLookup } from './lanes';
import { preparePromotion, type PreparedPromotion, type PromotionRequest } from './plan';
import { PromotionProgress, type PromotionProgressListener } from './progress';
import { evaluateGates, stagesForTarget, type GateDeps } from './gates';
import { describeGate } from '../../shared/gates';

export type { PromotionRequest } from './plan';

export interface PromotionServiceOptions {
  registry: RegistryClient;
  /** The Docker engine, for `viaEngine` promotions. */
  engine?: EngineTransfers;
  lanes: LaneStore;
  /** A lane stage's registryId -> its host, from the registry settings. */
  registryHost: RegistryHostLookup;
  audit: AuditLog;
  /** The username Berth signs in to a registry with, when it has one (never the secret). */
  registryUser?: (host: string) => Promise<string | undefined>;
  /** An audit line that could not be written after the promotion ran (for the app log). */
  onAuditError?: (error: unknown) => void;
  /** Who runs Berth; defaults to the OS user. */
  osUser?: () => string;
  /** Blobs moved at once (default 4): each copy holds a request slot at the source and one at the target. */
  blobConcurrency?: number;
  /** What lane stage gates check (signatures, vulnerabilities, SBOMs); without it every gate fails, saying why. */
  gates?: GateDeps;
}

export interface RunOptions {
  signal: AbortSignal;
  onProgress?: PromotionProgressListener;
}

export interface NextRequest extends Omit<PromotionRequest, 'target'> {
  lane?: string;
  execute: boolean;
}

export interface PromotionService {
  plan(request: PromotionRequest, signal?: AbortSignal): Promise<PromotionPlan>;
  execute(request: PromotionRequest, options: RunOptions): Promise<PromotionResult>;
  lanes(): PromotionLane[];
  setLanes(lanes: PromotionLane[]): PromotionLane[];
  /** Plans (and with `execute`, runs) the promotion of `source` to the next stage of its lane; a plan's `pinnedSource` runs exactly that plan. */
  next(
    request: NextRequest,
    options: RunOptions,
  ): Promise<LaneStep & { plan: PromotionPlan; result?: PromotionResult }>;
  audit(query: AuditQuery): Promise<AuditEntry[]>;
}

const DEFAULT_BLOB_CONCURRENCY = 4;

/** Who runs Berth, for the audit log (sync's entries too). */
export function defaultOsUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

function outcomeOf(error: unknown, signal: AbortSignal): AuditOutcome {
  if (signal.aborted || (isBerthError(error) && error.code === 'cancelled')) return 'cancelled';
  if (isBerthError(error) && error.code === 'conflict') return 'refused';
  return 'failure';
}

/** The audit log's record of an override: the reason and exactly the gates it overrode. */
function overrideEntry(plan: PromotionPlan, override: PromotionRequest['override']): Pick<AuditEntry, 'override'> {
  const failing = plan.gates.filter((gate) => !gate.passed);
  return override && failing.length > 0 ? { override: { reason: override.reason, gates: failing } } : {};
}

export function createPromotionService(options: PromotionServiceOptions): PromotionService {
  const client = options.registry;
  const osUser = options.osUser ?? defaultOsUser;
  const blobConcurrency = Math.max(1, options.blobConcurrency ?? DEFAULT_BLOB_CONCURRENCY);

  async function prepare(request: PromotionRequest, signal?: AbortSignal): Promise<PreparedPromotion> {
    if (request.viaEngine && !options.engine)
      throw new BerthError(
        'engine_unavailable',
        'No Docker engine is configured for this Berth, so it cannot promote through the engine.',
      );
    const prepared = request.viaEngine
      ? await prepareEnginePromotion(client, request, signal)
      : await preparePromotion(client, request, signal);
    // The gates of every stage the target lands in, judged on the pinned source: what is judged is what is copied.
    for (const stage of stagesForTarget(options.lanes.list(), prepared.plan.target, options.registryHost))
      prepared.plan.gates.push(
        ...(await evaluateGates(stage, prepared.plan.pinnedSource, options.gates ?? {}, signal)),
      );
    return prepared;
  }

  /** Failing gates stop a promotion before any write, unless overridden with a reason (which is audited). */
  function checkGates(plan: PromotionPlan, override: PromotionRequest['override']): void {
    const failing = plan.gates.filter((gate) => !gate.passed);
    if (failing.length === 0 || override) return;
    throw new BerthError(
      'conflict',
      `${plan.target} is gated: ${failing.map((gate) => `${describeGate(gate.gate)} (${gate.stage}): ${gate.message}`).join(' ')} Nothing was written; override with a reason to promote anyway.`,
      { reason: 'gate_failed', gates: failing.map((gate) => gate.gate.kind).join(',') },
    );
  }

  /**
   * The log was writable when the promotion started; if a write fails now, the registries already hold the
   * outcome, so it is logged for diagnosis rather than turned into a failure of the promotion.
   */
  async function appendAudit(entry: AuditEntry): Promise<void> {
    await options.audit.append(entry).catch((error: unknown) => options.onAuditError?.(error));
  }

  async function who(target: string): Promise<Pick<AuditEntry, 'user' | 'registryUser'>> {
    let registryUser: string | undefined;
    try {
      registryUser = await options.registryUser?.(parseReference(target).registry);
    } catch {
      // Who signed in is context for the log; a keychain problem must not hide the promotion's outcome.
      registryUser = undefined;
    }
    return { user: osUser(), ...(registryUser ? { registryUser } : {}) };
  }

  async function execute(
    request: PromotionRequest,
    run: RunOptions,
  ): Promise<{ plan: PromotionPlan; result: PromotionResult }> {
    const started = Date.now();
    const progress = new PromotionProgress(run.onProgress);
    // Refused before any write: a promotion that cannot be audited does not run.
    await options.audit.check();
    let prepared: PreparedPromotion | undefined;
    try {
      progress.phase('Planning');
      prepared = await prepare(request, run.signal);
      const { plan } = prepared;
      checkGates(plan, request.override);
      // The plan asked the token service already: a denied push is refused here, before any blob is mounted
      // or copied, in the plan's own words (a refusal later, from some blob's request, names less well).
      if (prepared.deniedPush && !plan.upToDate) {
        throw permissionError(
          prepared.target.registry,
          prepared.deniedPush,
          `promote ${plan.source} to ${plan.target}`,
          ` Nothing was written.`,
        );
      }
      let counts: ExecutionCounts;
      let digest = plan.targetDigest;
      if (plan.strategy === 'engine') {
        const ran = await executeEnginePromotion(options.engine!, client, prepared, {
          force: request.force,
          signal: run.signal,
          progress,
        });
        digest = ran.digest;
        counts = ran;
      } else {
        counts = await executePromotion(client, prepared, {
          force: request.force,
          signal: run.signal,
          progress,
          blobConcurrency,
        });
      }
      const result: PromotionResult = {
        source: plan.source,
        sourceDigest: plan.sourceDigest,
        target: plan.target,
        digest,
        strategy: plan.strategy,
        ...counts,
        durationMs: Date.now() - started,
      };
      progress.phase('Promoted');
      await appendAudit({
        at: new Date().toISOString(),
        ...(await who(plan.target)),
        source: plan.source,
        target: plan.target,
        digest,
        strategy: plan.strategy,
        outcome: 'success',
        ...(plan.upToDate ? { message: 'already up to date' } : {}),
        blobsMounted: counts.blobsMounted,
        blobsCopied: counts.blobsCopied,
        bytesCopied: counts.bytesCopied,
        skipped: counts.skipped,
        durationMs: result.durationMs,
        ...overrideEntry(plan, request.override),
      });
      return { plan, result };
    } catch (error) {
      const message = isBerthError(error) ? error.message : 'unexpected error';
      await appendAudit({
        at: new Date().toISOString(),
        ...(await who(prepared?.plan.target ?? request.target)),
        source: prepared?.plan.source ?? request.source,
        target: prepared?.plan.target ?? request.target,
        ...(prepared ? { digest: prepared.plan.targetDigest, strategy: prepared.plan.strategy } : {}),
        outcome: outcomeOf(error, run.signal),
        message,
        durationMs: Date.now() - started,
        ...(prepared ? overrideEntry(prepared.plan, request.override) : {}),
      });
      throw error;
    }
  }

  return {
    async plan(request, signal) {
      return (await prepare(request, signal)).plan;
    },
    async execute(request, run) {
      return (await execute(request, run)).result;
    },
    lanes: () => options.lanes.list(),
    setLanes: (lanes) => options.lanes.set(lanes),
    async next(request, run) {
      const step = nextStage(options.lanes.list(), request.source, request.lane, options.registryHost);
      const promotion: PromotionRequest = { ...request, target: step.target };
      if (!request.execute) return { ...step, plan: (await prepare(promotion, run.signal)).plan };
      return { ...step, ...(await execute(promotion, run)) };
    },
    audit: (query) => options.audit.read(query),
  };
}
