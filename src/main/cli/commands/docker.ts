import { randomUUID } from 'node:crypto';
import type { EngineInfo, LocalImage } from '../../../shared/types/docker';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';
import { createProgressView, formatBytes } from '../progress';

function write(ctx: CliContext, text: string): void {
  ctx.stdout.write(`${text}\n`);
}

/** "3 days ago", as `docker images` shows it; images built with a zero timestamp have no age. */
export function age(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  if (!Number.isFinite(time) || time < Date.UTC(1980, 0, 1)) return 'N/A';
  const seconds = Math.max(0, Math.round((now - time) / 1000));
  const steps: [number, string][] = [
    [365 * 24 * 3600, 'year'],
    [30 * 24 * 3600, 'month'],
    [7 * 24 * 3600, 'week'],
    [24 * 3600, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of steps) {
    const count = Math.floor(seconds / size);
    if (count >= 1) return `${count} ${unit}${count > 1 ? 's' : ''} ago`;
  }
  return 'just now';
}

/** One row per tag (an untagged image shows as <none>), columns as `docker images` prints them. */
export function imagesTable(images: LocalImage[], now = Date.now()): string {
  const rows = images.flatMap((image) => {
    const tags =
      image.repoTags.length > 0 ? image.repoTags : [`${image.repoDigests[0]?.split('@')[0] ?? '<none>'}:<none>`];
    return tags.map((tag) => {
      const colon = tag.lastIndexOf(':');
      return [
        tag.slice(0, colon),
        tag.slice(colon + 1),
        image.id.replace(/^sha256:/, '').slice(0, 12),
        age(image.created, now),
        formatBytes(image.size),
      ];
    });
  });
  const header = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

function engineText(info: EngineInfo): string {
  const lines = [
    `Engine:  ${info.host}${info.contextName ? ` (context ${info.contextName})` : ''}`,
    `Source:  ${{ env: 'DOCKER_HOST', context: 'Docker context', default: 'platform default', podman: 'Podman socket', user: 'chosen in Berth' }[info.source]}`,
    info.reachable
      ? `Status:  running, ${info.product ?? 'engine'} ${info.version ?? ''} (API ${info.apiVersion ?? '?'}, ${info.os ?? '?'}/${info.arch ?? '?'})`
      : 'Status:  not reachable',
  ];
  if (info.message) lines.push(`Note:    ${info.message}`);
  const others = (info.candidates ?? []).filter((c) => c.host !== info.host);
  if (others.length > 0) {
    lines.push('Also found:');
    for (const c of others)
      lines.push(
        `  ${c.host}  (${c.contextName ? `context ${c.contextName}` : c.source}${c.present ? '' : ', socket absent'})`,
      );
  }
  return lines.join('\n');
}

/** Runs a pull or push with its progress shown on stdout, then prints `<verb> REF digest sha256:...`. */
async function transfer(ctx: CliContext, request: 'docker.pull' | 'docker.push', verb: string): Promise<void> {
  const operationId = randomUUID();
  const view = createProgressView({ stream: ctx.stdout, isTTY: ctx.isTTY });
  const stop = ctx.onProgress((progress) => {
    if (progress.operationId === operationId) view.update(progress);
  });
  try {
    const result = await ctx.call(request, { reference: ctx.args[0]!, operationId });
    view.finish();
    write(ctx, `${verb} ${result.reference}${result.digest ? ` digest ${result.digest}` : ''}`);
  } finally {
    stop();
  }
}

export const dockerCommands: CliCommand[] = [
  {
    path: ['docker', 'images'],
    usage: 'berth docker images [--json]',
    summary: 'List the images of the local Docker engine',
    options: { json: JSON_OPTION },
    maxArgs: 0,
    async run(ctx) {
      const images = await ctx.call('docker.images', {});
      write(ctx, ctx.flags.json ? JSON.stringify(images, null, 2) : imagesTable(images));
    },
  },
  {
    path: ['docker', 'pull'],
    usage: 'berth docker pull REF',
    summary: 'Pull an image into the local engine, with Berth’s credentials for its registry',
    minArgs: 1,
    maxArgs: 1,
    run: (ctx) => transfer(ctx, 'docker.pull', 'Pulled'),
  },
  {
    path: ['docker', 'push'],
    usage: 'berth docker push REF',
    summary: 'Push a local image tag to its registry, with Berth’s credentials',
    minArgs: 1,
    maxArgs: 1,
    run: (ctx) => transfer(ctx, 'docker.push', 'Pushed'),
  },
  {
    path: ['docker', 'tag'],
    usage: 'berth docker tag SRC DST',
    summary: 'Give a local image another name (e.g. the registry you push to)',
    minArgs: 2,
    maxArgs: 2,
    async run(ctx) {
      const result = await ctx.call('docker.tag', { source: ctx.args[0]!, target: ctx.args[1]! });
      write(ctx, `Tagged ${result.source} as ${result.target}`);
    },
  },
  {
    path: ['docker', 'rm'],
    usage: 'berth docker rm REF [--force]',
    summary: 'Remove a local image tag (the image too when no tag is left)',
    options: { force: { type: 'boolean', description: 'also remove an image that containers use' } },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const result = await ctx.call('docker.remove', { reference: ctx.args[0]!, force: ctx.flags.force === true });
      for (const line of result.removed) write(ctx, `Removed ${line}`);
    },
  },
  {
    path: ['docker', 'engine'],
    usage: 'berth docker engine [HOST [--allow-insecure-remote] | --reset] [--json]',
    summary: 'Show the Docker engine Berth uses; with HOST use that one, with --reset find it as the Docker CLI does',
    options: {
      json: JSON_OPTION,
      reset: { type: 'boolean', description: 'forget the chosen engine' },
      'allow-insecure-remote': {
        type: 'boolean',
        description: 'use a remote engine over plain TCP (no TLS); Berth never sends it registry credentials',
      },
    },
    maxArgs: 1,
    async run(ctx) {
      if (ctx.flags.reset && ctx.args.length > 0) throw new UsageError('give a HOST or --reset, not both');
      const allowInsecureRemote = ctx.flags['allow-insecure-remote'] === true;
      if (allowInsecureRemote && ctx.args.length === 0)
        throw new UsageError('--allow-insecure-remote goes with a HOST');
      const info =
        ctx.args.length > 0
          ? await ctx.call('docker.setEngine', { host: ctx.args[0]!, allowInsecureRemote })
          : ctx.flags.reset
            ? await ctx.call('docker.setEngine', { host: null })
            : await ctx.call('docker.engine', {});
      write(ctx, ctx.flags.json ? JSON.stringify(info, null, 2) : engineText(info));
    },
  },
];
