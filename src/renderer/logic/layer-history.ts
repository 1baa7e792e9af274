/**
 * Lines up an image's history steps (from its config) with its layers (from its manifest): each step
 * that produced a layer is shown with that layer, steps that only changed metadata (ENV, CMD...) are shown
 * between them, as `docker history` does but in build order. Per the OCI image spec, history entries
 * with `empty_layer` add no layer and the others match `rootfs.diff_ids` (hence the manifest's layers)
 * in order: https://github.com/opencontainers/image-spec/blob/main/config.md
 */
import type { HistoryStep, LayerSummary } from '../../shared/types/registry';

export interface LayerLine {
  /** The history step, when the config has one for this line. */
  step?: HistoryStep;
  /** The layer this step produced (absent for metadata-only steps). */
  layer?: LayerSummary;
  /** Position of `layer` in the manifest, from 0 (the base). */
  layerIndex?: number;
}

export function alignLayers(history: readonly HistoryStep[], layers: readonly LayerSummary[]): LayerLine[] {
  const lines: LayerLine[] = [];
  const used = new Set<number>();
  let next = 0;
  for (const step of history) {
    if (step.emptyLayer) {
      lines.push({ step });
      continue;
    }
    const index = step.layerIndex ?? next;
    next = index + 1;
    const layer = layers[index];
    if (layer && !used.has(index)) {
      used.add(index);
      lines.push({ step, layer, layerIndex: index });
    } else {
      lines.push({ step });
    }
  }
  // Layers the history does not account for (no history at all, or a shorter one) still show.
  layers.forEach((layer, index) => {
    if (!used.has(index)) lines.push({ layer, layerIndex: index });
  });
  return lines;
}

/** A Dockerfile-like reading of a `created_by` line: `/bin/sh -c #(nop) ENV A=b` -> `ENV A=b`. */
export function readableStep(createdBy: string | undefined): string {
  if (!createdBy) return '';
  return createdBy
    .replace(/^\/bin\/sh -c #\(nop\)\s+/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/^\|\d+ .*?\/bin\/sh -c /, 'RUN ')
    .replace(/\s+# buildkit$/, '')
    .trim();
}
