/**
 * Drift seeded into the shared world for the matrix tests (integration, CLI, E2E). The world's three
 * registries serve one storage, so each registry's place is a namespace of its own, `NS/<mode>`:
 * `app:same` is one image everywhere, `app:drift` another image on the basic registry, `app:gone` is not
 * on the basic registry, and `lib:1.0` is on the anonymous registry only.
 */
import { buildTar, compress, sha256, TreeBuilder } from '../../env/layers';
import { SeedPusher, type PushTarget } from '../../env/pusher';
import type { World, WorldRegistry } from '../../env/world';

export interface TinyImage {
  digest: string;
  manifest: Buffer;
  blobs: Buffer[];
}

/** A one-layer image whose bytes depend on `label` only, so the same label has the same digest everywhere. */
export async function tinyImage(label: string): Promise<TinyImage> {
  const tar = await buildTar(new TreeBuilder().file('/label.txt', `${label}\n`).entries);
  const layer = await compress(tar, 'gzip');
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      config: {},
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
    }),
  );
  return { digest: sha256(manifest), manifest, blobs: [config, layer] };
}

function pushTarget(registry: WorldRegistry): PushTarget {
  const user = registry.users[0];
  return user ? { host: registry.host, username: user.username, password: user.password } : { host: registry.host };
}

export async function pushTiny(
  registry: WorldRegistry,
  repository: string,
  tag: string,
  image: TinyImage,
): Promise<void> {
  const pusher = new SeedPusher(pushTarget(registry));
  for (const blob of image.blobs) await pusher.pushBlob(repository, blob);
  await pusher.pushManifest(repository, tag, image.manifest, 'application/vnd.oci.image.manifest.v1+json');
}

/** The namespace standing for `registry` in a drift world under `ns`. */
export function placeOf(ns: string, registry: WorldRegistry): string {
  return `${ns}/${registry.mode}`;
}

export async function seedDrift(world: World, ns: string): Promise<{ v1: TinyImage; v2: TinyImage }> {
  const { anonymous, basic, token } = world;
  const [v1, v2] = await Promise.all([tinyImage(`${ns} v1`), tinyImage(`${ns} v2`)]);
  for (const registry of [anonymous, basic, token]) {
    const place = placeOf(ns, registry);
    await pushTiny(registry, `${place}/app`, 'same', v1);
    await pushTiny(registry, `${place}/app`, 'drift', registry === basic ? v2 : v1);
    if (registry !== basic) await pushTiny(registry, `${place}/app`, 'gone', v1);
  }
  await pushTiny(anonymous, `${placeOf(ns, anonymous)}/lib`, '1.0', v2);
  return { v1, v2 };
}
