import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { readRequestLog, startRegistry } from '../../env/registry';
import { SeedPusher } from '../../env/pusher';
import { MEDIA_TYPES, SEED } from '../../env/seed';
import { fetchTokenRequests } from '../../env/token-server';
import { underSeededNamespaces, type WorldRegistry } from '../../env/world';

const world = inject('world');
const execFileAsync = promisify(execFile);

const ACCEPT_ALL = [
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
].join(', ');

function basic(user: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

async function bearer(
  registry: WorldRegistry,
  scope: string,
  user?: { username: string; password: string },
): Promise<string> {
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
  if (registry.mode === 'token')
    return { authorization: await bearer(registry, `repository:${repository}:pull`, registry.users[0]) };
  return {};
}

async function listAllTags(
  registry: WorldRegistry,
  repository: string,
  pageSize: number,
): Promise<{ tags: string[]; pages: number }> {
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
    const headers: Record<string, string> =
      registry.mode === 'basic'
        ? { authorization: basic(registry.users[0]!) }
        : registry.mode === 'token'
          ? { authorization: await bearer(registry, 'registry:catalog:*', registry.users[0]) }
          : {};
    const response = await fetch(`${registry.url}/v2/_catalog?n=1000`, { headers });
    expect(response.status).toBe(200);
    expect(
      underSeededNamespaces(((await response.json()) as { repositories: string[] }).repositories, SEED.repositories),
    ).toEqual(SEED.repositories);
  });

  it.each(registries())('%s registry serves manifests with the seeded digests', async (_mode, registry) => {
    for (const [ref, descriptor] of Object.entries(world.seed.manifests)) {
      const [repository, tag] = ref.split(':') as [string, string];
      const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
        headers: { accept: ACCEPT_ALL, ...(await readAuth(registry, repository)) },
      });
      expect(response.status, ref).toBe(200);
      expect(response.headers.get('docker-content-digest'), ref).toBe(descriptor.digest);
      expect(response.headers.get('content-type'), ref).toBe(descriptor.mediaType);
      expect((await response.arrayBuffer()).byteLength, ref).toBe(descriptor.size);
    }
  });

  it('many/tags has 2,000 tags with the seeded digests, tags sharing a digest included', async () => {
    const { tags, pages } = await listAllTags(world.anonymous, SEED.manyTags.repository, 100);
    expect(tags).toHaveLength(SEED.manyTags.count);
    expect(new Set(tags)).toEqual(new Set(SEED.manyTags.tags.map((tag) => tag.name)));
    // distribution 2.8.2 ignores `n` on tags/list (no Link header): every tag comes in the first page.
    expect(pages).toBe(1);
    const digests = world.seed.manyTags.digests;
    expect(digests.latest).toBe(digests['4.19.9']);
    expect(digests['v1.2.3-rc1']).toBe(digests['1.2.3']);
    expect(world.seed.manyTags.uniqueDigests).toBe(
      SEED.manyTags.tags.filter((tag) => tag.sameDigestAs === undefined).length,
    );
    for (const tag of ['0.0.0', 'build-0399', '2023-06-01', 'latest']) {
      const response = await fetch(`${world.anonymous.url}/v2/many/tags/manifests/${tag}`, {
        method: 'HEAD',
        headers: { accept: ACCEPT_ALL },
      });
      expect(response.headers.get('docker-content-digest'), tag).toBe(digests[tag]);
    }
  });

  it('many/tags configs carry created dates in an order different from the tag names', async () => {
    const byName = [...SEED.manyTags.tags].sort((a, b) => a.name.localeCompare(b.name)).map((tag) => tag.name);
    const byCreated = [...SEED.manyTags.tags]
      .sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name))
      .map((tag) => tag.name);
    expect(byCreated).not.toEqual(byName);
    const tag = SEED.manyTags.tags.find((entry) => entry.name === '3.7.1')!;
    const manifest = (await (
      await fetch(`${world.anonymous.url}/v2/many/tags/manifests/3.7.1`, { headers: { accept: ACCEPT_ALL } })
    ).json()) as {
      config: { digest: string };
    };
    const config = (await (
      await fetch(`${world.anonymous.url}/v2/many/tags/blobs/${manifest.config.digest}`)
    ).json()) as { created: string };
    expect(config.created).toBe(tag.created);
  });

  it('dev/app:1.1.0 has the zstd layer with both whiteout kinds and shares the base layer with 1.0.0', async () => {
    const v100 = world.seed.images['dev/app:1.0.0']!;
    const v110 = world.seed.images['dev/app:1.1.0']!;
    expect(v110.layers[0]!.digest).toBe(v100.layers[0]!.digest);
    expect(v110.layers.map((layer) => layer.compression)).toEqual(SEED.devApp.images['1.1.0'].layerCompressions);
    const zstdLayer = v110.layers[2]!;
    expect(zstdLayer.mediaType).toBe(MEDIA_TYPES.ociLayerZstd);
    const blob = Buffer.from(
      await (await fetch(`${world.anonymous.url}/v2/dev/app/blobs/${zstdLayer.digest}`)).arrayBuffer(),
    );
    const names = await new Promise<string>((resolve, reject) => {
      const child = execFile('sh', ['-c', 'zstd -d -c | tar -t'], { encoding: 'utf8' }, (error, out) =>
        error ? reject(error) : resolve(out),
      );
      child.stdin!.end(blob);
    });
    expect(names.split('\n')).toEqual(
      expect.arrayContaining([
        'opt/app/.wh.removed-later.txt',
        'opt/app/dir-to-replace/.wh..wh..opq',
        'opt/app/dir-to-replace/only-new.txt',
      ]),
    );
  });

  it('dev/app merged trees contain the special paths SEED promises', () => {
    const paths100 = new Set(world.seed.devAppMergedPaths['1.0.0']);
    const paths110 = new Set(world.seed.devAppMergedPaths['1.1.0']);
    expect(paths100.has(SEED.devApp.longPath)).toBe(true);
    expect(paths100.has(SEED.devApp.unicodePath)).toBe(true);
    expect(SEED.devApp.longPath.length).toBeGreaterThan(100);
    for (const path of SEED.devApp.diff.removed) expect(paths110.has(path), path).toBe(false);
    for (const path of SEED.devApp.diff.added) expect(paths100.has(path), path).toBe(false);
    expect(world.seed.baseDocFileCount).toBeGreaterThan(200);
  });

  it('referrers of dev/app:1.0.0 are listed by the fallback tag index', async () => {
    const referrers = world.seed.referrers;
    expect(referrers.fallbackTag).toBe(`sha256-${referrers.subject.digest.slice('sha256:'.length)}`);
    const response = await fetch(`${world.anonymous.url}/v2/dev/app/manifests/${referrers.fallbackTag}`, {
      headers: { accept: MEDIA_TYPES.ociIndex },
    });
    expect(response.status).toBe(200);
    const index = (await response.json()) as { manifests: { digest: string; artifactType: string }[] };
    expect(index.manifests.map((entry) => [entry.digest, entry.artifactType])).toEqual([
      [referrers.signature.digest, SEED.referrers.signature.artifactType],
      [referrers.sbom.digest, SEED.referrers.sbom.artifactType],
    ]);
    const signature = (await (
      await fetch(`${world.anonymous.url}/v2/dev/app/manifests/${referrers.signature.digest}`, {
        headers: { accept: MEDIA_TYPES.ociManifest },
      })
    ).json()) as {
      subject: { digest: string };
    };
    expect(signature.subject.digest).toBe(referrers.subject.digest);
  });

  it('skopeo (an independent client) sees the same digests, through token auth too', async () => {
    const anonymous = JSON.parse(
      (
        await execFileAsync(
          'skopeo',
          ['inspect', '--tls-verify=false', `docker://${world.anonymous.host}/dev/app:1.0.0`],
          { timeout: 60_000 },
        )
      ).stdout,
    ) as { Digest: string; Labels: Record<string, string> };
    expect(anonymous.Digest).toBe(world.seed.manifests['dev/app:1.0.0']!.digest);
    expect(anonymous.Labels).toEqual(SEED.devApp.images['1.0.0'].labels);
    const bob = world.token.users.find((user) => user.username === 'bob')!;
    const viaToken = JSON.parse(
      (
        await execFileAsync(
          'skopeo',
          [
            'inspect',
            '--tls-verify=false',
            '--creds',
            `${bob.username}:${bob.password}`,
            `docker://${world.token.host}/dev/app:1.1.0`,
          ],
          { timeout: 60_000 },
        )
      ).stdout,
    ) as { Digest: string };
    expect(viaToken.Digest).toBe(world.seed.manifests['dev/app:1.1.0']!.digest);
    const scopes = (await fetchTokenRequests(world.token.tokenServer!.url))
      .filter((record) => record.username === 'bob')
      .flatMap((record) => record.scopes);
    expect(scopes).toContain('repository:dev/app:pull');
  });
});

describe('registry auth modes', () => {
  it('basic registry refuses anonymous and wrong passwords, accepts alice', async () => {
    const anonymous = await fetch(`${world.basic.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const alice = world.basic.users[0]!;
    expect(
      (await fetch(`${world.basic.url}/v2/`, { headers: { authorization: basic({ ...alice, password: 'wrong' }) } }))
        .status,
    ).toBe(401);
    expect((await fetch(`${world.basic.url}/v2/`, { headers: { authorization: basic(alice) } })).status).toBe(200);
  });

  it('token registry: anonymous gets a challenge, bob may pull but not push, alice may push', async () => {
    const challenge = await fetch(`${world.token.url}/v2/dev/app/manifests/1.0.0`, { headers: { accept: ACCEPT_ALL } });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toBe(
      `Bearer realm="${world.token.tokenServer!.realm}",service="${world.token.tokenServer!.service}",scope="repository:dev/app:pull"`,
    );
    const bob = world.token.users.find((user) => user.username === 'bob')!;
    const alice = world.token.users.find((user) => user.username === 'alice')!;
    const bobToken = await bearer(world.token, 'repository:dev/app:pull,push', bob);
    expect(
      (
        await fetch(`${world.token.url}/v2/dev/app/manifests/1.0.0`, {
          headers: { accept: ACCEPT_ALL, authorization: bobToken },
        })
      ).status,
    ).toBe(200);
    const bobPush = await fetch(`${world.token.url}/v2/dev/app/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: bobToken },
    });
    expect(bobPush.status).toBe(401);
    expect(bobPush.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const scratch = `scratch/world-${process.pid}`;
    const aliceToken = await bearer(world.token, `repository:${scratch}:pull,push`, alice);
    const alicePush = await fetch(`${world.token.url}/v2/${scratch}/blobs/uploads/`, {
      method: 'POST',
      headers: { authorization: aliceToken },
    });
    expect(alicePush.status).toBe(202);
    await fetch(new URL(alicePush.headers.get('location')!, world.token.url), {
      method: 'DELETE',
      headers: { authorization: aliceToken },
    });
  });

  it('token server: wrong password is 401, OAuth2 password and refresh_token grants work', async () => {
    const server = world.token.tokenServer!;
    const alice = world.token.users.find((user) => user.username === 'alice')!;
    const refused = await fetch(`${server.realm}?service=${server.service}&scope=repository:dev/app:pull`, {
      headers: { authorization: basic({ ...alice, password: 'nope' }) },
    });
    expect(refused.status).toBe(401);
    const form = (fields: Record<string, string>): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const password = await fetch(
      server.realm,
      form({
        grant_type: 'password',
        username: alice.username,
        password: alice.password,
        service: server.service,
        scope: 'repository:dev/app:pull',
        client_id: 'berth-test',
        access_type: 'offline',
      }),
    );
    expect(password.status).toBe(200);
    const granted = (await password.json()) as {
      access_token: string;
      refresh_token: string;
      expires_in: number;
      issued_at: string;
      scope: string;
    };
    expect(granted.refresh_token).toBeTruthy();
    expect(granted.scope).toBe('repository:dev/app:pull');
    expect(granted.expires_in).toBeGreaterThan(0);
    const refreshed = await fetch(
      server.realm,
      form({
        grant_type: 'refresh_token',
        refresh_token: granted.refresh_token,
        service: server.service,
        scope: 'repository:dev/multi:pull',
        client_id: 'berth-test',
      }),
    );
    expect(refreshed.status).toBe(200);
    const token = ((await refreshed.json()) as { access_token: string }).access_token;
    expect(
      (
        await fetch(`${world.token.url}/v2/dev/multi/manifests/1.0`, {
          headers: { accept: ACCEPT_ALL, authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(200);
    const badRefresh = await fetch(
      server.realm,
      form({ grant_type: 'refresh_token', refresh_token: 'forged', service: server.service, client_id: 'berth-test' }),
    );
    expect(badRefresh.status).toBe(401);
    expect(((await badRefresh.json()) as { error: string }).error).toBe('invalid_grant');
  });
});

describe('registry lifecycle helpers', () => {
  it("stop() and start() keep port and storage; requestLog() shows the test's own requests", async () => {
    const registry = await startRegistry();
    try {
      const pusher = new SeedPusher({ host: registry.host });
      const config = await pusher.pushBlob(
        'scratch/lifecycle',
        Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'),
      );
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          config: { mediaType: MEDIA_TYPES.ociConfig, ...config },
          layers: [],
        }),
      );
      const digest = await pusher.pushManifest('scratch/lifecycle', '1', manifest, MEDIA_TYPES.ociManifest);
      const before = await fetch(`${registry.url}/v2/scratch/lifecycle/manifests/1`, {
        method: 'HEAD',
        headers: { accept: ACCEPT_ALL },
      });
      expect(before.headers.get('docker-content-digest')).toBe(digest);
      await registry.stop();
      await expect(fetch(`${registry.url}/v2/`)).rejects.toThrow();
      await registry.start();
      const after = await fetch(`${registry.url}/v2/scratch/lifecycle/manifests/1`, {
        method: 'HEAD',
        headers: { accept: ACCEPT_ALL },
      });
      expect(after.headers.get('docker-content-digest')).toBe(before.headers.get('docker-content-digest'));
      const log = await registry.requestLog();
      expect(
        log
          .filter((entry) => entry.path === '/v2/scratch/lifecycle/manifests/1')
          .map((entry) => [entry.method, entry.status]),
      ).toEqual([
        ['HEAD', 200],
        ['HEAD', 200],
      ]);
      expect(log.some((entry) => entry.userAgent.startsWith('berth-test-env'))).toBe(false);
      expect((await registry.requestLog({ includeTestEnv: true })).length).toBeGreaterThan(log.length);
    } finally {
      await registry.dispose();
    }
  });

  it('the shared world access log is readable from a test worker', async () => {
    await fetch(`${world.anonymous.url}/v2/dev/app/tags/list?from=world-test-${process.pid}`);
    const log = await readRequestLog(world.anonymous.accessLogFile);
    expect(
      log.some(
        (entry) => entry.path === `/v2/dev/app/tags/list?from=world-test-${process.pid}` && entry.status === 200,
      ),
    ).toBe(true);
  });
});
