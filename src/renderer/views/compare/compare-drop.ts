/**
 * "Drop one tag onto another": a row that accepts a dragged image and opens the comparison of the dragged
 * image (left, before) with the row's (right, after).
 */
import type { DragEvent, HTMLAttributes } from 'react';
import { useNavigation } from '../../navigation/store';
import { carriesImage, readDraggedImage } from '../promote/drag';

export function useCompareDrop(): (reference: string) => HTMLAttributes<HTMLElement> {
  const navigate = useNavigation((s) => s.navigate);
  return (reference) => {
    const accept = (event: DragEvent<HTMLElement>) => {
      if (!carriesImage(event.dataTransfer)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'link';
    };
    return {
      onDragEnter: accept,
      onDragOver: accept,
      onDrop: (event) => {
        const image = readDraggedImage(event.dataTransfer);
        if (!image || image.reference === reference) return;
        event.preventDefault();
        navigate({ view: 'compare', a: image.reference, b: reference });
      },
    };
  };
}
