/**
 * Registries that do not do the cheapest thing: one that declines cross-repository mounts (202: the blob
 * must be uploaded instead) and one behind a proxy that caps request bodies (413: the blob must go in
 * chunks). Real distribution registries, with a reverse proxy in front playing the deployment.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readRequestLog, startRegistry, type RunningRegistry } from '../../env/registry';
import { SeedPusher } from '../../env/pusher';
import { buildImageFromHostFiles, pushImage, skopeoRaw, startHarness, type BuiltImage, type Harness } from './harness';
import { sha256 } from '../../env/layers';
import { startInterposer, type RunningInterposer } from './interposer';

const MiB = 1024 * 1024;
let registry: RunningRegistry;
let other: RunningRegistry;
let harness: Harness;
let image: BuiltImage;
const proxies: RunningInterposer[] = [];

beforeAll(async () => {
  [registry, other] = await Promise.all([startRegistry({ mode: 'anonymous' }), startRegistry({ mode: 'anonymous' })]);
  image = await buildImageFromHostFiles([40 * MiB, 2 * MiB]);
  await pushImage({ host: registry.host }, 'src/app', '1.0', image);
  harness = await startHarness([]);
});
afterAll(async () => {
  await harness?.close();
  await Promise.allSettled(proxies.map((proxy) => proxy.close()));
  await Promise.allSettled([registry?.dispose(), other?.dispose()]);
});

it('uploads the blobs a registry declines to mount (202), and the digest still matches', async () => {
  const proxy = await startInterposer(registry, { declineMounts: true });
  proxies.push(proxy);
  const plan = await harness.call('promotion.plan', {
    source: `${proxy.host}/src/app:1.0`,
    target: `${proxy.host}/dst/app:1.0`,
  });
  expect(plan.strategy).toBe('mount');

  const before = (await readRequestLog(registry.accessLogFile)).length;
  const result = await harness.call('promotion.execute', {
    source: `${proxy.host}/src/app:1.0`,
    target: `${proxy.host}/dst/app:1.0`,
  });
  const sizes = image.blobs.reduce((sum, blob) => sum + blob.size, 0);
  expect(result).toMatchObject({
    digest: image.digest,
    blobsMounted: 0,
    blobsCopied: image.blobs.length,
    bytesCopied: sizes,
  });
  expect(proxy.seen.filter((line) => line.startsWith('POST') && line.includes('mount='))).toHaveLength(
    image.blobs.length,
  );
  const during = (await readRequestLog(registry.accessLogFile)).slice(before);
  expect(
    during.filter(
      (entry) => entry.method === 'PUT' && entry.path.startsWith('/v2/dst/app/blobs/uploads/') && entry.status === 201,
    ),
  ).toHaveLength(image.blobs.length);
  expect(sha256(await skopeoRaw(`${registry.host}/dst/app:1.0`))).toBe(image.digest);
});

it('sends a blob in chunks when the target refuses it in one request (413), and the digest still matches', async () => {
  const proxy = await startInterposer(other, { maxBodyBytes: 36 * MiB });
  proxies.push(proxy);
  const result = await harness.call('promotion.execute', {
    source: `${registry.host}/src/app:1.0`,
    target: `${proxy.host}/chunked/app:1.0`,
  });
  expect(result).toMatchObject({ digest: image.digest, blobsCopied: image.blobs.length });
  const large = image.blobs.find((blob) => blob.size > 36 * MiB)!;
  expect(large).toBeDefined();
  const uploads = proxy.seen.filter((line) => line.includes('/v2/chunked/app/blobs/uploads/'));
  // The large blob: one refused PUT, then PATCH chunks and a closing PUT; the small ones in one PUT each.
  expect(uploads.filter((line) => line.startsWith('PATCH')).length).toBeGreaterThanOrEqual(2);
  expect(
    uploads.filter((line) => line.startsWith('PUT') && line.includes(encodeURIComponent(large.digest))).length,
  ).toBe(2);
  expect(sha256(await skopeoRaw(`${other.host}/chunked/app:1.0`))).toBe(image.digest);
});

it('keeps the BuildKit attestations of the chosen platforms in a subset, and only those', async () => {
  // An index as `docker buildx build --platform linux/amd64,linux/arm64 --provenance` pushes it: two images and
  // one attestation manifest per image (platform unknown/unknown, annotated with the image it describes).
  const pusher = new SeedPusher({ host: registry.host });
  const repository = 'buildkit/app';
  const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
  const push = async (bytes: Buffer) => ({
    mediaType: ociManifest,
    digest: await pusher.pushManifest(repository, sha256(bytes), bytes, ociManifest),
    size: bytes.length,
  });
  const entries = [];
  for (const architecture of ['amd64', 'arm64']) {
    const built = await buildImageFromHostFiles([64 * 1024]);
    const config = JSON.parse(built.blobs[0]!.bytes.toString('utf8')) as Record<string, unknown>;
    const ownConfig = Buffer.from(JSON.stringify({ ...config, architecture }));
    await pusher.pushBlob(repository, ownConfig);
    for (const blob of built.blobs.slice(1)) await pusher.pushBlob(repository, blob.bytes);
    const manifest = JSON.parse(built.manifest.toString('utf8')) as { config: { digest: string; size: number } };
    manifest.config = { ...manifest.config, digest: sha256(ownConfig), size: ownConfig.length };
    const image = await push(Buffer.from(JSON.stringify(manifest)));
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v0.1',
        predicateType: 'https://slsa.dev/provenance/v0.2',
        architecture,
      }),
    );
    const empty = Buffer.from('{}');
    await pusher.pushBlob(repository, statement);
    await pusher.pushBlob(repository, empty);
    const attestation = await push(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: ociManifest,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(empty), size: 2 },
          layers: [
            {
              mediaType: 'application/vnd.in-toto+json',
              digest: sha256(statement),
              size: statement.length,
              annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
            },
          ],
        }),
      ),
    );
    entries.push({
      image: { ...image, platform: { os: 'linux', architecture } },
      attestation: {
        ...attestation,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': image.digest,
        },
      },
    });
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.flatMap((entry) => [entry.image, entry.attestation]),
    }),
  );
  await pusher.pushManifest(repository, '1.0', index, 'application/vnd.oci.image.index.v1+json');

  const plan = await harness.call('promotion.plan', {
    source: `${registry.host}/${repository}:1.0`,
    target: `${other.host}/${repository}:arm`,
    platforms: ['linux/arm64'],
  });
  expect(plan.platforms).toEqual(['linux/arm64']);
  const arm = entries[1]!;
  expect(plan.manifests.filter((step) => step.role === 'image').map((step) => step.digest)).toEqual([
    arm.image.digest,
    arm.attestation.digest,
  ]);
  expect(plan.notes.join(' ')).toMatch(/Only linux\/arm64 of the source's 2 platforms/);

  const result = await harness.call('promotion.execute', {
    source: `${registry.host}/${repository}:1.0`,
    target: `${other.host}/${repository}:arm`,
    platforms: ['linux/arm64'],
  });
  const raw = await skopeoRaw(`${other.host}/${repository}:arm`);
  expect(sha256(raw)).toBe(result.digest);
  const written = JSON.parse(raw.toString('utf8')) as {
    manifests: { digest: string; annotations?: Record<string, string> }[];
  };
  expect(written.manifests.map((entry) => entry.digest)).toEqual([arm.image.digest, arm.attestation.digest]);
  expect(written.manifests[1]!.annotations).toEqual(arm.attestation.annotations);
});
