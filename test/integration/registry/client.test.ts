/**
 * The registry client against the real CNCF distribution registry, in its three auth modes, with the
 * seeded images; writes go to a registry of the test's own.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RegistryCredential } from '../../../src/main/credentials/credential';
import {
  createRegistryBrowser,
  createRegistryClient,
  parsePlatform,
  type RegistryClient,
  type RegistryClientOptions,
} from '../../../src/main/registry';
import { readRequestLog, startRegistry, type RunningRegistry } from '../../env/registry';
import { MEDIA_TYPES, SEED } from '../../env/seed';
import type { WorldRegistry } from '../../env/world';

const world = inject('world');
const execFileAsync = promisify(execFile);
const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const clients: RegistryClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
});

function clientFor(
  registry: { host: string },
  credential?: RegistryCredential,
  extra: Partial<RegistryClientOptions> = {},
): RegistryClient {
  const client = createRegistryClient({
    credentials: async (host) => (host === registry.host ? credential : undefined),
    ...extra,
  });
  clients.push(client);
  return client;
}

function userOf(registry: WorldRegistry, name?: string): RegistryCredential | undefined {
  const user = name ? registry.users.find((candidate) => candidate.username === name) : registry.users[0];
  return user ? { kind: 'basic', username: user.username, password: user.password } : undefined;
}

const modes: [string, WorldRegistry][] = [
  ['anonymous', world.anonymous],
  ['basic', world.basic],
  ['token', world.token],
];

describe.each(modes)('against the %s registry', (_mode, registry) => {
  const client = () => clientFor(registry, userOf(registry));

  it('lists every seeded repository, across Link pages', async () => {
    const all = await client().listRepositories(registry.host);
    expect(all).toEqual(expect.arrayContaining([...SEED.repositories]));
    const paged = await clientFor(registry, userOf(registry), { pageSize: { catalog: 2 } }).listRepositories(
      registry.host,
    );
    expect(paged).toEqual(all);
  });

  it('lists the 2,000 tags of many/tags', async () => {
    const tags = await client().listTags({ registry: registry.host, repository: SEED.manyTags.repository });
    expect(tags).toHaveLength(2_000);
    expect([...tags].sort()).toEqual(SEED.manyTags.tags.map((tag) => tag.name).sort());
  });

  it('inspects a Docker v2 and an OCI image: digest, config, layers with the history step that made them', async () => {
    const registryClient = client();
    for (const tag of ['1.0.0', '1.1.0'] as const) {
      const facts = SEED.devApp.images[tag];
      const details = await registryClient.inspect(`${registry.host}/dev/app:${tag}`);
      expect(details.manifest).toMatchObject({
        digest: world.seed.manifests[`dev/app:${tag}`]!.digest,
        mediaType: facts.mediaType,
        tag,
      });
      expect(sha256(details.manifest.raw)).toBe(details.manifest.digest);
      expect(details.config).toMatchObject({
        created: facts.created,
        platform: { os: facts.os, architecture: facts.architecture },
        env: facts.env,
        entrypoint: facts.entrypoint,
        cmd: facts.cmd,
        user: facts.user,
        workingDir: facts.workingDir,
        exposedPorts: facts.exposedPorts,
        labels: facts.labels,
      });
      const seeded = world.seed.images[`dev/app:${tag}`]!;
      expect(details.layers.map((layer) => [layer.digest, layer.size, layer.mediaType, layer.diffId])).toEqual(
        seeded.layers.map((layer) => [layer.digest, layer.size, layer.mediaType, layer.diffId]),
      );
      expect(details.layers.map((layer) => layer.createdBy)).toEqual(
        facts.history.filter((step) => !step.emptyLayer).map((step) => step.createdBy),
      );
      expect(details.compressedSize).toBe(seeded.layers.reduce((sum, layer) => sum + layer.size, 0));
    }
  });

  it.each([
    ['dev/multi:1.0', MEDIA_TYPES.ociIndex],
    ['dev/multi-docker:1.0', MEDIA_TYPES.dockerManifestList],
  ])('selects each platform of the multi-arch %s', async (ref, mediaType) => {
    const registryClient = client();
    for (const platform of SEED.multiArch.oci.platforms) {
      const details = await registryClient.inspect(`${registry.host}/${ref}`, { platform: parsePlatform(platform) });
      expect(details.manifest).toMatchObject({ mediaType, digest: world.seed.manifests[ref]!.digest });
      expect(details.manifest.manifests?.map((entry) => entry.platform?.architecture)).toEqual(['amd64', 'arm64']);
      expect(details.platformManifest?.digest).toBe(world.seed.platforms[ref]![platform]!.digest);
      expect(details.config?.platform.architecture).toBe(platform.split('/')[1]);
    }
    await expect(
      registryClient.inspect(`${registry.host}/${ref}`, { platform: parsePlatform('linux/s390x') }),
    ).rejects.toMatchObject({
      code: 'not_found',
      message: 'No linux/s390x image in this index; it has linux/amd64, linux/arm64/v8.',
    });
  });

  it('lists the referrers of dev/app:1.0.0 (through the sha256-<hex> tag fallback) and names them', async () => {
    const referrers = await client().listReferrers(`${registry.host}/dev/app:1.0.0`);
    const { signature, sbom } = world.seed.referrers;
    expect(referrers.map(({ digest, artifactType, type }) => ({ digest, artifactType, type }))).toEqual(
      expect.arrayContaining([
        { digest: signature.digest, artifactType: signature.artifactType, type: 'signature' },
        { digest: sbom.digest, artifactType: sbom.artifactType, type: 'sbom' },
      ]),
    );
    expect(await client().listReferrers(`${registry.host}/prod/app:0.9.0`)).toEqual([]);
  });

  it('streams a layer verified, HEADs blobs and manifests, and says what is missing', async () => {
    const registryClient = client();
    const repo = { registry: registry.host, repository: 'dev/app' };
    const layer = world.seed.images['dev/app:1.1.0']!.layers[1]!;
    const chunks: Buffer[] = [];
    for await (const chunk of await registryClient.openBlob(repo, layer)) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(layer.digest);
    expect(await registryClient.headBlob(repo, layer.digest)).toEqual({ size: layer.size });
    expect(await registryClient.headBlob(repo, sha256('absent'))).toBeUndefined();
    expect(await registryClient.headManifest(`${registry.host}/dev/app:latest`)).toEqual(
      world.seed.manifests['dev/app:1.1.0'],
    );
    expect(await registryClient.headManifest(`${registry.host}/dev/app:9.9.9`)).toBeUndefined();
    await expect(registryClient.getManifest(`${registry.host}/dev/app:9.9.9`)).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('no such tag or digest'),
    });
  });
});

describe('credentials and scopes', () => {
  it('basic: a wrong password is unauthorized, no password asks to sign in', async () => {
    await expect(
      clientFor(world.basic, { kind: 'basic', username: 'alice', password: 'wrong' }).listTags(
        `${world.basic.host}/dev/app`,
      ),
    ).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('refused the saved credentials'),
    });
    await expect(clientFor(world.basic).listTags(`${world.basic.host}/dev/app`)).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('requires signing in'),
    });
  });

  it('token: checkAccess tells accepted from refused credentials', async () => {
    expect(await clientFor(world.token, userOf(world.token)).checkAccess(world.token.host)).toEqual({
      requiresAuth: true,
      authenticated: true,
    });
    await expect(
      clientFor(world.token, { kind: 'basic', username: 'alice', password: 'nope' }).checkAccess(world.token.host),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await clientFor(world.anonymous).checkAccess(world.anonymous.host)).toEqual({
      requiresAuth: false,
      authenticated: false,
    });
  });

  it('token: an identity (refresh) token is exchanged by OAuth2 POST', async () => {
    const server = world.token.tokenServer!;
    const alice = world.token.users[0]!;
    const url = new URL(server.realm);
    url.searchParams.set('service', server.service);
    url.searchParams.set('offline_token', 'true');
    const response = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${alice.username}:${alice.password}`).toString('base64')}` },
    });
    const { refresh_token: refreshToken } = (await response.json()) as { refresh_token: string };
    expect(refreshToken).toBeTruthy();
    const tags = await clientFor(world.token, { kind: 'identity-token', token: refreshToken }).listTags(
      `${world.token.host}/prod/app`,
    );
    expect(tags).toEqual(['0.9.0']);
  });
});

describe('writes, token cache and scopes on a registry of this test', () => {
  let own: RunningRegistry;
  let alice: RegistryCredential;
  const blob = randomBytes(300_000);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2025-01-02T03:04:05Z',
      rootfs: { type: 'layers', diff_ids: [sha256('x')] },
    }),
  );

  beforeAll(async () => {
    own = await startRegistry({ mode: 'token' });
    const user = own.users.find((candidate) => candidate.access !== 'pull')!;
    alice = { kind: 'basic', username: user.username, password: user.password };
  });
  afterAll(async () => {
    await own?.dispose();
  });

  it('uploads (monolithic and chunked), mounts, pushes and deletes, asking each token once per scope', async () => {
    const client = clientFor(own, alice, { uploadChunkSize: 64 * 1024 });
    const source = { registry: own.host, repository: 'scratch/source' };
    const target = { registry: own.host, repository: 'scratch/target' };
    own.token!.clearTokenRequests();

    expect(
      await client.uploadBlob(source, { digest: sha256(blob), size: blob.length }, () =>
        Readable.from([blob.subarray(0, 1000), blob.subarray(1000)]),
      ),
    ).toBe('uploaded');
    expect(await client.uploadBlob(source, { digest: sha256(config), size: config.length }, config)).toBe('uploaded');
    expect(await client.uploadBlob(source, { digest: sha256(config), size: config.length }, config)).toBe('exists');
    expect(await client.mountBlob(target, sha256(blob), source)).toBe(true);
    expect(
      await client.uploadBlob(target, { digest: sha256(config), size: config.length }, config, { mountFrom: source }),
    ).toBe('mounted');

    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: sha256(config), size: config.length },
        layers: [{ mediaType: MEDIA_TYPES.ociLayerGzip, digest: sha256(blob), size: blob.length }],
      }),
    );
    expect(await client.putManifest(`${own.host}/scratch/target:1.0`, manifest, MEDIA_TYPES.ociManifest)).toBe(
      sha256(manifest),
    );
    expect(
      await client.putManifest(`${own.host}/scratch/target@${sha256(manifest)}`, manifest, MEDIA_TYPES.ociManifest),
    ).toBe(sha256(manifest));
    const fetched = await client.getManifest(`${own.host}/scratch/target:1.0`);
    expect(fetched.bytes.equals(manifest)).toBe(true);
    expect((await client.inspect(`${own.host}/scratch/target:1.0`)).config?.created).toBe('2025-01-02T03:04:05Z');

    await expect(
      client.putManifest(`${own.host}/scratch/target@${sha256('other')}`, manifest, MEDIA_TYPES.ociManifest),
    ).rejects.toMatchObject({ code: 'digest_mismatch' });
    await expect(client.deleteTag(`${own.host}/scratch/target:1.0`)).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('Delete the manifest by digest'),
    });
    await client.deleteManifest(`${own.host}/scratch/target@${sha256(manifest)}`);
    await expect(client.getManifest(`${own.host}/scratch/target:1.0`)).rejects.toMatchObject({ code: 'not_found' });

    const scopes = own.token!.tokenRequests().map((request) => request.scopes.join(' '));
    // One token per distinct scope list, the push scope first and the mount source's pull scope after it.
    expect(new Set(scopes).size).toBe(scopes.length);
    expect(scopes).toContain('repository:scratch/target:pull,push repository:scratch/source:pull');
    expect(scopes).toContain('repository:scratch/source:pull,push');
  });

  it('a pull-only account is denied a push, with a clear message', async () => {
    const bob = own.users.find((candidate) => candidate.access === 'pull')!;
    const client = clientFor(own, { kind: 'basic', username: bob.username, password: bob.password });
    await expect(
      client.uploadBlob(
        { registry: own.host, repository: 'scratch/bob' },
        { digest: sha256(config), size: config.length },
        config,
      ),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^(denied|unauthorized)$/),
      message: expect.stringContaining(own.host),
    });
  });
});

describe('tag details for the tag table', () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'berth-tag-details-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('gives created dates of all 2,000 tags, and a second look GETs nothing', async () => {
    const tags = SEED.manyTags.tags.map((tag) => tag.name);
    const firstAgent = `berth-tag-details-${randomBytes(4).toString('hex')}`;
    const browser = createRegistryBrowser({
      client: clientFor(world.anonymous, undefined, { userAgent: firstAgent }),
      resolveRegistry: (id) => ({ id, host: id }),
      cacheDir,
    });
    let progressCalls = 0;
    const details = await browser.tagDetails(world.anonymous.host, SEED.manyTags.repository, tags, {
      onProgress: () => progressCalls++,
    });
    expect(progressCalls).toBe(tags.length);
    expect(details.map((detail) => [detail.tag, detail.created, detail.digest])).toEqual(
      SEED.manyTags.tags.map((tag) => [tag.name, tag.created, world.seed.manyTags.digests[tag.name]]),
    );
    expect(
      details.every((detail) => detail.size !== undefined && detail.size > 0 && detail.platforms?.[0]?.os === 'linux'),
    ).toBe(true);
    // The index on disk admits one process (one open browser) at a time, as one services instance would.
    await browser.close();

    const secondAgent = `${firstAgent}-again`;
    const again = createRegistryBrowser({
      client: clientFor(world.anonymous, undefined, { userAgent: secondAgent }),
      resolveRegistry: (id) => ({ id, host: id }),
      cacheDir,
    });
    expect(await again.tagDetails(world.anonymous.host, SEED.manyTags.repository, tags)).toEqual(details);
    await again.close();
    const log = await readRequestLog(world.anonymous.accessLogFile);
    const first = log.filter((entry) => entry.userAgent === firstAgent);
    const second = log.filter((entry) => entry.userAgent === secondAgent);
    // Never seen: one GET by tag each (no HEAD first); tags sharing a digest share one config GET.
    expect(first.filter((entry) => entry.method === 'GET' && entry.path.includes('/manifests/'))).toHaveLength(
      tags.length,
    );
    expect(first.filter((entry) => entry.method === 'HEAD')).toEqual([]);
    expect(first.filter((entry) => entry.method === 'GET' && entry.path.includes('/blobs/'))).toHaveLength(
      world.seed.manyTags.uniqueDigests,
    );
    expect(second.filter((entry) => entry.method === 'GET' && entry.path !== '/v2/')).toEqual([]);
    expect(second.filter((entry) => entry.method === 'HEAD')).toHaveLength(tags.length);

    // Stale-while-revalidate: from the cache alone, marked stale, without a single request.
    const cachedAgent = `${firstAgent}-cached`;
    const cachedOnly = createRegistryBrowser({
      client: clientFor(world.anonymous, undefined, { userAgent: cachedAgent }),
      resolveRegistry: (id) => ({ id, host: id }),
      cacheDir,
    });
    const cached = await cachedOnly.tagDetails(
      world.anonymous.host,
      SEED.manyTags.repository,
      [...tags, 'never-seen'],
      { cachedOnly: true },
    );
    expect(cached).toEqual(details.map((detail) => ({ ...detail, stale: true })));
    await cachedOnly.close();
    expect(
      (await readRequestLog(world.anonymous.accessLogFile)).filter((entry) => entry.userAgent === cachedAgent),
    ).toEqual([]);
    const cold = createRegistryBrowser({
      client: clientFor(world.anonymous),
      resolveRegistry: (id) => ({ id, host: id }),
      cacheDir: await mkdtemp(join(tmpdir(), 'berth-tag-details-cold-')),
    });
    expect(await cold.tagDetails(world.anonymous.host, SEED.manyTags.repository, tags, { cachedOnly: true })).toEqual(
      [],
    );
    await cold.close();
  });

  it('remembers every tag when the UI asks for several chunks at once', async () => {
    const tags = SEED.manyTags.tags.slice(0, 300).map((tag) => tag.name);
    const browser = createRegistryBrowser({
      client: clientFor(world.anonymous),
      resolveRegistry: (id) => ({ id, host: id }),
      cacheDir: await mkdtemp(join(tmpdir(), 'berth-tag-chunks-')),
    });
    const chunks = [tags.slice(0, 100), tags.slice(100, 200), tags.slice(200)];
    await Promise.all(chunks.map((chunk) => browser.tagDetails(world.anonymous.host, SEED.manyTags.repository, chunk)));
    const cached = await browser.tagDetails(world.anonymous.host, SEED.manyTags.repository, tags, { cachedOnly: true });
    expect(cached.map((detail) => detail.tag)).toEqual(tags);
    await browser.close();
  });
});

describe('ground truth from skopeo', () => {
  it.each(['dev/app:1.0.0', 'dev/app:1.1.0', 'dev/multi:1.0', 'dev/multi-docker:1.0'])(
    'digest and raw bytes of %s match skopeo',
    async (ref) => {
      const full = `${world.anonymous.host}/${ref}`;
      const manifest = await clientFor(world.anonymous).getManifest(full);
      const { stdout: raw } = await execFileAsync(
        'skopeo',
        ['inspect', '--tls-verify=false', '--raw', `docker://${full}`],
        { encoding: 'buffer', timeout: 60_000 },
      );
      expect(Buffer.from(raw).equals(manifest.bytes)).toBe(true);
      if (ref.startsWith('dev/app')) {
        const { stdout } = await execFileAsync(
          'skopeo',
          ['inspect', '--tls-verify=false', '--no-tags', `docker://${full}`],
          { timeout: 60_000 },
        );
        const skopeo = JSON.parse(stdout) as { Digest: string; Layers: string[]; Created: string };
        const details = await clientFor(world.anonymous).inspect(full);
        expect(details.manifest.digest).toBe(skopeo.Digest);
        expect(details.layers.map((layer) => layer.digest)).toEqual(skopeo.Layers);
        expect(Date.parse(details.config!.created!)).toBe(Date.parse(skopeo.Created));
      }
    },
  );
});
