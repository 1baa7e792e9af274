/**
 * Repositories grouped by their path: `team-a/service-x` sits under namespace `team-a`. A path can be both
 * a repository and a namespace (`team-a` and `team-a/service-x` may both exist), so a node says both.
 */
export interface NamespaceNode {
  /** Last path component. */
  name: string;
  /** Full path from the registry root ('' for the root). */
  path: string;
  /** True when a repository exists at exactly this path. */
  isRepository: boolean;
  /** Child namespaces and repositories, namespaces (nodes with children) first, then by name. */
  children: NamespaceNode[];
  /** Repositories at or below this node. */
  repositoryCount: number;
}

interface MutableNode {
  name: string;
  path: string;
  isRepository: boolean;
  children: Map<string, MutableNode>;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function buildNamespaceTree(repositories: readonly string[]): NamespaceNode {
  const root: MutableNode = { name: '', path: '', isRepository: false, children: new Map() };
  for (const repository of repositories) {
    let node = root;
    for (const part of repository.split('/').filter(Boolean)) {
      let child = node.children.get(part);
      if (!child) {
        child = {
          name: part,
          path: node.path ? `${node.path}/${part}` : part,
          isRepository: false,
          children: new Map(),
        };
        node.children.set(part, child);
      }
      node = child;
    }
    if (node !== root) node.isRepository = true;
  }
  return freeze(root);
}

function freeze(node: MutableNode): NamespaceNode {
  const children = [...node.children.values()].map(freeze).sort((a, b) => {
    const aFolder = a.children.length > 0 ? 0 : 1;
    const bFolder = b.children.length > 0 ? 0 : 1;
    return aFolder - bFolder || collator.compare(a.name, b.name);
  });
  const repositoryCount = children.reduce((sum, child) => sum + child.repositoryCount, node.isRepository ? 1 : 0);
  return { name: node.name, path: node.path, isRepository: node.isRepository, children, repositoryCount };
}

/** The node at `path` ('' is the root), or undefined. */
export function findNamespace(root: NamespaceNode, path: string): NamespaceNode | undefined {
  let node: NamespaceNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    node = node?.children.find((child) => child.name === part);
    if (!node) return undefined;
  }
  return node;
}

/** Every repository path at or below `node`, in tree order. */
export function repositoriesUnder(node: NamespaceNode): string[] {
  const out: string[] = [];
  const walk = (n: NamespaceNode) => {
    if (n.isRepository) out.push(n.path);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}

/** `a/b/c` -> ['a', 'a/b'] : the namespaces to open so `a/b/c` shows in the tree. */
export function ancestorPaths(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}
