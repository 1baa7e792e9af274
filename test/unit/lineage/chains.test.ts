import { describe, expect, it } from 'vitest';
import { ChainIndex, startsWith, type PlatformImage } from '../../../src/main/lineage/chains';
import { formatScope, inScope, parseScope } from '../../../src/shared/lineage-scope';
import { RegistryIndex } from '../../../src/main/registry/index/registry-index';
import { MemoryStore } from '../../../src/main/registry/index/store';

const image = (top: string, diffIds: string[], digest = top): PlatformImage => ({ top, digest, diffIds });

describe('ChainIndex', () => {
  const root = image('root', ['a']);
  const base = image('base', ['a', 'b']);
  const envOnly = image('env', ['a', 'b']);
  const app = image('app', ['a', 'b', 'c']);
  const index = new ChainIndex();
  for (const entry of [root, base, envOnly, app, image('artifact', [])]) index.add(entry);

  it('finds the longest strict prefix, with every image that has it', () => {
    expect(index.baseOf(app)).toEqual({ sharedLayers: 2, matches: [base, envOnly] });
    expect(index.baseOf(base)).toEqual({ sharedLayers: 1, matches: [root] });
    expect(index.baseOf(root)).toBeUndefined();
  });

  it('reports an equal chain as the same layers, never as a base, and never the image itself', () => {
    expect(index.sameLayers(base)).toEqual([envOnly]);
    expect(index.sameLayers(app)).toEqual([]);
    // A platform image of an index is not its own base through the index.
    expect(index.baseOf(image('app', ['a', 'b', 'c'], 'app-amd64'))?.matches).toEqual([base, envOnly]);
  });

  it('compares diff IDs position by position', () => {
    expect(startsWith(['a', 'b', 'c'], ['a', 'b'])).toBe(true);
    expect(startsWith(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(startsWith(['a', 'x', 'c'], ['a', 'b'])).toBe(false);
    expect(startsWith(['a'], [])).toBe(false);
  });
});

describe('lineage scopes', () => {
  it('parses HOST and HOST/NAMESPACE, and a namespace holds itself and what is under it only', () => {
    const scope = parseScope('Registry.Example.com:5000/team-a/');
    expect(scope).toEqual({ host: 'registry.example.com:5000', namespace: 'team-a' });
    expect(formatScope(scope)).toBe('registry.example.com:5000/team-a');
    expect(inScope(scope, 'registry.example.com:5000', 'team-a/app')).toBe(true);
    expect(inScope(scope, 'registry.example.com:5000', 'team-a')).toBe(true);
    expect(inScope(scope, 'registry.example.com:5000', 'team-ab/app')).toBe(false);
    expect(inScope(scope, 'other:5000', 'team-a/app')).toBe(false);
    expect(parseScope('ghcr.io')).toEqual({ host: 'ghcr.io' });
  });

  it('refuses what is not a scope with invalid_input', () => {
    expect(() => parseScope('not a host')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => parseScope('ghcr.io/Team A')).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('registry index tag history', () => {
  it('remembers every digest a tag pointed at, including the one before a move', async () => {
    const index = new RegistryIndex(new MemoryStore());
    const old = `sha256:${'1'.repeat(64)}`;
    const now = `sha256:${'2'.repeat(64)}`;
    await index.setTagDigests('r.example', 'team/base', new Map([['1', old]]));
    await index.setTagDigests('r.example', 'team/base', new Map([['1', old]]));
    await index.setTagDigests('r.example', 'team/base', new Map([['1', now]]));
    const history = await index.tagHistory('r.example');
    expect(history.map(({ repository, tag, digest }) => ({ repository, tag, digest }))).toEqual([
      { repository: 'team/base', tag: '1', digest: old },
      { repository: 'team/base', tag: '1', digest: now },
    ]);
    expect((await index.tagDigests('r.example', 'team/base')).get('1')).toBe(now);
    expect(await index.tagHistory('other.example')).toEqual([]);
  });
});
