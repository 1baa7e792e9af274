/**
 * The drag payload every image drag in Berth carries (tag table rows, lane cards): HTML5 drag data of type
 * `application/x-berth-image`, JSON `{ reference, registryId, repository, tag, digest }`. Drop targets
 * (lanes, sidebar repositories and registries, the compare slots) read it back here.
 */
export const BERTH_IMAGE_TYPE = 'application/x-berth-image';

export interface DraggedImage {
  /** `host/repository:tag`. */
  reference: string;
  registryId: string;
  repository: string;
  tag: string;
  /** Empty when the row's digest is not known yet. */
  digest: string;
}

export function writeDraggedImage(data: DataTransfer, image: DraggedImage): void {
  data.setData(BERTH_IMAGE_TYPE, JSON.stringify(image));
  // Dropped into a text field or another app, it is the reference.
  data.setData('text/plain', image.reference);
  data.effectAllowed = 'copy';
}

/** True while dragging an image (the payload itself is only readable on drop). */
export function carriesImage(data: DataTransfer | null): boolean {
  return data !== null && Array.from(data.types).includes(BERTH_IMAGE_TYPE);
}

/** The dropped image, or undefined when the drop carries something else or malformed data. */
export function readDraggedImage(data: DataTransfer | null): DraggedImage | undefined {
  const text = data?.getData(BERTH_IMAGE_TYPE);
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<DraggedImage>;
    const fields = [value.reference, value.registryId, value.repository, value.tag] as unknown[];
    if (!fields.every((f) => typeof f === 'string' && f.length > 0)) return undefined;
    return {
      reference: value.reference!,
      registryId: value.registryId!,
      repository: value.repository!,
      tag: value.tag!,
      digest: typeof value.digest === 'string' ? value.digest : '',
    };
  } catch {
    return undefined;
  }
}
