/**
 * Drop targets for promotion outside the lanes board: a repository, a namespace or a registry in the
 * sidebar. Dropping an image there opens the promote dialog with the target named by the rules below;
 * the dialog's plan is the confirmation, so nothing is written by the drop itself.
 */
import type { DragEvent, HTMLAttributes } from 'react';
import type { Route } from '../../navigation/route';
import { usePromotion } from '../../stores/promotion';
import { useRegistries } from '../../stores/registries';
import { carriesImage, readDraggedImage, type DraggedImage } from './drag';
import { registryTarget, repositoryTarget } from './targets';

export type PromoteDropTarget =
  | { kind: 'repository'; registryId: string; repository: string }
  | { kind: 'namespace'; registryId: string; namespace: string }
  | { kind: 'registry'; registryId: string };

/** The drop target a sidebar node's route stands for. */
export function dropTargetOfRoute(route: Route): PromoteDropTarget | undefined {
  if (route.view === 'repository')
    return { kind: 'repository', registryId: route.registryId, repository: route.repository };
  if (route.view === 'registry')
    return route.namespace
      ? { kind: 'namespace', registryId: route.registryId, namespace: route.namespace }
      : { kind: 'registry', registryId: route.registryId };
  return undefined;
}

/**
 * The reference a dropped image gets: in a repository, that repository with the same tag; in a namespace,
 * the image's repository name (its last path component) under that namespace; in a registry, the same
 * repository path.
 */
export function dropTargetReference(target: PromoteDropTarget, image: DraggedImage, host: string): string {
  switch (target.kind) {
    case 'repository':
      return repositoryTarget(image, host, target.repository);
    case 'namespace':
      return repositoryTarget(
        image,
        host,
        `${target.namespace.replace(/\/+$/, '')}/${image.repository.split('/').pop()}`,
      );
    case 'registry':
      return registryTarget(image, host);
  }
}

const HOVER_CLASS = 'promote-drop-hover';

/** `(target) => drag handlers` for elements that accept an image drop as a promotion. */
export function usePromoteDrop(): (target: PromoteDropTarget | undefined) => HTMLAttributes<HTMLElement> | undefined {
  const propose = usePromotion((s) => s.propose);
  const registries = useRegistries((s) => s.list);
  return (target) => {
    if (!target) return undefined;
    const host = registries?.value?.find((r) => r.id === target.registryId)?.host;
    if (!host) return undefined;
    const accept = (event: DragEvent<HTMLElement>) => {
      if (!carriesImage(event.dataTransfer)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      // Transient hover feedback on the element itself; the next render does not depend on it.
      event.currentTarget.classList.add(HOVER_CLASS);
    };
    return {
      onDragEnter: accept,
      onDragOver: accept,
      onDragLeave: (event) => event.currentTarget.classList.remove(HOVER_CLASS),
      onDrop: (event) => {
        event.currentTarget.classList.remove(HOVER_CLASS);
        const image = readDraggedImage(event.dataTransfer);
        if (!image) return;
        event.preventDefault();
        const reference = dropTargetReference(target, image, host);
        if (reference !== image.reference)
          void propose(
            image.reference,
            reference,
            `Drop on ${target.kind === 'registry' ? host : target.kind === 'namespace' ? `${target.namespace}/` : target.repository}`,
          );
      },
    };
  };
}
