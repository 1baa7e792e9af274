/** Pushes a one-layer OCI image (a fixture layer) to a test registry, for ranged-read tests and benches. */
import { SeedPusher } from '../../env/pusher';
import { imageOf, type FixtureLayer } from '../../unit/layers/fixtures';

export async function pushLayerImage(
  host: string,
  repository: string,
  tag: string,
  layer: FixtureLayer,
): Promise<{ ref: string; digest: string; size: number }> {
  const pusher = new SeedPusher({ host });
  const blob = await pusher.pushBlob(repository, layer.blob);
  const config = await pusher.pushBlob(repository, imageOf([layer]).config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: layer.mediaType, ...blob }],
    }),
  );
  await pusher.pushManifest(repository, tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { ref: `${host}/${repository}:${tag}`, ...blob };
}
