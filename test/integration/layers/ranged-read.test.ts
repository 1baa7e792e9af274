/**
 * Reading one file of a registry gzip layer with HTTP Range (issue 19 part 4), on the world's real registry:
 * the first read builds the layer's gzip checkpoints, later reads fetch a small byte range; a damaged
 * checkpoint file is detected and rebuilt; a registry that ignores Range (a proxy that drops the header)
 * gets the layer streamed, and `--debug` (the logger's echo) says so.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackend, type Backend } from '../../../src/main/api/backend';
import { createSessionSecretStore } from '../../../src/main/credentials';
import { decodeSeekIndex } from '../../../src/main/layers/seek-index';
import { readRequestLog } from '../../env/registry';
import { layerOf, words } from '../../unit/layers/fixtures';
import { pushLayerImage } from './push-layer-image';

const world = inject('world');
const registry = world.anonymous.host;
const repository = 'perf/ranged-read';

const target = words(50_000, 99);
let layerDigest: string;
let layerSize: number;
let ref: string;

async function pushImage(): Promise<void> {
  const entries = Array.from({ length: 12 }, (_, index) => ({
    name: `data/part-${index}.txt`,
    content: words(3 * 1024 * 1024, index + 1),
  }));
  // The wanted file in the middle of the layer, after about 20 MiB of other content.
  entries.splice(7, 0, { name: 'data/target.txt', content: target });
  const layer = await layerOf(entries, 'gzip');
  const pushed = await pushLayerImage(registry, repository, 'one', layer);
  layerDigest = pushed.digest;
  layerSize = pushed.size;
  ref = pushed.ref;
}

let home: string;
let backend: Backend;
const echo = new PassThrough();
let echoed = '';
echo.on('data', (chunk: Buffer) => (echoed += chunk.toString('utf8')));

async function openBackend(): Promise<Backend> {
  return createBackend({
    transport: 'serve',
    env: {
      PATH: process.env.PATH,
      HOME: home,
      BERTH_CONFIG_DIR: join(home, 'config'),
      BERTH_CACHE_DIR: join(home, 'cache'),
    },
    secrets: createSessionSecretStore(),
    logEcho: echo,
  });
}

function seekFile(): string {
  return join(home, 'cache', 'layers', 'seek', 'sha256', `${layerDigest.slice('sha256:'.length)}.gzx`);
}

async function readTarget(reference = ref): Promise<string> {
  const content = await backend.services.layers.readFile(reference, '/data/target.txt', 1024 * 1024);
  return content.content;
}

/**
 * Blob GETs of the layer since `since` entries of the access log, once `count` of them are there (the
 * registry logs a request when its response ends, later for a download the client cut short).
 */
async function layerRequests(since: number, count = 1) {
  for (let attempt = 0; ; attempt++) {
    const log = await readRequestLog(world.anonymous.accessLogFile);
    const found = log.slice(since).filter((entry) => entry.method === 'GET' && entry.path.includes(layerDigest));
    if (found.length >= count || attempt === 40) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-ranged-'));
  await pushImage();
  backend = await openBackend();
}, 120_000);

afterAll(async () => {
  await backend?.close();
  await rm(home, { recursive: true, force: true });
});

describe('ranged reads of one file of a gzip layer', () => {
  it('builds the checkpoints on the first read, then reads a small byte range, verified', async () => {
    const before = (await readRequestLog(world.anonymous.accessLogFile)).length;
    expect(await readTarget()).toBe(target.toString('utf8'));
    expect(echoed).toContain('no gzip checkpoints yet');
    const stored = decodeSeekIndex(await readFile(seekFile()));
    expect(stored?.checkpoints.length).toBeGreaterThan(3);

    const middle = (await readRequestLog(world.anonymous.accessLogFile)).length;
    expect(await readTarget()).toBe(target.toString('utf8'));
    const ranged = await layerRequests(middle);
    expect(ranged.map((entry) => entry.status)).toEqual([206]);
    expect(ranged[0]!.bytes).toBeGreaterThan(0);
    expect(ranged[0]!.bytes).toBeLessThan(layerSize / 5);
    // Indexing, then streaming the layer once for its checkpoints, then the two ranged reads.
    expect((await layerRequests(before, 4)).map((entry) => entry.status)).toEqual([200, 200, 206, 206]);
  }, 120_000);

  it('detects a damaged checkpoint file, rebuilds it and still answers the exact bytes', async () => {
    const file = seekFile();
    const good = await readFile(file);
    const damaged = Buffer.from(good);
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
    await writeFile(file, damaged);
    echoed = '';
    expect(await readTarget()).toBe(target.toString('utf8'));
    expect(echoed).toContain('damaged or outdated');
    const rebuilt = await readFile(file);
    expect(decodeSeekIndex(rebuilt)).toBeDefined();
    expect(createHash('sha256').update(rebuilt).digest('hex')).not.toBe(
      createHash('sha256').update(damaged).digest('hex'),
    );
  }, 120_000);

  describe('through a proxy that ignores Range', () => {
    let proxy: Server;
    let proxyHost: string;

    beforeAll(async () => {
      // A broken peer: forwards every request to the registry without its Range header, so blobs come back whole (200).
      proxy = createServer((incoming, outgoing) => {
        const headers = { ...incoming.headers, host: registry };
        delete headers.range;
        const [hostname, port] = registry.split(':');
        const forward = httpRequest(
          { hostname, port: Number(port), path: incoming.url, method: incoming.method, headers },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forward.on('error', () => outgoing.destroy());
        // Berth drops downloads it no longer needs: pass that on, so the registry ends (and logs) the request.
        outgoing.on('close', () => forward.destroy());
        incoming.pipe(forward);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    });

    it('streams the layer instead and says so in the debug log', async () => {
      echoed = '';
      const before = (await readRequestLog(world.anonymous.accessLogFile)).length;
      expect(await readTarget(`${proxyHost}/${repository}:one`)).toBe(target.toString('utf8'));
      expect(echoed).toContain('ignored the Range request');
      const requests = await layerRequests(before);
      expect(requests.map((entry) => entry.status)).toContain(200);
      expect(requests.map((entry) => entry.status)).not.toContain(206);
    }, 120_000);
  });
});
