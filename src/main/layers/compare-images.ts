/** Two images compared: everything that differs (`diff`), and one file's versions as a unified diff (`textDiff`). */
import { createTwoFilesPatch } from 'diff';
import { BerthError } from '../../shared/errors';
import { TEXT_DIFF_MAX_BYTES, type FileContent, type ImageDiff, type TextDiff } from '../../shared/types/layers';
import { normalizeImagePath, readFileStart } from './image-files';
import { diffImages } from './image-diff';
import type { OpenedImage, OperationContext } from './image-opener';
import type { LayerOperationOptions } from './layer-service';
import type { MergedTree, MergeObserver } from './merged-tree';
import type { SourceImage } from './sources/image-source';

/**
 * Files larger than this are not text-diffed: a diff of megabytes is not something to read. Shared, so the
 * renderer says "too large to preview" before asking.
 */
export const MAX_TEXT_DIFF_BYTES = TEXT_DIFF_MAX_BYTES;
const TEXT_DIFF_TIMEOUT_MS = 5_000;

export async function compareImages(
  { images, trees }: OperationContext,
  a: string,
  b: string,
  operation: LayerOperationOptions,
): Promise<ImageDiff> {
  return images.withPair(a, b, operation, async (left, right) => {
    const sideOf = (opened: OpenedImage, reference: string, tree: MergedTree) => ({
      reference,
      image: opened.image,
      tables: opened.tables,
      tree,
    });
    const common = commonBase(left.image, right.image);
    const cachedLeft = trees.cachedFull(left);
    const cachedRight = trees.cachedFull(right);
    if (common === 0 || (cachedLeft && cachedRight))
      return diffImages(sideOf(left, a, trees.full(left)), sideOf(right, b, trees.full(right)));
    // Two tags of one image share their bottom layers: merge those once, extend it by each image's own
    // layers, and compare only the paths those layers touched.
    const base = trees.upTo(left, common - 1);
    const touched: string[] = [];
    const observer: MergeObserver = {
      placed: (path) => void touched.push(path),
      removed: (path) => void touched.push(path),
    };
    const extended = (opened: OpenedImage): MergedTree => {
      if (opened.tables.length === common) return base;
      const tree = base.extend(opened.tables, observer);
      trees.keepFull(opened, tree);
      return tree;
    };
    return diffImages(sideOf(left, a, extended(left)), sideOf(right, b, extended(right)), touched);
  });
}

export async function compareFile(
  context: OperationContext,
  a: string,
  b: string,
  path: string,
  operation: LayerOperationOptions,
): Promise<TextDiff> {
  const imagePath = normalizeImagePath(path);
  const readSide = async (opened: OpenedImage): Promise<FileContent | undefined> =>
    context.trees.full(opened).ref(imagePath) === undefined
      ? undefined
      : readFileStart(context, opened, imagePath, MAX_TEXT_DIFF_BYTES, operation);
  const [left, right] = await context.images.withPair(a, b, operation, (one, two) =>
    Promise.all([readSide(one), readSide(two)]),
  );
  if (!left && !right) throw new BerthError('not_found', `${imagePath} exists in neither image.`);
  const sizeA = left?.size ?? null;
  const sizeB = right?.size ?? null;
  if (left?.truncated || right?.truncated) {
    throw new BerthError(
      'too_large',
      `${imagePath} is over ${MAX_TEXT_DIFF_BYTES / 1024 / 1024} MiB in one of the images; compare it with \`berth cat\` and a diff tool.`,
    );
  }
  const identical =
    left !== undefined && right !== undefined && left.sha256 !== undefined && left.sha256 === right.sha256;
  const binary = Boolean(left?.binary || right?.binary);
  if (identical || binary) return { path: imagePath, unified: '', binary, identical, sizeA, sizeB };
  const unified = createTwoFilesPatch(
    left ? `a${imagePath}` : '/dev/null',
    right ? `b${imagePath}` : '/dev/null',
    left?.content ?? '',
    right?.content ?? '',
    undefined,
    undefined,
    { context: 3, timeout: TEXT_DIFF_TIMEOUT_MS },
  );
  if (unified === undefined)
    throw new BerthError(
      'too_large',
      `The versions of ${imagePath} differ too much to diff in ${TEXT_DIFF_TIMEOUT_MS / 1000} s.`,
    );
  return { path: imagePath, unified, binary: false, identical: false, sizeA, sizeB };
}

/** How many bottom layers the two images share, by diffID. */
function commonBase(a: SourceImage, b: SourceImage): number {
  let common = 0;
  while (common < a.layers.length && common < b.layers.length && a.layers[common]!.diffId === b.layers[common]!.diffId)
    common++;
  return common;
}
