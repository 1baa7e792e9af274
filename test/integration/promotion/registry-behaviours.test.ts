/**
 * Registries that do not do the cheapest thing: one that declines cross-repository mounts (202: the blob
 * must be uploaded instead) and one behind a proxy that caps request bodies (413: the blob must go in
 * chunks). Real distribution registries, with a reverse proxy in front playing the deployment.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readRequestLog, startRegistry, type RunningRegistry } from '../../env/registry';
import { buildImageFromHostFiles, pushImage, sha256, skopeoRaw, startHarness, type BuiltImage, type Harness } from './harness';
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
  const plan = await harness.call('promotion.plan', { source: `${proxy.host}/src/app:1.0`, target: `${proxy.host}/dst/app:1.0` });
  expect(plan.strategy).toBe('mount');

  const before = (await readRequestLog(registry.accessLogFile)).length;
  const result = await harness.call('promotion.execute', { source: `${proxy.host}/src/app:1.0`, target: `${proxy.host}/dst/app:1.0` });
  const sizes = image.blobs.reduce((sum, blob) => sum + blob.size, 0);
  expect(result).toMatchObject({ digest: image.digest, blobsMounted: 0, blobsCopied: image.blobs.length, bytesCopied: sizes });
  expect(proxy.seen.filter((line) => line.startsWith('POST') && line.includes('mount='))).toHaveLength(image.blobs.length);
  const during = (await readRequestLog(registry.accessLogFile)).slice(before);
  expect(during.filter((entry) => entry.method === 'PUT' && entry.path.startsWith('/v2/dst/app/blobs/uploads/') && entry.status === 201)).toHaveLength(image.blobs.length);
  expect(sha256(await skopeoRaw(`${registry.host}/dst/app:1.0`))).toBe(image.digest);
});

it('sends a blob in chunks when the target refuses it in one request (413), and the digest still matches', async () => {
  const proxy = await startInterposer(other, { maxBodyBytes: 36 * MiB });
  proxies.push(proxy);
  const result = await harness.call('promotion.execute', { source: `${registry.host}/src/app:1.0`, target: `${proxy.host}/chunked/app:1.0` });
  expect(result).toMatchObject({ digest: image.digest, blobsCopied: image.blobs.length });
  const large = image.blobs.find((blob) => blob.size > 36 * MiB)!;
  expect(large).toBeDefined();
  const uploads = proxy.seen.filter((line) => line.includes('/v2/chunked/app/blobs/uploads/'));
  // The large blob: one refused PUT, then PATCH chunks and a closing PUT; the small ones in one PUT each.
  expect(uploads.filter((line) => line.startsWith('PATCH')).length).toBeGreaterThanOrEqual(2);
  expect(uploads.filter((line) => line.startsWith('PUT') && line.includes(encodeURIComponent(large.digest))).length).toBe(2);
  expect(sha256(await skopeoRaw(`${other.host}/chunked/app:1.0`))).toBe(image.digest);
});
