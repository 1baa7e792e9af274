/**
 * A big image read from the engine (`docker-daemon:`, the engine's `GET /images/{name}/get` export) lists
 * exactly as its `docker save` archive does (`docker-archive:`). The export used to be read quadratically
 * (issue 13 m: 40 MB in 19 s, 200 MB not in 11 minutes); the time limit of the listing is far above what a
 * linear read needs here (seconds) and far below what the quadratic one took. Speed itself is measured in
 * `npm run bench` (layers), not asserted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { run } from '../../env/process';
import { openServices, type TestServices } from './harness';
import { importUsrImage, type UsrImage } from './usr-image';

const world = inject('world');
const MB = 1000 * 1000;

let work: string;
let image: UsrImage;
let archive: string;
/** Two services with caches of their own: neither listing may come from the other's indexes. */
let fromDaemon: TestServices;
let fromArchive: TestServices;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'berth-daemon-export-'));
  image = await importUsrImage(world.dockerd.host, 240 * MB);
  archive = join(work, 'saved.tar');
  await run('docker', ['-H', world.dockerd.host, 'save', '-o', archive, image.reference], { timeoutMs: 300_000 });
  fromDaemon = await openServices({ DOCKER_HOST: world.dockerd.host });
  fromArchive = await openServices({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
}, 600_000);

afterAll(async () => {
  await fromDaemon?.close();
  await fromArchive?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('an image of over 200 MB from the engine', () => {
  it('lists the same layers and files as its docker save archive', async () => {
    const daemon = `docker-daemon:${image.reference}`;
    const saved = `docker-archive:${archive}`;
    const layers = await fromDaemon.services.layers.listLayers(daemon);
    expect(layers).toHaveLength(1);
    expect(layers[0]!.sizeBytes).toBe(image.fileBytes);
    expect(layers[0]!.entryCount).toBe(image.entries);
    expect(layers).toEqual(await fromArchive.services.layers.listLayers(saved));

    const tree = { path: '/', recursive: true };
    const files = await fromDaemon.services.layers.list(daemon, tree);
    expect(files.length).toBeGreaterThan(1000);
    expect(files).toEqual(await fromArchive.services.layers.list(saved, tree));
  }, 60_000);
});
