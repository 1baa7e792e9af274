import type { TreeNode } from '../../../src/renderer/views/compare/file-tree';

/** The node at `path`, walking down from the root (tests look into built trees with it). */
export function findNode(root: TreeNode, path: string): TreeNode | undefined {
  let node: TreeNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) node = node?.children.find((child) => child.name === part);
  return node;
}
