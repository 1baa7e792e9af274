import { describe, expect, it } from 'vitest';
import {
  ancestorPaths,
  buildNamespaceTree,
  findNamespace,
  repositoriesUnder,
} from '../../../src/renderer/logic/namespace-tree';

const repositories = [
  'team-a/service-x',
  'team-a/service-y',
  'team-a/nested/deep',
  'team-a',
  'dev/app',
  'alpine',
  'team-b/svc10',
  'team-b/svc9',
];

describe('namespace tree', () => {
  const root = buildNamespaceTree(repositories);

  it('nests repositories under their path, namespaces first, names in natural order', () => {
    expect(root.children.map((c) => c.name)).toEqual(['dev', 'team-a', 'team-b', 'alpine']);
    expect(findNamespace(root, 'team-a')!.children.map((c) => c.name)).toEqual(['nested', 'service-x', 'service-y']);
    expect(findNamespace(root, 'team-b')!.children.map((c) => c.name)).toEqual(['svc9', 'svc10']);
  });

  it('marks a path that is both a repository and a namespace, and counts repositories below', () => {
    const teamA = findNamespace(root, 'team-a')!;
    expect(teamA.isRepository).toBe(true);
    expect(teamA.repositoryCount).toBe(4);
    expect(root.repositoryCount).toBe(repositories.length);
    expect(findNamespace(root, 'team-a/nested')).toMatchObject({ isRepository: false, repositoryCount: 1 });
    expect(repositoriesUnder(teamA)).toEqual(['team-a', 'team-a/nested/deep', 'team-a/service-x', 'team-a/service-y']);
  });

  it('finds nothing for an unknown path and lists ancestors to open', () => {
    expect(findNamespace(root, 'nope')).toBeUndefined();
    expect(findNamespace(root, '')).toBe(root);
    expect(ancestorPaths('a/b/c')).toEqual(['a', 'a/b']);
    expect(ancestorPaths('a')).toEqual([]);
  });

  it('builds an empty tree from no repositories', () => {
    expect(buildNamespaceTree([])).toMatchObject({ children: [], repositoryCount: 0 });
  });
});
