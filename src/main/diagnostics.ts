import type { EngineInfo } from '../shared/types/docker';
import type { LogRecord } from './logging/logger';

export interface DiagnosticsInput {
  version: string;
  transport: string;
  platform: string;
  versions: Record<string, string | undefined>;
  /** The engine, or why it could not be asked. */
  engine: EngineInfo | { error: string };
  registryKinds: string[];
  recentProblems: LogRecord[];
}

/**
 * The text of Help > Copy diagnostics: what a bug report needs and nothing private. Registries appear by
 * kind only (no hosts), problems as already-redacted log lines.
 */
export function formatDiagnostics(input: DiagnosticsInput): string {
  const counts = new Map<string, number>();
  for (const kind of input.registryKinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const engine =
    'error' in input.engine
      ? `unavailable (${input.engine.error})`
      : `${input.engine.reachable ? 'reachable' : 'not reachable'} via ${input.engine.source}` +
        (input.engine.version
          ? `, Docker ${input.engine.version} (API ${input.engine.apiVersion ?? '?'}, ${input.engine.os ?? '?'}/${input.engine.arch ?? '?'})`
          : '');
  return [
    `Berth ${input.version} (${input.transport}) on ${input.platform}`,
    `Versions: ${Object.entries(input.versions)
      .filter(([, v]) => v)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `Docker engine: ${engine}`,
    `Registries: ${counts.size === 0 ? 'none' : [...counts].map(([kind, n]) => `${kind} x${n}`).join(', ')}`,
    `Recent problems (${input.recentProblems.length}):`,
    ...input.recentProblems
      .slice(-20)
      .map((p) => `  ${p.at} ${p.level} ${p.scope}: ${p.message.split('\n')[0]?.slice(0, 300)}`),
  ].join('\n');
}
