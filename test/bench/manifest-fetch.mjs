// The reference for `berth usage` in `npm run bench`: no cache, no index, just what any script would do to
// learn a plain-HTTP registry's storage: list the catalog and every tag list, GET every tag's manifest (and
// each index's children) with 8 requests in flight, and sum the distinct blobs per repository. Prints
// {"repositories":{name:{tags,bytes}},"totalBytes"} so the bench can check both tools agree. With --head it
// only HEADs every tag (what revalidating a cache of them costs at least) and prints the tag count.
// Usage: node manifest-fetch.mjs http://127.0.0.1:PORT [--head]
const base = process.argv[2];
const headOnly = process.argv[3] === '--head';
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const CONCURRENCY = 8;

async function json(path, headers = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    body: JSON.parse(bytes.toString('utf8')),
    size: bytes.length,
    digest: response.headers.get('docker-content-digest'),
    link: response.headers.get('link'),
  };
}

async function paged(path, key) {
  const items = [];
  for (let next = path; next;) {
    const page = await json(next);
    items.push(...(page.body[key] ?? []));
    next = page.link ? /<([^>]+)>/.exec(page.link)?.[1] : undefined;
  }
  return items;
}

async function pool(items, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

const sizes = new Map();
async function manifestBlobs(repository, reference, into) {
  const { body, size, digest } = await json(`/v2/${repository}/manifests/${reference}`, { accept: ACCEPT });
  sizes.set(digest, size);
  into.add(digest);
  for (const blob of [...(body.config ? [body.config] : []), ...(body.layers ?? [])]) {
    sizes.set(blob.digest, blob.size);
    into.add(blob.digest);
  }
  for (const child of body.manifests ?? []) await manifestBlobs(repository, child.digest, into);
}

if (headOnly) {
  let count = 0;
  for (const repository of await paged('/v2/_catalog?n=1000', 'repositories')) {
    const tags = await paged(`/v2/${repository}/tags/list?n=1000`, 'tags');
    await pool(tags, async (tag) => {
      const response = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { accept: ACCEPT },
      });
      if (!response.ok) throw new Error(`HEAD ${repository}:${tag}: HTTP ${response.status}`);
      count++;
    });
  }
  process.stdout.write(`${JSON.stringify({ tags: count })}\n`);
  process.exit(0);
}

const repositories = {};
let totalBytes = 0;
const all = new Set();
for (const repository of await paged('/v2/_catalog?n=1000', 'repositories')) {
  const tags = await paged(`/v2/${repository}/tags/list?n=1000`, 'tags');
  const blobs = new Set();
  await pool(tags, (tag) => manifestBlobs(repository, tag, blobs));
  let bytes = 0;
  for (const digest of blobs) bytes += sizes.get(digest);
  repositories[repository] = { tags: tags.length, bytes };
  for (const digest of blobs) all.add(digest);
}
for (const digest of all) totalBytes += sizes.get(digest);
process.stdout.write(`${JSON.stringify({ repositories, totalBytes })}\n`);
