import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { readRequestLog } from '../../env/registry';
import { SEED, MEDIA_TYPES } from '../../env/seed';
import { fetchTokenRequests } from '../../env/token-server';
import type { WorldRegistry } from '../../env/world';

const world = inject('world');
const execFileAsync = promisify(execFile);

const ACCEPT_ALL = [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociIndex].join(', ');

function basic(user: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

async function bearer(registry: WorldRegistry, scope: string, user?: { username: string; password: string }): Promise<string> {
  const server = registry.tokenServer!;
  const url = new URL(server.realm);
  url.searchParams.set('service', server.service);
  url.searchParams.set('scope', scope);
  const response = await fetch(url, { headers: user ? { authorization: basic(user) } : {} });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string };
  return `Bearer ${body.token}`;
}

/** Authorization for reading `repository` from any of the three registries, as alice where needed. */
async function readAuth(registry: WorldRegistry, repository: string): Promise<Record<string, string>> {
  if (registry.mode === 'basic') return { authorization: basic(registry.users[0]!) };
  if (registry.mode === 'token') return { authorization: await bearer(registry, `repository:${repository}:pull`, registry.users[0]) };
  return {};
}

async function listAllTags(registry: WorldRegistry, repository: string, pageSize: number): Promise<{ tags: string[]; pages: number }> {
  const headers = await readAuth(registry, repository);
  const tags: string[] = [];
  let next: string | null = `/v2/${repository}/tags/list?n=${pageSize}`;
  let pages = 0;
  while (next !== null && pages < 1_000) {
    const response = await fetch(new URL(next, registry.url), { headers });
    expect(response.status).toBe(200);
    tags.push(...((await response.json()) as { tags: string[] }).tags);
    pages += 1;
    const link = response.headers.get('link');
    next = link ? (/<([^>]+)>;\s*rel="next"/.exec(link)?.[1] ?? null) : null;
  }
  return { tags, pages };
}

const registries = (): [string, WorldRegistry][] => [
  ['anonymous', world.anonymous],
  ['basic', world.basic],
  ['token', world.token],
];

describe('the seeded world', () => {
  it.each(registries())('%s registry lists every seeded repository', async (_mode, registry) => {
    const headers = registry.mode === 'basic' ? { authorization: basic(registry.users[0]!) } : registry.mode === 'token' ? { authorization: await bearer(registry, 'registry:catalog:*', registry.users[0]) } : {};
    const response = await fetch(`${registry.url}/v2/_catalog?n=1000`, { headers });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { repositories: string[] }).repositories).toEqual(SEED.repositories);
  });

  it.each(registries())('%s registry serves manifests with the seeded digests', async (_mode, registry) => {
    for (const [ref, descriptor] of Object.entries(world.seed.manifests)) {
      const [repository, tag] = ref.split(':') as [string, string];
      const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, { headers: { accept: ACCEPT_ALL, ...(await readAuth(registry, repository)) } });
      expect(response.status, ref).toBe(200);
      expect(response.headers.get('docker-content-digest'), ref).toBe(descriptor.digest);
      expect(response.headers.get('content-type'), ref).toBe(descriptor.mediaType);
      expect((await response.arrayBuffer()).byteLength, ref).toBe(descriptor.size);
    }
  });

  it('many/tags has 2,000 tags, read page by page', async () => {
    const { tags, pages } = await listAllTags(world.anonymous, SEED.manyTags.repository, 100);
    expect(tags).toHaveLength(SEED.manyTags.count);
    expect(new Set(tags)).toEqual(new Set(SEED.manyTags.tags.map((tag) => tag.name)));
    // distribution 2.8.2 ignores `n` on tags/list (no Link header): one page holds them all.
    expect(pages).toBeGreaterThanOrEqual(1);
  });
});
