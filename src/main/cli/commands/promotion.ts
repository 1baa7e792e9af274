import type { OperationProgress } from '../../../shared/types/operations';
import type { PromotionPlan, PromotionResult } from '../../../shared/types/promotion';
import { UsageError, type CliCommand, type CliContext } from '../command';
import { PLATFORM_PATTERN } from '../../../shared/reference';
import { describeGate } from '../../../shared/gate-text';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

export function describePlan(plan: PromotionPlan): string {
  const count = (action: string) => plan.blobs.filter((blob) => blob.action === action).length;
  const toWrite = plan.manifests.filter((step) => step.action === 'put').length;
  const tagState =
    plan.existingTargetDigest === undefined
      ? 'new tag'
      : plan.existingTargetDigest === plan.targetDigest
        ? 'already at this digest'
        : `points at ${plan.existingTargetDigest}: ${plan.overwrites ? 'would be overwritten (needs --force)' : 'kept'}`;
  const lines = [
    `Plan: ${plan.source} -> ${plan.target} (${plan.strategy})`,
    `  source digest  ${plan.sourceDigest}`,
    // What to give `berth promote` to run exactly this plan: refused if the tag has moved by then.
    `  pinned source  ${plan.pinnedSource}`,
    `  target digest  ${plan.targetDigest}${plan.targetDigest === plan.sourceDigest ? ' (unchanged)' : ' (new index)'}`,
    `  target tag     ${tagState}`,
    // Asked of the token service before anything is written: a denied push is said here, not after the copy.
    `  push access    ${plan.pushAccess.message}`,
    ...(plan.platforms.length > 0 ? [`  platforms      ${plan.platforms.join(', ')}`] : []),
    `  manifests      ${toWrite} to write, ${plan.manifests.length - toWrite} already there`,
    `  blobs          ${count('present')} already there, ${count('mount')} to mount, ${count('copy')} to copy (${formatBytes(plan.bytesToCopy)})${count('external') > 0 ? `, ${count('external')} external (not copied)` : ''}`,
    ...(plan.referrers.length > 0
      ? [`  referrers      ${plan.referrers.length} (${plan.referrers.map(short).join(', ')})`]
      : []),
    ...plan.gates.map(
      (gate) =>
        `  gate ${gate.passed ? 'passed' : 'FAILED'}    ${describeGate(gate.gate)} (${gate.stage}): ${gate.message}`,
    ),
    ...plan.notes.map((note) => `  note: ${note}`),
  ];
  if (plan.upToDate) lines.push('  Nothing to do: the target is already up to date.');
  return `${lines.join('\n')}\n`;
}

function describeResult(result: PromotionResult): string {
  return [
    `Promoted ${result.source} -> ${result.target}`,
    `  source   ${result.sourceDigest}`,
    `  digest   ${result.digest}`,
    `  blobs    ${result.blobsMounted} mounted, ${result.blobsCopied} copied (${formatBytes(result.bytesCopied)}), ${result.skipped} already there`,
    `  manifests written: ${result.manifestsWritten}${result.referrersCopied > 0 ? `, referrers: ${result.referrersCopied}` : ''}, in ${(result.durationMs / 1000).toFixed(1)} s`,
    '',
  ].join('\n');
}

/** Phase lines on stderr: a terminal gets one line rewritten in place, a log gets a line per phase. */
function progressPrinter(ctx: CliContext): (progress: OperationProgress) => void {
  let lastStatus = '';
  return (progress) => {
    if (ctx.isTTY) {
      const bytes = progress.total > 0 ? ` ${formatBytes(progress.current)} / ${formatBytes(progress.total)}` : '';
      ctx.stderr.write(`\r\x1b[2K${progress.status}${bytes}${progress.done ? '\n' : ''}`);
    } else if (progress.status !== lastStatus) {
      ctx.stderr.write(`${progress.status}\n`);
    }
    lastStatus = progress.status;
  };
}

export const promotionCommands: CliCommand[] = [
  {
    path: ['promote'],
    usage:
      'berth promote SRC DST [--dry-run] [--force] [--platform os/arch ...] [--no-referrers] [--via-engine] [--override REASON] [--json]',
    summary: 'Copy an image to another tag, repository or registry, keeping its digest',
    options: {
      'dry-run': { type: 'boolean', description: 'print the plan and write nothing' },
      force: { type: 'boolean', description: 'overwrite a target tag that points at another digest' },
      platform: {
        type: 'string',
        multiple: true,
        description: 'copy only this platform of an index (repeatable); makes a new index',
      },
      'no-referrers': {
        type: 'boolean',
        description: "do not copy signatures, attestations and SBOMs (referrers and cosign's .sig/.att/.sbom tags)",
      },
      'with-referrers': { type: 'boolean', description: 'copy signatures, attestations and SBOMs (the default)' },
      override: {
        type: 'string',
        description: "promote although the target stage's gates fail; the reason is recorded in the audit log",
      },
      'via-engine': {
        type: 'boolean',
        description: 'pull, tag and push through the local Docker engine (keeps a local copy)',
      },
      json: { type: 'boolean', description: 'print the result (or the plan) as JSON' },
    },
    minArgs: 2,
    maxArgs: 2,
    async run(ctx) {
      const [source, target] = ctx.args as [string, string];
      if (ctx.flags['no-referrers'] === true && ctx.flags['with-referrers'] === true)
        throw new UsageError('--no-referrers and --with-referrers contradict each other: give one.');
      const platforms = (ctx.flags.platform as string[] | undefined) ?? [];
      if (platforms.some((platform) => !PLATFORM_PATTERN.test(platform))) {
        throw new UsageError(
          `--platform wants os/arch or os/arch/variant, e.g. linux/arm64 (got ${platforms.join(', ')})`,
        );
      }
      const input = {
        source,
        target,
        ...(platforms.length > 0 ? { platforms } : {}),
        withReferrers: ctx.flags['no-referrers'] !== true,
        ...(typeof ctx.flags.override === 'string' ? { override: { reason: ctx.flags.override } } : {}),
        force: ctx.flags.force === true,
        viaEngine: ctx.flags['via-engine'] === true,
      };
      const json = ctx.flags.json === true;
      if (ctx.flags['dry-run'] === true) {
        const plan = await ctx.call('promotion.plan', input);
        ctx.stdout.write(json ? `${JSON.stringify(plan, null, 2)}\n` : describePlan(plan));
        return 0;
      }
      // One call plans and executes: the executor writes the manifest bytes it read when planning, by digest,
      // so what is promoted is what was planned even if SRC's tag moves meanwhile. SRC given as a plan's
      // pinned source (name:tag@digest) is refused if the tag has moved since that plan.
      const stop = ctx.onProgress(progressPrinter(ctx));
      try {
        const result = await ctx.call('promotion.execute', input);
        ctx.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : describeResult(result));
      } finally {
        stop();
      }
      return 0;
    },
  },
];
