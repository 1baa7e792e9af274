import { PLATFORM_PATTERN } from '../../../shared/reference';
import type { SyncPlan, SyncResult, SyncRule, SyncTagPlan } from '../../../shared/types/sync';
import { UsageError, type CliCommand } from '../command';
import { formatBytes, table, withProgress } from '../progress';

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

function tagTable(tags: SyncTagPlan[]): string {
  if (tags.length === 0) return 'No tag matches the rule.\n';
  return `${table(
    ['ACTION', 'TAG', 'DIGEST', 'NOW AT TARGET'],
    tags.map((tag) => [
      tag.action,
      `${tag.repository}:${tag.tag}`,
      short(tag.digest),
      tag.targetDigest !== undefined && tag.targetDigest !== tag.digest ? short(tag.targetDigest) : '',
    ]),
  )}\n`;
}

function counts(tags: SyncTagPlan[]): string {
  const by = new Map<string, number>();
  for (const tag of tags) by.set(tag.action, (by.get(tag.action) ?? 0) + 1);
  return [...by].map(([action, count]) => `${count} ${action}`).join(', ') || 'nothing';
}

function describePlan(plan: SyncPlan): string {
  return [
    tagTable(plan.tags),
    `Plan: ${counts(plan.tags)}; ${plan.blobsToCopy} blobs to copy (${formatBytes(plan.bytesToCopy)}), ${plan.blobsToMount} to mount.`,
    ...plan.notes.map((note) => `note: ${note}`),
    '',
  ].join('\n');
}

function describeResult(result: SyncResult): string {
  return [
    tagTable(result.tags),
    `Synced: ${counts(result.tags)}; ${result.blobsCopied} blobs copied (${formatBytes(result.bytesCopied)}), ${result.blobsMounted} mounted, ${result.manifestsWritten} manifests written, in ${(result.durationMs / 1000).toFixed(1)} s.`,
    '',
  ].join('\n');
}

/** The JSON the issue names, with a few more fields. */
function jsonTags(tags: SyncTagPlan[]) {
  return tags.map((tag) => ({
    repository: tag.repository,
    tag: tag.tag,
    action: tag.action,
    digest: tag.digest,
    ...(tag.targetDigest !== undefined ? { targetDigest: tag.targetDigest } : {}),
    sourceRepository: tag.sourceRepository,
    ...(tag.artifactOf !== undefined ? { artifactOf: tag.artifactOf } : {}),
  }));
}

export const syncCommands: CliCommand[] = [
  {
    path: ['sync'],
    usage:
      'berth sync SRC DST [--tags PATTERN] [--latest N] [--mode copy|mirror] [--delete] [--platform os/arch ...] [--dry-run] [--override REASON] [--json]',
    summary:
      'Sync the tags of a namespace or repository to another registry (SRC, DST: host/namespace/ or host/repository). Exit 1 when any tag failed.',
    options: {
      tags: { type: 'string', description: 'tag filter: a glob (prod-*), /regex/, or semver:RANGE' },
      latest: { type: 'string', description: 'only the newest N matching tags per repository (semver, else date)' },
      mode: {
        type: 'string',
        description: 'copy (default): leave a target tag holding another digest alone; mirror: overwrite it',
      },
      delete: { type: 'boolean', description: 'mirror mode: delete target tags gone at the source' },
      platform: { type: 'string', multiple: true, description: 'only this platform of indexes (repeatable)' },
      'no-referrers': { type: 'boolean', description: 'leave signatures, attestations and SBOMs behind' },
      'dry-run': { type: 'boolean', description: 'print the plan and write nothing' },
      override: {
        type: 'string',
        description: "write tags although the target stage's gates fail; the reason goes to the audit log",
      },
      json: { type: 'boolean', description: 'print JSON' },
    },
    minArgs: 2,
    maxArgs: 2,
    async run(ctx) {
      const [source, target] = ctx.args as [string, string];
      const mode = (ctx.flags.mode as string | undefined) ?? 'copy';
      if (mode !== 'copy' && mode !== 'mirror') throw new UsageError(`--mode is copy or mirror (got ${mode})`);
      const latestText = ctx.flags.latest as string | undefined;
      const latest = latestText === undefined ? undefined : Number(latestText);
      if (latest !== undefined && !(Number.isInteger(latest) && latest >= 1 && latest <= 10_000))
        throw new UsageError(`--latest wants a whole number from 1 to 10000 (got ${latestText})`);
      if (ctx.flags.delete === true && mode !== 'mirror') throw new UsageError('--delete needs --mode mirror');
      const platforms = (ctx.flags.platform as string[] | undefined) ?? [];
      if (platforms.some((platform) => !PLATFORM_PATTERN.test(platform)))
        throw new UsageError(`--platform wants os/arch or os/arch/variant (got ${platforms.join(', ')})`);
      const rule: SyncRule = {
        name: 'cli',
        source,
        target,
        ...(typeof ctx.flags.tags === 'string' ? { tags: ctx.flags.tags } : {}),
        ...(latest !== undefined ? { latest } : {}),
        ...(platforms.length > 0 ? { platforms } : {}),
        referrers: ctx.flags['no-referrers'] !== true,
        mode,
        delete: ctx.flags.delete === true,
      };
      const json = ctx.flags.json === true;
      if (ctx.flags['dry-run'] === true) {
        const plan = await ctx.call('sync.plan', { rule });
        ctx.stdout.write(
          json
            ? `${JSON.stringify({ tags: jsonTags(plan.tags), blobsToCopy: plan.blobsToCopy, blobsToMount: plan.blobsToMount, bytesToCopy: plan.bytesToCopy, notes: plan.notes }, null, 2)}\n`
            : describePlan(plan),
        );
        return 0;
      }
      const result = await withProgress(ctx, (operationId) =>
        ctx.call('sync.run', {
          rule,
          ...(typeof ctx.flags.override === 'string' ? { override: { reason: ctx.flags.override } } : {}),
          operationId,
        }),
      );
      ctx.stdout.write(
        json
          ? `${JSON.stringify(
              {
                tags: jsonTags(result.tags),
                blobsCopied: result.blobsCopied,
                blobsMounted: result.blobsMounted,
                bytesCopied: result.bytesCopied,
                manifestsWritten: result.manifestsWritten,
                failures: result.failures,
              },
              null,
              2,
            )}\n`
          : describeResult(result),
      );
      for (const failure of result.failures)
        ctx.stderr.write(`berth: ${failure.repository}:${failure.tag} failed: ${failure.message}\n`);
      return result.failures.length > 0 ? 1 : 0;
    },
  },
];
