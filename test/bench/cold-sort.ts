/**
 * The whole-repository date sort's fetch, without the UI around it, against the bare fetch of the same
 * documents: Berth's tag details of every tag of the 2,000-tag repository (the services the UI calls, in
 * this process, on an empty cache folder) vs one `curl --parallel` at Berth's concurrency, GET of each
 * tag's manifest, then GET of each distinct config. Also the same call warm, and the requests per tag of
 * each side, from the registry's access log.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createRegistryClient } from '../../src/main/registry';
import { createRegistryBrowser } from '../../src/main/registry/browser';
import { SEED } from '../env/seed';
import { row, type BenchContext, type BenchRow } from './types';

/** The browser's tag-details concurrency (src/main/registry/browser.ts). */
const BERTH_CONCURRENCY = 8;
const execFileAsync = promisify(execFile);
const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/**
 * One `curl --parallel` at Berth's concurrency over all `transfers` (URL and output file): the bare fetch,
 * with connection reuse like Berth's (a curl process per request would measure process starts instead).
 */
async function curlAll(
  dir: string,
  name: string,
  transfers: { url: string; output: string }[],
  headers: string[] = [],
) {
  const config = join(dir, `${name}.curlrc`);
  await writeFile(
    config,
    [
      ...headers.map((header) => `header = "${header}"`),
      ...transfers.flatMap(({ url, output }) => [`url = "${url}"`, `output = "${output}"`]),
    ].join('\n'),
  );
  await execFileAsync('curl', ['-sf', '--parallel', '--parallel-max', String(BERTH_CONCURRENCY), '-K', config], {
    maxBuffer: 1 << 26,
  });
}

export async function benchColdSort(ctx: BenchContext): Promise<BenchRow[]> {
  const host = ctx.registry.host;
  const repository = SEED.manyTags.repository;
  const tags = SEED.manyTags.tags.map((tag) => tag.name);
  const requestsSince = async (count: number) => (await ctx.registry.requestLog()).slice(count);

  // Reference first: fetch every manifest to a file, then every distinct config.
  const dir = join(ctx.tmpDir, 'cold-sort-curl');
  await mkdir(dir, { recursive: true });
  let logged = (await ctx.registry.requestLog()).length;
  const curlStarted = performance.now();
  await curlAll(
    dir,
    'manifests',
    tags.map((tag, i) => ({
      url: `${ctx.registry.url}/v2/${repository}/manifests/${tag}`,
      output: join(dir, String(i)),
    })),
    [`Accept: ${ACCEPT}`],
  );
  const configs = new Set<string>();
  for (let i = 0; i < tags.length; i++) {
    const manifest = JSON.parse(await readFile(join(dir, String(i)), 'utf8')) as { config?: { digest: string } };
    if (manifest.config) configs.add(manifest.config.digest);
  }
  await curlAll(
    dir,
    'configs',
    [...configs].map((digest) => ({
      url: `${ctx.registry.url}/v2/${repository}/blobs/${digest}`,
      output: '/dev/null',
    })),
  );
  const curlMs = performance.now() - curlStarted;
  const curlRequests = (await requestsSince(logged)).length;

  // Berth: the browser (what the UI's sort calls) on an empty cache folder (cold), then again (warm: the
  // index by digest). The client and browser alone: the date sort needs nothing else of the services.
  const client = createRegistryClient({ credentials: async () => undefined });
  const browser = createRegistryBrowser({
    client,
    resolveRegistry: (id) => ({ id, host: id }),
    cacheDir: join(ctx.tmpDir, 'cold-sort-cache'),
  });
  let coldMs: number;
  let warmMs: number;
  let revalidateMs: number;
  let berthRequests: number;
  try {
    logged = (await ctx.registry.requestLog()).length;
    const coldStarted = performance.now();
    const cold = await browser.tagDetails(host, repository, tags);
    coldMs = performance.now() - coldStarted;
    berthRequests = (await requestsSince(logged)).length;
    const dated = cold.filter((detail) => detail.created !== undefined).length;
    if (dated !== tags.length) throw new Error(`berth dated ${dated} of ${tags.length} tags`);
    // Warm, as the UI does it: the index's details at once (stale-while-revalidate), then a revalidation
    // (a HEAD per tag, no GET) in the background.
    const warmStarted = performance.now();
    const warm = await browser.tagDetails(host, repository, tags, { cachedOnly: true });
    warmMs = performance.now() - warmStarted;
    if (warm.length !== tags.length) throw new Error(`the warm index knew ${warm.length} of ${tags.length} tags`);
    const revalidateStarted = performance.now();
    await browser.tagDetails(host, repository, tags);
    revalidateMs = performance.now() - revalidateStarted;
  } finally {
    await browser.close();
    await client.close();
  }
  const perTag = (requests: number) => (requests / tags.length).toFixed(2);
  ctx.log(
    `cold sort: berth ${coldMs.toFixed(0)} ms (${berthRequests} requests), curl ${curlMs.toFixed(0)} ms (${curlRequests} requests, ${configs.size} configs), warm ${warmMs.toFixed(0)} ms`,
  );
  return [
    row(
      `tag details of ${tags.length} tags, cold vs curl --parallel-max ${BERTH_CONCURRENCY}`,
      coldMs,
      curlMs,
      `goal <= 1.2x and < 10 s; requests per tag: berth ${perTag(berthRequests)}, curl ${perTag(curlRequests)} (1 + ${configs.size} configs / ${tags.length} tags = ${(1 + configs.size / tags.length).toFixed(2)})`,
    ),
    row(
      `tag details of ${tags.length} tags, warm (from the index) vs 1 s target`,
      warmMs,
      1000,
      `goal < 1 s; the background revalidation (a HEAD per tag) then took ${revalidateMs.toFixed(0)} ms`,
    ),
  ];
}
