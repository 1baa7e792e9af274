import { BerthError } from '../../../shared/errors';
import { formatPlatform, parseReference, parseRepository, PLATFORM_PATTERN } from '../../../shared/reference';
import type { ImageDetails } from '../../../shared/types/registry';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';
import { formatBytes } from '../progress';
import { mapBounded } from '../../util/async';

/** `berth inspect A B C`: references inspected at once, as many as the client's requests per registry. */
const INSPECT_CONCURRENCY = 8;

function write(ctx: CliContext, text: string): void {
  ctx.stdout.write(`${text}\n`);
}

/** The human form of `berth inspect`: what the image is, how it runs, and its layers with the step that made each. */
export function inspectText(details: ImageDetails): string {
  const { manifest, platformManifest, config, layers } = details;
  const lines: string[] = [];
  const field = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') lines.push(`${`${name}:`.padEnd(14)}${value}`);
  };
  field('Reference', manifest.reference);
  field('Digest', manifest.digest);
  field('Media type', `${manifest.mediaType}${manifest.deprecated ? ' (schema 1: deprecated, read-only)' : ''}`);
  if (manifest.manifests) {
    const platforms = manifest.manifests.flatMap((entry) =>
      entry.platform && entry.platform.os !== 'unknown' ? [formatPlatform(entry.platform)] : [],
    );
    field('Platforms', platforms.join(', '));
  }
  if (platformManifest)
    field('Selected', `${config ? formatPlatform(config.platform) : ''} ${platformManifest.digest}`.trim());
  if (manifest.artifactType) field('Artifact', manifest.artifactType);
  if (config) {
    field('Created', config.created);
    if (!platformManifest) field('Platform', formatPlatform(config.platform));
    field('Author', config.author);
    field('User', config.user);
    field('Workdir', config.workingDir);
    field('Entrypoint', config.entrypoint ? JSON.stringify(config.entrypoint) : undefined);
    field('Cmd', config.cmd ? JSON.stringify(config.cmd) : undefined);
    field('Ports', config.exposedPorts.join(', '));
    field('Volumes', config.volumes.join(', '));
    if (config.env.length > 0) lines.push('Env:', ...config.env.map((entry) => `  ${entry}`));
    const labels = Object.entries(config.labels);
    if (labels.length > 0) lines.push('Labels:', ...labels.map(([key, value]) => `  ${key}=${value}`));
  }
  if (layers.length > 0) {
    lines.push(`Layers (${layers.length}, ${formatBytes(details.compressedSize)} compressed):`);
    for (const layer of layers) {
      const createdBy = layer.createdBy?.replace(/\s+/g, ' ').trim();
      lines.push(
        `  ${layer.digest}  ${formatBytes(layer.size).padStart(9)}  ${layer.mediaType}${createdBy ? `\n      ${createdBy.length > 160 ? `${createdBy.slice(0, 160)}…` : createdBy}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

/** Checks a reference before any request, so a typo is a usage error (exit 2), not a failed operation. */
function checkReference(text: string): void {
  try {
    parseReference(text);
  } catch (error) {
    throw new UsageError(error instanceof BerthError ? error.message : String(error));
  }
}

async function inspectMany(ctx: CliContext, references: string[], platform: string | undefined): Promise<number> {
  let failed = false;
  // One reference's failure is printed and the rest carry on; a cancel (or a bug) ends the command, with the
  // error the call gave (ctx.call carries the command's signal itself, so none is passed here).
  const results = await mapBounded(references, INSPECT_CONCURRENCY, undefined, async (reference) => {
    try {
      return await ctx.call('registry.inspect', { reference, ...(platform ? { platform } : {}) });
    } catch (error) {
      if (!(error instanceof BerthError) || error.code === 'cancelled') throw error;
      failed = true;
      ctx.stderr.write(`berth: ${reference}: ${error.message}\n`);
      return undefined;
    }
  });
  const found = results.filter((details): details is ImageDetails => details !== undefined);
  if (ctx.flags['json']) write(ctx, JSON.stringify(found, null, 2));
  else write(ctx, found.map(inspectText).join('\n\n'));
  return failed ? 1 : 0;
}

export const registryCommands: CliCommand[] = [
  {
    path: ['repos'],
    usage: 'berth repos REGISTRY [--json]',
    summary: 'list the repositories of a registry (all pages; Docker Hub: your namespace)',
    options: { json: JSON_OPTION },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const result = await ctx.call('registry.listRepositories', { registryId: ctx.args[0]! });
      if (ctx.flags['json']) write(ctx, JSON.stringify({ repositories: result.repositories }));
      else if (result.repositories.length > 0) write(ctx, result.repositories.join('\n'));
    },
  },
  {
    path: ['tags'],
    usage: 'berth tags REPOSITORY [--json]',
    summary: 'list every tag of a repository (host/path; Docker Hub names as in docker pull)',
    options: { json: JSON_OPTION },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      let repo;
      try {
        repo = parseRepository(ctx.args[0]!);
      } catch (error) {
        throw new UsageError(error instanceof BerthError ? error.message : String(error));
      }
      const result = await ctx.call('registry.listTags', { registryId: repo.registry, repository: repo.repository });
      if (ctx.flags['json']) write(ctx, JSON.stringify({ name: result.name, tags: result.tags }));
      else if (result.tags.length > 0) write(ctx, result.tags.join('\n'));
    },
  },
  {
    path: ['inspect'],
    usage: 'berth inspect REFERENCE... [--platform os/arch] [--raw] [--json]',
    summary:
      'show an image: digest, media type, platforms, config and layers (several references: inspected concurrently)',
    options: {
      platform: { type: 'string', description: 'the platform to show from a multi-arch index, e.g. linux/arm64' },
      raw: { type: 'boolean', description: 'print the manifest bytes exactly as the registry served them' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 10_000,
    async run(ctx) {
      const platform = typeof ctx.flags['platform'] === 'string' ? ctx.flags['platform'] : undefined;
      if (platform !== undefined && !PLATFORM_PATTERN.test(platform)) {
        throw new UsageError(`"${platform}" is not a platform: write os/arch or os/arch/variant, e.g. linux/arm64`);
      }
      for (const reference of ctx.args) checkReference(reference);
      if (ctx.flags['raw']) {
        if (ctx.args.length > 1) throw new UsageError('--raw prints one manifest: give one reference');
        const reference = ctx.args[0]!;
        const raw = platform
          ? await ctx
              .call('registry.inspect', { reference, platform })
              .then((details) => (details.platformManifest ?? details.manifest).raw)
          : (await ctx.call('registry.manifest', { reference })).raw;
        ctx.stdout.write(raw);
        return 0;
      }
      if (ctx.args.length > 1) return inspectMany(ctx, ctx.args, platform);
      const details = await ctx.call('registry.inspect', {
        reference: ctx.args[0]!,
        ...(platform ? { platform } : {}),
      });
      write(ctx, ctx.flags['json'] ? JSON.stringify(details, null, 2) : inspectText(details));
      return 0;
    },
  },
];
