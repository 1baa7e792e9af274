/**
 * Runs a sync plan with promotion's executor, tag by tag (a few at once): each tag is a promotion in its safe
 * write order (blobs, manifests, referrers, the tag last), so a run killed midway leaves every target tag
 * either as it was or complete, and a re-run plans again and finds what landed (HEADs) instead of sending it
 * again. Images go first, then the signature and referrer tags attached to them, then deletes. One tag's
 * failure is recorded and named and the others go on; a cancel stops the run.
 */
import { BerthError, isBerthError } from '../../shared/errors';
import type { AuditEntry } from '../../shared/types/promotion';
import type { SyncFailure, SyncResult } from '../../shared/types/sync';
import type { AuditLog } from '../promotion/audit-log';
import { executePromotion, type ExecutionCounts } from '../promotion/execute';
import { PromotionProgress, type PromotionProgressListener } from '../promotion/progress';
import { permissionError, type RegistryClient } from '../registry';
import { mapBounded, throwIfAborted } from '../util/async';
import { BlobLedger } from './sync-blobs';
import { publicTag, type PlannedTag, type PreparedSync } from './sync-plan';

export interface SyncExecuteDeps {
  client: RegistryClient;
  audit: AuditLog;
  /** Who runs Berth and who it signs in to `host` as, for the audit log. */
  who(host: string): Promise<Pick<AuditEntry, 'user' | 'registryUser'>>;
  /** Tags written at once. */
  tagConcurrency: number;
  /** Blobs moved at once per tag. */
  blobConcurrency: number;
}

export interface SyncRunOptions {
  signal: AbortSignal;
  onProgress?: PromotionProgressListener;
}

const itemId = (tag: PlannedTag) => `${tag.repository}:${tag.tag}`;
const reference = (host: string, repository: string, tag: string) => `${host}/${repository}:${tag}`;

function cancelled(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (isBerthError(error) && error.code === 'cancelled');
}

export interface SyncDecisions {
  /** Tags not to write, by `repository:tag`, with the reason (a failing gate, a tag moved since the plan). */
  refused?: ReadonlyMap<string, string>;
  /** Tags written although their gates fail: the override the audit entry records. */
  overrides?: ReadonlyMap<string, AuditEntry['override']>;
}

export async function executeSync(
  deps: SyncExecuteDeps,
  prepared: PreparedSync,
  run: SyncRunOptions,
  decisions: SyncDecisions = {},
): Promise<SyncResult> {
  const refused = decisions.refused ?? new Map<string, string>();
  const started = Date.now();
  const { client } = deps;
  const { signal } = run;
  const writes = prepared.tags.filter((tag) => tag.action === 'new' || tag.action === 'overwrite');
  const deletes = prepared.tags.filter((tag) => tag.action === 'delete');
  const failures: SyncFailure[] = [];
  const totals = { blobsCopied: 0, blobsMounted: 0, bytesCopied: 0, manifestsWritten: 0 };
  if (writes.length + deletes.length > 0) await deps.audit.check();

  // Per-tag progress as promotion reports per-blob progress: one item per tag (its bytes), and the run's phase.
  const progress = new PromotionProgress(run.onProgress);
  progress.register(
    [...writes, ...deletes].map((tag) => ({ id: itemId(tag), status: 'Waiting', current: 0, total: tag.bytesToCopy })),
  );
  let done = 0;
  const phase = () => progress.phase(`Syncing: ${done} of ${writes.length + deletes.length} tags`);
  phase();

  const fail = (tag: PlannedTag, error: unknown) => {
    failures.push({
      repository: tag.repository,
      tag: tag.tag,
      code: isBerthError(error) ? error.code : 'internal',
      message: isBerthError(error) ? error.message : 'unexpected error',
    });
  };

  // Who signs in where is asked once per target registry (a keychain lookup), not once per tag.
  const identities = new Map<string, Promise<Pick<AuditEntry, 'user' | 'registryUser'>>>();
  const audit = async (tag: PlannedTag, entry: Omit<AuditEntry, 'at' | 'user' | 'source' | 'target'>) => {
    if (!identities.has(tag.targetRegistry))
      identities.set(
        tag.targetRegistry,
        deps.who(tag.targetRegistry).catch(() => ({ user: 'unknown' })),
      );
    const who = await identities.get(tag.targetRegistry)!;
    await deps.audit
      .append({
        at: new Date().toISOString(),
        ...who,
        source: reference(tag.sourceRegistry, tag.sourceRepository, tag.tag),
        target: reference(tag.targetRegistry, tag.repository, tag.tag),
        ...entry,
        ...(decisions.overrides?.has(itemId(tag)) ? { override: decisions.overrides.get(itemId(tag)) } : {}),
        message: `sync ${prepared.plan.rule.name}${entry.message ? `: ${entry.message}` : ''}`,
      })
      // The registry holds the outcome already; a log that became unwritable must not turn it into a failure.
      .catch(() => undefined);
  };

  const ledger = new BlobLedger(client);
  const write = async (tag: PlannedTag, tagSignal: AbortSignal) => {
    const id = itemId(tag);
    const tagStarted = Date.now();
    const inner = new PromotionProgress((snapshot) =>
      progress.item(id, snapshot.status, snapshot.current, snapshot.total),
    );
    try {
      const reason = refused.get(id);
      if (reason !== undefined) throw new BerthError('conflict', reason);
      if (!tag.prepared) throw new BerthError('internal', `${id} has no plan to run.`);
      // The plan asked the token service already: a denied push is refused before any write, in its words.
      if (tag.prepared.deniedPush)
        throw permissionError(tag.targetRegistry, tag.prepared.deniedPush, `sync ${id}`, ' Nothing was written.');
      const counts: ExecutionCounts = await executePromotion(client, tag.prepared, {
        force: tag.action === 'overwrite',
        signal: tagSignal,
        progress: inner,
        blobConcurrency: deps.blobConcurrency,
        transfer: (transfer) => ledger.transfer(transfer),
      });
      totals.blobsCopied += counts.blobsCopied;
      totals.blobsMounted += counts.blobsMounted;
      totals.bytesCopied += counts.bytesCopied;
      totals.manifestsWritten += counts.manifestsWritten;
      progress.item(id, tag.action === 'overwrite' ? 'Overwritten' : 'Copied', tag.bytesToCopy, tag.bytesToCopy);
      await audit(tag, {
        digest: tag.digest,
        strategy: tag.prepared.plan.strategy,
        outcome: 'success',
        blobsMounted: counts.blobsMounted,
        blobsCopied: counts.blobsCopied,
        bytesCopied: counts.bytesCopied,
        skipped: counts.skipped,
        durationMs: Date.now() - tagStarted,
      });
    } catch (error) {
      const stopped = cancelled(error, signal);
      await audit(tag, {
        digest: tag.digest,
        outcome: stopped ? 'cancelled' : isBerthError(error) && error.code === 'conflict' ? 'refused' : 'failure',
        message: isBerthError(error) ? error.message : 'unexpected error',
        durationMs: Date.now() - tagStarted,
      });
      if (stopped) throw error;
      progress.item(id, 'Failed', 0, tag.bytesToCopy);
      fail(tag, error);
    }
    done++;
    phase();
  };

  // Artifact tags after every image: a signature is written only once the image it signs is there.
  const failedImages = new Set<string>();
  const images = writes.filter((tag) => tag.artifactOf === undefined);
  await mapBounded(images, deps.tagConcurrency, signal, async (tag, _i, tagSignal) => {
    const before = failures.length;
    await write(tag, tagSignal);
    if (failures.length > before) failedImages.add(`${tag.sourceRepository}:${tag.tag}`);
  });
  const artifacts = writes.filter((tag) => tag.artifactOf !== undefined);
  await mapBounded(artifacts, deps.tagConcurrency, signal, async (tag, _i, tagSignal) => {
    if (failedImages.has(tag.artifactOf!)) {
      fail(tag, new BerthError('conflict', `Not written: the image it is attached to (${tag.artifactOf}) failed.`));
      done++;
      return;
    }
    await write(tag, tagSignal);
  });

  for (const tag of deletes) {
    throwIfAborted(signal);
    const id = itemId(tag);
    try {
      const reason = refused.get(id);
      if (reason !== undefined) throw new BerthError('conflict', reason);
      await deleteTag(client, tag, prepared.tags, signal);
      totals.manifestsWritten++;
      progress.item(id, 'Deleted', 0, 0);
      await audit(tag, { digest: tag.digest, outcome: 'success', message: 'deleted (gone at the source)' });
    } catch (error) {
      if (cancelled(error, signal)) throw error;
      await audit(tag, {
        digest: tag.digest,
        outcome: isBerthError(error) && error.code === 'conflict' ? 'refused' : 'failure',
        message: isBerthError(error) ? error.message : 'unexpected error',
      });
      progress.item(id, 'Failed', 0, 0);
      fail(tag, error);
    }
    done++;
    phase();
  }
  progress.phase(failures.length > 0 ? `Synced with ${failures.length} failed` : 'Synced');
  return {
    tags: prepared.tags.map(publicTag),
    ...totals,
    failures,
    durationMs: Date.now() - started,
  };
}

/**
 * Deletes a target tag gone at the source. A registry that cannot delete a tag alone (distribution 2.8
 * among them) deletes it with its manifest, which would take every other tag on that digest: refused then,
 * naming them.
 */
async function deleteTag(
  client: RegistryClient,
  tag: PlannedTag,
  all: readonly PlannedTag[],
  signal: AbortSignal,
): Promise<void> {
  const repo = { registry: tag.targetRegistry, repository: tag.repository };
  const current = await client.headManifest({ ...repo, tag: tag.tag }, { signal });
  if (current === undefined) return;
  if (current.digest !== tag.digest) {
    throw new BerthError(
      'conflict',
      `${repo.repository}:${tag.tag} changed since the plan (it now points at ${current.digest}); not deleted.`,
    );
  }
  try {
    await client.deleteTag({ ...repo, tag: tag.tag }, { signal });
    return;
  } catch (error) {
    if (!isBerthError(error) || error.code !== 'unsupported') throw error;
  }
  // Every tag of the repository is looked at, not only the rule's: a tag outside the filter counts too.
  const deleting = new Set(
    all.filter((other) => other.action === 'delete').map((other) => `${other.repository}:${other.tag}`),
  );
  const others = (await client.listTags(repo, { signal })).filter((name) => !deleting.has(`${tag.repository}:${name}`));
  const sharing: string[] = [];
  await mapBounded(others, 16, signal, async (name, _i, headSignal) => {
    if ((await client.headManifest({ ...repo, tag: name }, { signal: headSignal }))?.digest === tag.digest)
      sharing.push(name);
  });
  if (sharing.length > 0) {
    throw new BerthError(
      'unsupported',
      `${tag.targetRegistry} deletes a tag only with its manifest, which ${sharing.sort().join(', ')} also point${sharing.length === 1 ? 's' : ''} at; ${tag.tag} was not deleted.`,
    );
  }
  await client.deleteManifest({ ...repo, digest: tag.digest }, { signal });
}
