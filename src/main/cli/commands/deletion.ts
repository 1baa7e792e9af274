import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { BerthError } from '../../../shared/errors';
import { withScopePolicy } from '../../../shared/retention-scopes';
import type {
  RemovePlan,
  RetentionPlan,
  RetentionPolicy,
  RetentionResult,
  StoredRetentionPolicy,
} from '../../../shared/types/deletion';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';
import { withProgress } from '../progress';

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

/** The blast radius, in the words the user confirms. */
export function describeRemovePlan(plan: RemovePlan): string {
  const lines: string[] = [];
  for (const step of plan.steps.filter((entry) => entry.action === 'untag'))
    lines.push(
      `untag   ${step.registry}/${step.repository}:${step.tags[0]} (${short(step.digest)} and its other tags stay)`,
    );
  for (const radius of plan.radius) {
    lines.push(`delete  ${radius.registry}/${radius.repository}@${radius.digest}`);
    lines.push(`  tags removed with it: ${radius.tags.length > 0 ? radius.tags.join(', ') : 'none'}`);
    for (const referrer of radius.removedReferrers)
      lines.push(`  removed with it, its ${referrer.kind}: ${referrer.reference}`);
    for (const referrer of radius.orphanedReferrers) lines.push(`  orphaned ${referrer.kind}: ${referrer.reference}`);
    for (const index of radius.indexes)
      lines.push(
        `  platform ${index.platform ?? '(unnamed)'} of index ${short(index.digest)}${index.tags.length ? ` (${index.tags.join(', ')})` : ''}`,
      );
    for (const held of radius.lanes)
      lines.push(
        `  held by lane ${held.lane}, stage ${held.stage}${held.last ? ' (last stage)' : ''}: ${held.tags.join(', ')}`,
      );
  }
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true });
  try {
    return /^y(es)?$/i.test((await rl.question(question, { signal: ctx.signal })).trim());
  } finally {
    rl.close();
  }
}

function count(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(number))
    throw new UsageError(`--${flag} takes a number, not "${value}".`);
  return number;
}

function policyFromFlags(ctx: CliContext): RetentionPolicy | undefined {
  const keepLast = count(ctx.flags['keep-last'] as string | undefined, 'keep-last');
  const newerThanDays = count(ctx.flags['newer-than'] as string | undefined, 'newer-than');
  const pulledWithinDays = count(ctx.flags['pulled-within'] as string | undefined, 'pulled-within');
  const keep = (ctx.flags.keep as string[] | undefined) ?? [];
  const keepRegex = (ctx.flags['keep-regex'] as string[] | undefined) ?? [];
  const orderBy = ctx.flags['order-by'] as string | undefined;
  if (orderBy !== undefined && orderBy !== 'created' && orderBy !== 'semver')
    throw new UsageError('--order-by is created or semver.');
  const policy: RetentionPolicy = {
    ...(keepLast !== undefined ? { keepLast: Math.floor(keepLast) } : {}),
    ...(orderBy ? { orderBy } : {}),
    ...(keep.length ? { keep } : {}),
    ...(keepRegex.length ? { keepRegex } : {}),
    ...(newerThanDays !== undefined ? { newerThanDays } : {}),
    ...(pulledWithinDays !== undefined ? { pulledWithinDays } : {}),
  };
  return Object.keys(policy).length > 0 ? policy : undefined;
}

function describePolicy(policy: RetentionPolicy): string {
  return [
    ...(policy.keepLast !== undefined ? [`--keep-last ${policy.keepLast}`] : []),
    ...(policy.orderBy ? [`--order-by ${policy.orderBy}`] : []),
    ...(policy.keep ?? []).map((glob) => `--keep '${glob}'`),
    ...(policy.keepRegex ?? []).map((source) => `--keep-regex '${source}'`),
    ...(policy.newerThanDays !== undefined ? [`--newer-than ${policy.newerThanDays}`] : []),
    ...(policy.pulledWithinDays !== undefined ? [`--pulled-within ${policy.pulledWithinDays}`] : []),
  ].join(' ');
}

function describePolicies(policies: readonly StoredRetentionPolicy[]): string {
  if (policies.length === 0) return 'No retention policies stored; add one with berth retention set.\n';
  return policies.map(({ scope, policy }) => `${scope}  ${describePolicy(policy)}\n`).join('');
}

function printPolicies(ctx: CliContext, policies: readonly StoredRetentionPolicy[]): void {
  ctx.stdout.write(ctx.flags.json === true ? `${JSON.stringify(policies, null, 2)}\n` : describePolicies(policies));
}

const RULE_OPTIONS = {
  'keep-last': { type: 'string', description: 'keep the newest N versions' },
  'order-by': { type: 'string', description: 'what --keep-last orders by: created (default) or semver' },
  keep: { type: 'string', multiple: true, description: 'keep tags matching this glob (repeatable)' },
  'keep-regex': { type: 'string', multiple: true, description: 'keep tags matching this regular expression' },
  'newer-than': { type: 'string', description: 'keep tags created within DAYS days' },
  'pulled-within': {
    type: 'string',
    description: 'keep tags pulled within DAYS days (Harbor, Docker Hub; elsewhere: not applicable)',
  },
} as const;

export function describeRetentionPlan(plan: RetentionPlan): string {
  const lines = [`Retention plan for ${plan.scope} (${plan.repositories.length} repositories), ${plan.planHash}`];
  for (const entry of plan.keep) lines.push(`  keep    ${entry.repository}:${entry.tag}  (${entry.rule})`);
  for (const entry of plan.delete)
    lines.push(`  ${entry.action.padEnd(7)} ${entry.repository}:${entry.tag} ${short(entry.digest)}  (${entry.rule})`);
  for (const referrer of plan.orphanedReferrers) lines.push(`  orphaned ${referrer.kind}: ${referrer.reference}`);
  lines.push(`  bytes freed after garbage collection: ${plan.bytesFreed}`);
  for (const note of plan.notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}

function describeRetentionResult(result: RetentionResult): string {
  return [
    `Applied ${result.planHash}: ${result.untagged.length} untagged, ${result.deletedDigests.length} digests deleted, ${result.alreadyGone.length} already gone.`,
    result.gc.summary,
    ...result.gc.steps.map((step) => `  ${step}`),
    ...result.gc.warnings.map((warning) => `  warning: ${warning}`),
    '',
  ].join('\n');
}

export const deletionCommands: CliCommand[] = [
  {
    path: ['rm'],
    usage: 'berth rm REF... [--digest] [--keep-referrers] [--dry-run] [--yes] [--json]',
    summary:
      'Untag REF (that tag only), or with --digest / REF@DIGEST delete the image and every tag on it; shows the blast radius first',
    options: {
      digest: { type: 'boolean', description: 'delete the digest each REF points at (with all its tags)' },
      'keep-referrers': {
        type: 'boolean',
        description: "leave a deleted digest's sha256-<hex>.sig/.att/.sbom tags (default: they go with it)",
      },
      'dry-run': { type: 'boolean', description: 'show what would be removed; change nothing' },
      yes: { type: 'boolean', short: 'y', description: 'do not ask (required without a terminal)' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    async run(ctx) {
      const json = ctx.flags.json === true;
      const plan = await ctx.call('lifecycle.planRemove', {
        references: ctx.args,
        digest: ctx.flags.digest === true,
        withReferrers: ctx.flags['keep-referrers'] !== true,
      });
      const orphanedReferrers = plan.radius.flatMap((radius) =>
        radius.orphanedReferrers.map((entry) => entry.reference),
      );
      if (ctx.flags['dry-run'] === true) {
        const would = {
          untagged: plan.steps
            .filter((s) => s.action === 'untag')
            .map((s) => `${s.registry}/${s.repository}:${s.tags[0]}`),
          deletedDigests: plan.steps
            .filter((s) => s.action === 'delete')
            .map((s) => `${s.registry}/${s.repository}@${s.digest}`),
          alsoRemovedTags: plan.steps
            .filter((s) => s.action === 'delete')
            .flatMap((s) => s.tags.map((tag) => `${s.registry}/${s.repository}:${tag}`)),
          orphanedReferrers,
          removedReferrers: plan.radius.flatMap((radius) => radius.removedReferrers.map((entry) => entry.reference)),
          dryRun: true,
          plan,
        };
        ctx.stdout.write(json ? `${JSON.stringify(would, null, 2)}\n` : describeRemovePlan(plan));
        return 0;
      }
      if (ctx.flags.yes !== true) {
        if ((ctx.stdin as NodeJS.ReadStream).isTTY !== true)
          throw new UsageError('Not a terminal, so nothing can be confirmed: check with --dry-run, then add --yes.');
        ctx.stderr.write(describeRemovePlan(plan));
        if (!(await confirm(ctx, 'Remove all of the above? [y/N] '))) {
          ctx.stderr.write('Nothing removed.\n');
          return 1;
        }
      }
      const result = await withProgress(ctx, (operationId) =>
        ctx.call('lifecycle.remove', { steps: plan.steps, orphanedReferrers, operationId }),
      );
      if (json) ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        for (const ref of result.untagged) ctx.stdout.write(`Untagged ${ref}\n`);
        for (const ref of result.deletedDigests) ctx.stdout.write(`Deleted ${ref}\n`);
        for (const ref of result.alsoRemovedTags) ctx.stdout.write(`  with tag ${ref}\n`);
        for (const ref of result.alreadyGone) ctx.stdout.write(`Already gone: ${ref}\n`);
        for (const ref of result.removedReferrers) ctx.stdout.write(`Removed with its subject: ${ref}\n`);
        for (const ref of result.orphanedReferrers) ctx.stdout.write(`Left without its subject: ${ref}\n`);
      }
      return 0;
    },
  },
  {
    path: ['retention', 'plan'],
    usage:
      'berth retention plan REPO_OR_NAMESPACE [--keep-last N] [--keep GLOB]... [--newer-than DAYS] [--pulled-within DAYS] [--with-referrers] [--json] [--out PLAN]',
    summary: 'Preview retention: the exact tags to untag and digests to delete, the rule behind each, bytes freed',
    options: {
      ...RULE_OPTIONS,
      'with-referrers': {
        type: 'boolean',
        description: "also delete removed images' sha256-<hex>.sig/.att/.sbom tags (default: list them)",
      },
      out: { type: 'string', description: 'write the plan to this file, for retention apply' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const policy = policyFromFlags(ctx);
      const plan = await withProgress(ctx, (operationId) =>
        ctx.call('retention.plan', {
          scope: ctx.args[0]!,
          withReferrers: ctx.flags['with-referrers'] === true,
          ...(policy ? { policy } : {}),
          operationId,
        }),
      );
      const out = ctx.flags.out as string | undefined;
      if (out !== undefined) await writeFile(out, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
      ctx.stdout.write(ctx.flags.json === true ? `${JSON.stringify(plan, null, 2)}\n` : describeRetentionPlan(plan));
      return 0;
    },
  },
  {
    path: ['retention', 'policies'],
    usage: 'berth retention policies [--json]',
    summary: 'List the stored retention policies (used by retention plan when no rule is given)',
    options: { json: JSON_OPTION },
    maxArgs: 0,
    async run(ctx) {
      const policies = await ctx.call('retention.policies', {});
      printPolicies(ctx, policies);
      return 0;
    },
  },
  {
    path: ['retention', 'set'],
    usage: 'berth retention set REPO_OR_NAMESPACE [rule flags] | --clear [--json]',
    summary: 'Store the retention policy of a repository (host/repo) or namespace (host/ns/); --clear removes it',
    options: {
      ...RULE_OPTIONS,
      clear: { type: 'boolean', description: 'remove the policy stored for this repository or namespace' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const scope = ctx.args[0]!;
      const policy = policyFromFlags(ctx);
      if (ctx.flags.clear === true ? policy !== undefined : policy === undefined)
        throw new UsageError(
          'Give keep rules (--keep-last, --keep, --keep-regex, --newer-than, --pulled-within) or --clear.',
        );
      const policies = await ctx.call('retention.setPolicies', {
        policies: withScopePolicy(await ctx.call('retention.policies', {}), scope, policy),
      });
      printPolicies(ctx, policies);
      return 0;
    },
  },
  {
    path: ['retention', 'apply'],
    usage: 'berth retention apply PLAN [--json]',
    summary: 'Apply exactly a saved retention plan; exit 1, changing nothing, if the registry no longer matches it',
    options: { json: JSON_OPTION },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const file = ctx.args[0]!;
      let plan: unknown;
      try {
        plan = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new BerthError(
          'invalid_input',
          `Could not read the plan ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
        );
      }
      const result = await withProgress(ctx, (operationId) =>
        ctx.call('retention.apply', { plan: plan as RetentionPlan, operationId }),
      );
      ctx.stdout.write(
        ctx.flags.json === true ? `${JSON.stringify(result, null, 2)}\n` : describeRetentionResult(result),
      );
      return 0;
    },
  },
];
