/**
 * Image config parsing (https://github.com/opencontainers/image-spec/blob/main/config.md; Docker's
 * `container.image.v1` is the same shape) into the summary the UI shows, with history aligned to layers:
 * history steps that are not `empty_layer` produced the manifest's layers, in order.
 */
import { z } from 'zod';
import { BerthError } from '../../shared/errors';
import type { Descriptor, HistoryStep, ImageConfigSummary, LayerSummary } from '../../shared/types/registry';

/** Configs carry the whole history; 16 MiB is far above any real one and bounds a hostile answer. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

const stringList = z.array(z.string()).nullish();
const stringMap = z.record(z.string(), z.string()).nullish();
const emptyObjectMap = z.record(z.string(), z.unknown()).nullish();
const configSchema = z.object({
  created: z.string().optional(),
  author: z.string().optional(),
  architecture: z.string().default('unknown'),
  os: z.string().default('unknown'),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
  config: z
    .object({
      User: z.string().optional(),
      Env: stringList,
      Entrypoint: stringList,
      Cmd: stringList,
      WorkingDir: z.string().optional(),
      ExposedPorts: emptyObjectMap,
      Volumes: emptyObjectMap,
      Labels: stringMap,
      StopSignal: z.string().optional(),
    })
    .nullish(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string()).nullish() }).optional(),
  history: z
    .array(
      z.object({
        created: z.string().optional(),
        created_by: z.string().optional(),
        comment: z.string().optional(),
        author: z.string().optional(),
        empty_layer: z.boolean().optional(),
      }),
    )
    .nullish(),
});

export interface ParsedConfig {
  summary: ImageConfigSummary;
  diffIds: string[];
}

/** Parses config bytes (already digest-checked). Throws bad_response when they are not an image config. */
export function parseImageConfig(bytes: Buffer, digest: string, where: string): ParsedConfig {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BerthError('bad_response', `The image config of ${where} is not valid JSON.`);
  }
  const result = configSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BerthError(
      'bad_response',
      `The image config of ${where} is malformed${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'unexpected structure'}.`,
    );
  }
  const parsed = result.data;
  const inner = parsed.config ?? {};
  const history = alignHistory(parsed.history ?? []);
  const summary: ImageConfigSummary = {
    digest,
    ...(parsed.created !== undefined ? { created: parsed.created } : {}),
    ...(parsed.author !== undefined ? { author: parsed.author } : {}),
    platform: {
      os: parsed.os,
      architecture: parsed.architecture,
      ...(parsed.variant ? { variant: parsed.variant } : {}),
      ...(parsed['os.version'] ? { 'os.version': parsed['os.version'] } : {}),
    },
    env: inner.Env ?? [],
    entrypoint: inner.Entrypoint ?? null,
    cmd: inner.Cmd ?? null,
    ...(inner.User ? { user: inner.User } : {}),
    ...(inner.WorkingDir ? { workingDir: inner.WorkingDir } : {}),
    exposedPorts: Object.keys(inner.ExposedPorts ?? {}),
    volumes: Object.keys(inner.Volumes ?? {}),
    labels: inner.Labels ?? {},
    ...(inner.StopSignal ? { stopSignal: inner.StopSignal } : {}),
    history,
  };
  return { summary, diffIds: parsed.rootfs?.diff_ids ?? [] };
}

function alignHistory(steps: NonNullable<z.infer<typeof configSchema>['history']>): HistoryStep[] {
  let layerIndex = 0;
  return steps.map((step) => {
    const emptyLayer = step.empty_layer === true;
    return {
      ...(step.created !== undefined ? { created: step.created } : {}),
      ...(step.created_by !== undefined ? { createdBy: step.created_by } : {}),
      ...(step.comment !== undefined ? { comment: step.comment } : {}),
      emptyLayer,
      ...(emptyLayer ? {} : { layerIndex: layerIndex++ }),
    };
  });
}

/**
 * One summary per layer: its descriptor, the diff ID at the same position, and the history step that made
 * it. When the history does not have one non-empty step per layer (squashed or hand-made images), steps
 * are not guessed: layers get no `createdBy`.
 */
export function summarizeLayers(layers: Descriptor[], config: ParsedConfig | undefined): LayerSummary[] {
  const steps = config?.summary.history.filter((step) => step.layerIndex !== undefined) ?? [];
  const aligned = steps.length === layers.length;
  return layers.map((layer, index) => {
    const step = aligned ? steps[index] : undefined;
    const diffId = config?.diffIds[index];
    return {
      digest: layer.digest,
      size: layer.size,
      mediaType: layer.mediaType,
      ...(diffId !== undefined ? { diffId } : {}),
      ...(step?.createdBy !== undefined ? { createdBy: step.createdBy } : {}),
      ...(step?.created !== undefined ? { created: step.created } : {}),
    };
  });
}
