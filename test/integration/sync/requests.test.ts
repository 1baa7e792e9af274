/**
 * What a full sync asks the registries, counted from their access logs: tags sharing a base layer are
 * planned with each question asked once per sync (a blob shared by every tag is HEADed no more often than a
 * blob of one tag; a new tag's absence is known from the tag list), and the counts are printed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SyncRule } from '../../../src/shared/types/sync';
import { TreeBuilder } from '../../env/layers';
import { readRequestLog, type RequestLogEntry } from '../../env/registry';
import { pushTreeImage } from '../../env/unique-image';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';

const world = inject('world');
const source = world.basic;
const target = world.anonymous;
const sourcePush = { host: source.host, username: source.users[0]!.username, password: source.users[0]!.password };
// SYNC_COUNT_TAGS=50 measures the size of the benchmark (the counts are printed).
const TAGS = Number(process.env.SYNC_COUNT_TAGS ?? 12);

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness([source]);
});
afterAll(async () => {
  await harness?.close();
});

function kind(entry: RequestLogEntry): string {
  const what = /\/blobs\/uploads\//.test(entry.path)
    ? 'upload'
    : /\/blobs\//.test(entry.path)
      ? 'blob'
      : /\/manifests\//.test(entry.path)
        ? 'manifest'
        : /\/tags\/list/.test(entry.path)
          ? 'tags'
          : 'other';
  return `${entry.method} ${what}`;
}

function breakdown(entries: RequestLogEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of entries) counts[kind(entry)] = (counts[kind(entry)] ?? 0) + 1;
  return counts;
}

describe('requests of a full sync', () => {
  it('asks each question once: a shared blob is HEADed as often as a blob of one tag, a new tag not to plan', async () => {
    const namespace = uniqueName('scratch-sync');
    const out = uniqueName('scratch-mirror');
    const base = new TreeBuilder().file('/base.bin', randomBytes(32 * 1024));
    for (let index = 0; index < TAGS; index++) {
      const own = new TreeBuilder().file(`/own/${index}.bin`, randomBytes(8 * 1024));
      await pushTreeImage(sourcePush, `${namespace}/app`, `1.${index}.0`, [base, own]);
    }
    const marks = {
      source: (await readRequestLog(source.accessLogFile)).length,
      target: (await readRequestLog(target.accessLogFile)).length,
    };
    const rule: SyncRule = {
      name: 'count',
      source: `${source.host}/${namespace}/app`,
      target: `${target.host}/${out}/app`,
      referrers: true,
      mode: 'copy',
      delete: false,
    };
    const result = await harness.call('sync.run', { rule });
    expect(result.failures).toEqual([]);
    expect(result.tags.filter((tag) => tag.action === 'new')).toHaveLength(TAGS);
    const atSource = (await readRequestLog(source.accessLogFile)).slice(marks.source);
    const atTarget = (await readRequestLog(target.accessLogFile))
      .slice(marks.target)
      .filter((entry) => entry.path.startsWith(`/v2/${out}/`) || !entry.path.startsWith('/v2/scratch'));
    console.log(
      `full sync of ${TAGS} tags: source ${atSource.length} requests ${JSON.stringify(breakdown(atSource))}; target ${atTarget.length} requests ${JSON.stringify(breakdown(atTarget))}`,
    );
    const blobHeads = new Map<string, number>();
    for (const entry of atTarget.filter((e) => e.method === 'HEAD' && /\/blobs\/sha256:/.test(e.path)))
      blobHeads.set(entry.path, (blobHeads.get(entry.path) ?? 0) + 1);
    // The base layer is in every tag, yet HEADed no more than a layer of one tag: once to plan (asked once
    // per sync, not per tag), then by the transfer (before its upload, and to verify it landed).
    expect(blobHeads.size).toBe(2 * TAGS + 1);
    expect(new Set(blobHeads.values())).toEqual(new Set([3]));
    // A new tag's absence is known from the tag list: the plan does not HEAD it; only the executor does,
    // right before tagging and to verify after.
    const tagHeads = atTarget.filter((e) => e.method === 'HEAD' && /\/manifests\/1\.\d+\.0$/.test(e.path));
    expect(tagHeads).toHaveLength(2 * TAGS);
  });
});
