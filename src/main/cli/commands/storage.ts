import type { StorageUsage } from '../../../shared/types/storage';
import { JSON_OPTION, UsageError, type CliCommand } from '../command';
import { formatBytes, table, withProgress } from '../progress';

/** `REGISTRY[/NAMESPACE]`: the registry is everything before the first slash (a host or a settings id). */
export function parseUsageTarget(text: string): { registryId: string; namespace: string } {
  const slash = text.indexOf('/');
  const registryId = slash < 0 ? text : text.slice(0, slash);
  const namespace = slash < 0 ? '' : text.slice(slash + 1).replace(/\/+$/, '');
  if (registryId === '' || /\s/.test(text) || namespace.startsWith('/') || namespace.includes('//'))
    throw new UsageError(`"${text}" is not REGISTRY or REGISTRY/NAMESPACE, e.g. registry.example.com/team`);
  return { registryId, namespace };
}

const ratio = (value: number) => `${value.toFixed(2)}x`;

export function usageText(usage: StorageUsage): string {
  const lines = [
    `${usage.registry}${usage.namespace ? `/${usage.namespace}` : ''}: ${formatBytes(usage.totalBytes)} stored, ` +
      `${formatBytes(usage.uniqueBytes)} unique, ${formatBytes(usage.sharedBytes)} shared, ` +
      `dedup ${ratio(usage.dedupRatio)} (${usage.tags.toLocaleString('en-US')} tags)`,
  ];
  if (usage.pendingTags > 0)
    lines.push(`${usage.pendingTags.toLocaleString('en-US')} tags are not indexed yet and are not counted.`);
  const byBytes = [...usage.repositories].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  if (byBytes.length > 0)
    lines.push(
      '',
      table(
        ['REPOSITORY', 'TAGS', 'BYTES', 'UNIQUE', 'SHARED', 'DEDUP'],
        byBytes.map((repository) => [
          repository.name,
          String(repository.tags),
          formatBytes(repository.bytes),
          formatBytes(repository.uniqueBytes),
          formatBytes(repository.sharedBytes),
          ratio(repository.dedupRatio),
        ]),
      ),
    );
  if (usage.biggestImages.length > 0)
    lines.push(
      '',
      'Biggest images:',
      table(
        ['SIZE', 'IMAGE', 'TAGS'],
        usage.biggestImages.map((image) => [
          formatBytes(image.bytes),
          `${image.repository}@${image.digest.slice(0, 19)}`,
          image.tags.slice(0, 5).join(', ') + (image.tags.length > 5 ? ` (+${image.tags.length - 5})` : ''),
        ]),
      ),
    );
  if (usage.biggestLayers.length > 0)
    lines.push(
      '',
      'Biggest layers:',
      table(
        ['SIZE', 'LAYER', 'REPOSITORIES'],
        usage.biggestLayers.map((layer) => [formatBytes(layer.size), layer.digest, String(layer.repositories)]),
      ),
    );
  return lines.join('\n');
}

export const storageCommands: CliCommand[] = [
  {
    path: ['usage'],
    usage: 'berth usage REGISTRY[/NAMESPACE] [--cached] [--json]',
    summary: 'storage per repository: bytes, unique and shared bytes, dedup, biggest images and layers',
    options: {
      cached: { type: 'boolean', description: 'answer from the registry index alone, asking the registry nothing' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const { registryId, namespace } = parseUsageTarget(ctx.args[0]!);
      const refresh = ctx.flags['cached'] !== true;
      const usage = await withProgress(
        ctx,
        (operationId) => ctx.call('storage.usage', { registryId, namespace, refresh, operationId }),
        'count',
      );
      if (ctx.flags['json']) {
        ctx.stdout.write(`${JSON.stringify(usage)}\n`);
      } else ctx.stdout.write(`${usageText(usage)}\n`);
    },
  },
];
