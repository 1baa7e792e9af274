/**
 * Sync between two of the world's registries (basic-auth source, anonymous target), through the real
 * dispatcher: a `prod-*` filter copies exactly its tags with equal digests; a re-run is all `same` with
 * HEADs only in both registries' access logs; copy mode leaves a hand-changed tag `differs`, mirror
 * overwrites it (and deletes with `delete`); multi-arch and referrers follow the rule; every write is
 * audited. Sources live under a namespace of this file's own; the seeded repositories are only read.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SyncRule } from '../../../src/shared/types/sync';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { runCli } from '../../env/cli';
import { failure } from '../../env/failure';
import { TreeBuilder } from '../../env/layers';
import { readRequestLog, type RequestLogEntry } from '../../env/registry';
import { pushTreeImage } from '../../env/unique-image';
import {
  buildImageFromHostFiles,
  pushImage,
  startHarness,
  tagDigest,
  uniqueName,
  type Harness,
} from '../promotion/harness';

const world = inject('world');
const source = world.basic;
const target = world.anonymous;
const sourcePush = { host: source.host, username: source.users[0]!.username, password: source.users[0]!.password };
const seed = world.seed;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness([source]);
});
afterAll(async () => {
  await harness?.close();
});

/** Images that share a base layer (so blobs repeat across tags) and have one layer of their own each. */
async function pushTags(
  repository: string,
  tags: string[],
  base = new TreeBuilder().file('/base.bin', randomBytes(32 * 1024)),
): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const tag of tags) {
    const own = new TreeBuilder().file(`/own/${tag}.bin`, randomBytes(16 * 1024));
    digests.set(tag, (await pushTreeImage(sourcePush, repository, tag, [base, own])).digest);
  }
  return digests;
}

async function tagsAt(repository: string): Promise<string[]> {
  const response = await fetch(`${target.url}/v2/${repository}/tags/list`, { signal: AbortSignal.timeout(30_000) });
  if (response.status === 404) return [];
  return (((await response.json()) as { tags: string[] | null }).tags ?? []).sort();
}

/** What the registries logged for paths under these namespaces, from `marks` on. */
async function traffic(namespaces: string[], marks: { source: number; target: number }) {
  const under = (entry: RequestLogEntry) => namespaces.some((namespace) => entry.path.startsWith(`/v2/${namespace}/`));
  return [
    ...(await readRequestLog(source.accessLogFile)).slice(marks.source).filter(under),
    ...(await readRequestLog(target.accessLogFile)).slice(marks.target).filter(under),
  ];
}

async function marks() {
  return {
    source: (await readRequestLog(source.accessLogFile)).length,
    target: (await readRequestLog(target.accessLogFile)).length,
  };
}

function rule(fields: Partial<SyncRule> & Pick<SyncRule, 'source' | 'target'>): SyncRule {
  return { name: 'test', referrers: true, mode: 'copy', delete: false, ...fields };
}

describe('a prod-* rule between two registries', () => {
  const namespace = uniqueName('scratch-sync');
  const mirror = `${uniqueName('scratch-mirror')}/prod`;
  let digests: Map<string, string>;
  const prodRule = () =>
    rule({ source: `${source.host}/${namespace}/`, target: `${target.host}/${mirror}/`, tags: 'prod-*' });

  beforeAll(async () => {
    digests = await pushTags(`${namespace}/app`, ['prod-1', 'prod-2', 'prod-3', 'dev-1', 'latest']);
  });

  it('plans before writing: three new tags, bytes counted once per blob, nothing written', async () => {
    const before = await marks();
    const plan = await harness.call('sync.plan', { rule: prodRule() });
    expect(plan.tags.map((tag) => [tag.repository, tag.tag, tag.action, tag.digest])).toEqual(
      ['prod-1', 'prod-2', 'prod-3'].map((tag) => [`${mirror}/app`, tag, 'new', digests.get(tag)]),
    );
    // The shared base layer is counted once: 1 base + 3 own layers + 3 configs.
    expect(plan.blobsToCopy).toBe(7);
    expect(plan.bytesToCopy).toBeGreaterThan(32 * 1024 + 3 * 16 * 1024);
    const writes = (await traffic([namespace, mirror], before)).filter(
      (entry) => !['GET', 'HEAD'].includes(entry.method),
    );
    expect(writes).toEqual([]);
  });

  it('copies exactly the matching tags with equal digests, audited, and reports per-tag progress', async () => {
    const events: OperationProgress[] = [];
    const result = await harness.call('sync.run', { rule: prodRule() }, (event) => events.push(event));
    expect(result.failures).toEqual([]);
    expect(result.tags.every((tag) => tag.action === 'new')).toBe(true);
    // Each blob once: the base layer goes up once for three tags.
    expect(result.blobsCopied).toBe(7);
    expect(await tagsAt(`${mirror}/app`)).toEqual(['prod-1', 'prod-2', 'prod-3']);
    for (const tag of ['prod-1', 'prod-2', 'prod-3'])
      expect(await tagDigest(target, `${mirror}/app`, tag)).toBe(digests.get(tag));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ done: true, status: 'Done', kind: 'sync' });
    expect(last.items?.map((item) => item.id).sort()).toEqual(
      ['prod-1', 'prod-2', 'prod-3'].map((tag) => `${mirror}/app:${tag}`),
    );
    const audit = await harness.call('promotion.audit', { query: `${mirror}/app:prod-`, limit: 10 });
    expect(audit.map((entry) => entry.target).sort()).toEqual(
      ['prod-1', 'prod-2', 'prod-3'].map((tag) => `${target.host}/${mirror}/app:${tag}`),
    );
    expect(audit.every((entry) => entry.outcome === 'success' && entry.message === 'sync test')).toBe(true);
  });

  it('re-run: all same, and both registries saw HEADs only for manifests and blobs (no GET, no write)', async () => {
    const before = await marks();
    const result = await harness.call('sync.run', { rule: prodRule() });
    expect(result.tags.map((tag) => tag.action)).toEqual(['same', 'same', 'same']);
    expect(result).toMatchObject({
      blobsCopied: 0,
      blobsMounted: 0,
      bytesCopied: 0,
      manifestsWritten: 0,
      failures: [],
    });
    const seen = await traffic([namespace, mirror], before);
    const contentRequests = seen.filter((entry) => /\/(manifests|blobs)\//.test(entry.path));
    expect(contentRequests.length).toBeGreaterThan(0);
    expect(contentRequests.filter((entry) => entry.method !== 'HEAD')).toEqual([]);
    expect(seen.filter((entry) => entry.method !== 'HEAD' && entry.method !== 'GET')).toEqual([]);
    expect(seen.filter((entry) => entry.method === 'GET').every((entry) => entry.path.includes('/tags/list'))).toBe(
      true,
    );
  });

  it('copy mode leaves a hand-changed target tag alone as `differs`; mirror overwrites it', async () => {
    const hand = await pushTreeImage({ host: target.host }, `${mirror}/app`, 'prod-2', [
      new TreeBuilder().file('/hand.txt', 'changed by hand\n'),
    ]);
    const copied = await harness.call('sync.run', { rule: prodRule() });
    expect(copied.tags.find((tag) => tag.tag === 'prod-2')).toMatchObject({
      action: 'differs',
      digest: digests.get('prod-2'),
      targetDigest: hand.digest,
    });
    expect(copied.failures).toEqual([]);
    expect(await tagDigest(target, `${mirror}/app`, 'prod-2')).toBe(hand.digest);

    const mirrored = await harness.call('sync.run', { rule: { ...prodRule(), mode: 'mirror' } });
    expect(mirrored.tags.find((tag) => tag.tag === 'prod-2')).toMatchObject({
      action: 'overwrite',
      targetDigest: hand.digest,
    });
    expect(mirrored.failures).toEqual([]);
    expect(await tagDigest(target, `${mirror}/app`, 'prod-2')).toBe(digests.get('prod-2'));
  });

  it('onlyTags (the selected cells of the matrix) narrows the rule to those tags, still within its filter', async () => {
    const plan = await harness.call('sync.plan', { rule: prodRule(), onlyTags: ['prod-3', 'dev-1'] });
    expect(plan.tags.map((tag) => tag.tag)).toEqual(['prod-3']);
  });

  it('mirror with delete removes target tags gone at the source, only those the filter covers', async () => {
    const extra = await pushTreeImage({ host: target.host }, `${mirror}/app`, 'prod-gone', [
      new TreeBuilder().file('/gone.txt', `gone ${randomBytes(8).toString('hex')}\n`),
    ]);
    await pushTreeImage({ host: target.host }, `${mirror}/app`, 'keep-me', [
      new TreeBuilder().file('/keep.txt', `keep ${randomBytes(8).toString('hex')}\n`),
    ]);
    const plan = await harness.call('sync.plan', { rule: { ...prodRule(), mode: 'mirror', delete: true } });
    expect(plan.tags.filter((tag) => tag.action === 'delete')).toEqual([
      expect.objectContaining({ tag: 'prod-gone', digest: extra.digest }),
    ]);
    const result = await harness.call('sync.run', { rule: { ...prodRule(), mode: 'mirror', delete: true } });
    expect(result.failures).toEqual([]);
    expect(await tagsAt(`${mirror}/app`)).toEqual(['keep-me', 'prod-1', 'prod-2', 'prod-3']);
  });
});

describe('which repositories and tags a rule takes', () => {
  const namespace = uniqueName('scratch-sync');

  beforeAll(async () => {
    await pushTags(`${namespace}/api`, ['1.0.0', '1.2.0', '1.10.0']);
    await pushTags(`${namespace}/web`, ['blue', 'green', 'red']);
    await pushTags(`${namespace}/worker`, ['1.0.0']);
  });

  it('a repository glob takes the repositories it matches, each under the rewritten namespace', async () => {
    const plan = await harness.call('sync.plan', {
      rule: rule({ source: `${source.host}/${namespace}/w*`, target: `${target.host}/copy-${namespace}/` }),
    });
    expect([...new Set(plan.tags.map((tag) => `${tag.sourceRepository} -> ${tag.repository}`))]).toEqual([
      `${namespace}/web -> copy-${namespace}/web`,
      `${namespace}/worker -> copy-${namespace}/worker`,
    ]);
  });

  it("latest N orders versions by semver, other tags by the images' dates", async () => {
    const versions = await harness.call('sync.plan', {
      rule: rule({ source: `${source.host}/${namespace}/api`, target: `${target.host}/x-${namespace}/api`, latest: 2 }),
    });
    expect(versions.tags.map((tag) => tag.tag)).toEqual(['1.10.0', '1.2.0']);
    // pushTags pushes in order, so the last tag has the newest `created`.
    const dated = await harness.call('sync.plan', {
      rule: rule({ source: `${source.host}/${namespace}/web`, target: `${target.host}/x-${namespace}/web`, latest: 1 }),
    });
    expect(dated.tags.map((tag) => tag.tag)).toEqual(['red']);
  });
});

describe('multi-arch and referrers follow the rule', () => {
  const subjectTag = ['1.0.0', '1.1.0'].find(
    (tag) => seed.manifests[`dev/app:${tag}`]!.digest === seed.referrers.subject.digest,
  )!;

  it('carries the referrers tag of a synced image, byte for byte, and its re-run is `same`', async () => {
    const repository = `${uniqueName('scratch-sync')}/app`;
    const withReferrers = rule({
      source: `${target.host}/dev/app`,
      target: `${source.host}/${repository}`,
      tags: subjectTag,
    });
    const result = await harness.call('sync.run', { rule: withReferrers });
    expect(result.failures).toEqual([]);
    expect(result.tags.map((tag) => [tag.tag, tag.action, tag.artifactOf])).toEqual([
      [subjectTag, 'new', undefined],
      [seed.referrers.fallbackTag, 'new', `dev/app:${subjectTag}`],
    ]);
    const again = await harness.call('sync.plan', { rule: withReferrers });
    expect(again.tags.map((tag) => tag.action)).toEqual(['same', 'same']);
    expect(again.tags[1]!.digest).toBe(seed.referrers.fallbackIndex.digest);
  });

  it('leaves referrers behind when the rule says so', async () => {
    const repository = `${uniqueName('scratch-sync')}/app`;
    const plan = await harness.call('sync.plan', {
      rule: rule({
        source: `${target.host}/dev/app`,
        target: `${source.host}/${repository}`,
        tags: subjectTag,
        referrers: false,
      }),
    });
    expect(plan.tags.map((tag) => tag.tag)).toEqual([subjectTag]);
  });

  it('copies a whole index with its digest, or a platform subset as a new index that a re-run finds `same`', async () => {
    const whole = `${uniqueName('scratch-sync')}/multi`;
    const subset = `${uniqueName('scratch-sync')}/multi`;
    const all = await harness.call('sync.run', {
      rule: rule({ source: `${target.host}/dev/multi`, target: `${source.host}/${whole}` }),
    });
    expect(all.tags).toEqual([
      expect.objectContaining({ tag: '1.0', action: 'new', digest: seed.manifests['dev/multi:1.0']!.digest }),
    ]);
    const amd64 = rule({
      source: `${target.host}/dev/multi`,
      target: `${source.host}/${subset}`,
      platforms: ['linux/amd64'],
    });
    const some = await harness.call('sync.run', { rule: amd64 });
    expect(some.failures).toEqual([]);
    expect(some.tags[0]!.digest).not.toBe(seed.manifests['dev/multi:1.0']!.digest);
    const again = await harness.call('sync.plan', { rule: amd64 });
    expect(again.tags).toEqual([expect.objectContaining({ action: 'same', digest: some.tags[0]!.digest })]);
  });
});

describe('each blob once per target registry', () => {
  it('uploads a layer two repositories share once, and mounts it into the second', async () => {
    const namespace = uniqueName('scratch-sync');
    const out = uniqueName('scratch-mirror');
    const base = new TreeBuilder().file('/shared.bin', randomBytes(64 * 1024));
    await pushTags(`${namespace}/one`, ['1'], base);
    await pushTags(`${namespace}/two`, ['1'], base);
    const before = await marks();
    const result = await harness.call('sync.run', {
      rule: rule({ source: `${source.host}/${namespace}/`, target: `${target.host}/${out}/` }),
    });
    expect(result.failures).toEqual([]);
    // 1 shared layer + 2 own layers + 2 configs uploaded; the shared layer mounted into the other repository.
    expect(result).toMatchObject({ blobsCopied: 5, blobsMounted: 1 });
    const seen = await traffic([out], before);
    const uploads = seen.filter((entry) => entry.method === 'PUT' && entry.path.includes('/blobs/uploads/'));
    expect(uploads).toHaveLength(5);
    const mounts = seen.filter(
      (entry) => entry.method === 'POST' && entry.path.includes('mount=') && entry.status === 201,
    );
    expect(mounts).toHaveLength(1);
    const mounted = new URL(mounts[0]!.path, 'http://x').searchParams.get('mount');
    const digestOf = (entry: RequestLogEntry) => new URL(entry.path, 'http://x').searchParams.get('digest');
    expect(uploads.filter((entry) => digestOf(entry) === mounted)).toHaveLength(1);
  });
});

describe('running the plan shown', () => {
  it('refuses, names and leaves alone a tag whose source moved or whose target changed since the plan; runs the rest', async () => {
    const namespace = uniqueName('scratch-sync');
    const out = uniqueName('scratch-mirror');
    const digests = await pushTags(`${namespace}/app`, ['a', 'b', 'c']);
    const pinRule = rule({ source: `${source.host}/${namespace}/app`, target: `${target.host}/${out}/app` });
    const plan = await harness.call('sync.plan', { rule: pinRule });
    expect(plan.planHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(plan.tags.map((tag) => [tag.tag, tag.action, tag.sourceDigest, tag.targetDigest])).toEqual(
      ['a', 'b', 'c'].map((tag) => [tag, 'new', digests.get(tag), undefined]),
    );
    // Between the dry run and the run: `a` moves at the source, `c` appears at the target by hand.
    const moved = (await pushTags(`${namespace}/app`, ['a'])).get('a')!;
    const hand = await pushTreeImage({ host: target.host }, `${out}/app`, 'c', [
      new TreeBuilder().file('/hand.txt', 'pushed by hand\n'),
    ]);
    const result = await harness.call('sync.run', { rule: pinRule, plan });
    expect(result.failures.map((failure) => [failure.tag, failure.code])).toEqual([
      ['a', 'conflict'],
      ['c', 'conflict'],
    ]);
    expect(result.failures[0]!.message).toContain('the source moved since the plan');
    expect(result.failures[1]!.message).toContain('the target changed since the plan');
    expect(await tagDigest(target, `${out}/app`, 'a')).toBeNull();
    expect(await tagDigest(target, `${out}/app`, 'b')).toBe(digests.get('b'));
    expect(await tagDigest(target, `${out}/app`, 'c')).toBe(hand.digest);
    expect(moved).not.toBe(digests.get('a'));
    const [audit] = await harness.call('promotion.audit', { query: `${out}/app:a`, limit: 1 });
    expect(audit).toMatchObject({ outcome: 'refused' });

    // A plan edited after the fact (or of a rule changed since) is refused whole.
    const edited = { ...plan, tags: plan.tags.map((tag) => ({ ...tag, sourceDigest: moved })) };
    const error = await failure(harness.call('sync.run', { rule: pinRule, plan: edited }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('does not match its hash');
  });
});

describe('cancel', () => {
  it('stops a run midway with `cancelled`, audited; running it again completes', async () => {
    const namespace = uniqueName('scratch-sync');
    const out = uniqueName('scratch-mirror');
    // One small image that finishes at once, one whose large layer is still streaming when the cancel comes.
    await pushTags(`${namespace}/app`, ['a-small']);
    const big = await buildImageFromHostFiles([1024 * 1024, 150 * 1024 * 1024]);
    await pushImage(sourcePush, `${namespace}/app`, 'b-big', big);
    const cancelRule = rule({ source: `${source.host}/${namespace}/app`, target: `${target.host}/${out}/app` });
    const controller = new AbortController();
    const onProgress = (event: OperationProgress) => {
      if (event.items?.some((item) => item.status === 'Copied')) controller.abort();
    };
    const error = await failure(harness.call('sync.run', { rule: cancelRule }, onProgress, controller.signal));
    expect(error.code).toBe('cancelled');
    expect(await tagDigest(target, `${out}/app`, 'b-big')).toBeNull();
    const [audit] = await harness.call('promotion.audit', { query: `${out}/app:b-big`, limit: 1 });
    expect(audit).toMatchObject({ outcome: 'cancelled', digest: big.digest });

    const again = await harness.call('sync.run', { rule: cancelRule });
    expect(again.failures).toEqual([]);
    expect(again.tags.map((tag) => [tag.tag, tag.action])).toEqual([
      ['a-small', 'same'],
      ['b-big', 'new'],
    ]);
    expect(await tagDigest(target, `${out}/app`, 'b-big')).toBe(big.digest);
  });
});

describe('gates', () => {
  it('a tag entering a lane stage with gates passes them first: a failing gate is named, nothing is written', async () => {
    const namespace = uniqueName('scratch-sync');
    const gated = uniqueName('scratch-gated');
    const digests = await pushTags(`${namespace}/app`, ['prod-1']);
    const { id: registryId } = await harness.call('registries.add', {
      host: target.host,
      name: 'target',
      insecure: true,
    });
    await harness.call('promotion.setLanes', {
      lanes: [
        {
          name: 'gated',
          stages: [
            { name: 'test', registryId, namespace: `${gated}-test/` },
            { name: 'prod', registryId, namespace: `${gated}/`, gates: [{ kind: 'sbom' }] },
          ],
          tagRewrites: [],
        },
      ],
    });
    try {
      const gatedRule = rule({ source: `${source.host}/${namespace}/`, target: `${target.host}/${gated}/` });
      const plan = await harness.call('sync.plan', { rule: gatedRule });
      expect(plan.notes.join('\n')).toContain(`${gated}/app:prod-1: gated: SBOM attached (prod)`);
      const result = await harness.call('sync.run', { rule: gatedRule });
      expect(result.failures).toEqual([
        expect.objectContaining({ repository: `${gated}/app`, tag: 'prod-1', code: 'conflict' }),
      ]);
      expect(result.failures[0]!.message).toContain('SBOM attached (prod)');
      expect(await tagDigest(target, `${gated}/app`, 'prod-1')).toBeNull();
      const [audit] = await harness.call('promotion.audit', { query: `${gated}/app:prod-1`, limit: 1 });
      expect(audit).toMatchObject({ outcome: 'refused', digest: digests.get('prod-1') });
      expect(plan.tags[0]!.gated).toContain('SBOM attached (prod)');

      // Overridden with a reason: written, and the audit entry records the reason and the gate overridden.
      const overridden = await harness.call('sync.run', {
        rule: gatedRule,
        plan,
        override: { reason: 'hotfix INC-42, SBOM follows' },
      });
      expect(overridden.failures).toEqual([]);
      expect(await tagDigest(target, `${gated}/app`, 'prod-1')).toBe(digests.get('prod-1'));
      const [written] = await harness.call('promotion.audit', { query: `${gated}/app:prod-1`, limit: 1 });
      expect(written).toMatchObject({ outcome: 'success', override: { reason: 'hotfix INC-42, SBOM follows' } });
      expect(written!.override!.gates.map((gate) => [gate.gate.kind, gate.stage])).toEqual([['sbom', 'prod']]);

      // The CLI: refused naming the gate (exit 1), then written with --override REASON, audited.
      const cliDigest = (await pushTags(`${namespace}/app`, ['prod-2'])).get('prod-2');
      const cli = (...extra: string[]) =>
        runCli(['sync', `${source.host}/${namespace}/`, `${target.host}/${gated}/`, '--tags', 'prod-2', ...extra], {
          env: harness.env,
        });
      const refusedByCli = await cli();
      expect(refusedByCli.code).toBe(1);
      expect(refusedByCli.stderr).toMatch(/prod-2 failed: gated: SBOM attached \(prod\).*override with a reason/);
      expect(await tagDigest(target, `${gated}/app`, 'prod-2')).toBeNull();
      expect((await cli('--override', 'cli hotfix INC-43')).code).toBe(0);
      expect(await tagDigest(target, `${gated}/app`, 'prod-2')).toBe(cliDigest);
      const [cliAudit] = await harness.call('promotion.audit', { query: `${gated}/app:prod-2`, limit: 1 });
      expect(cliAudit).toMatchObject({ outcome: 'success', override: { reason: 'cli hotfix INC-43' } });
    } finally {
      await harness.call('promotion.setLanes', { lanes: [] });
    }
  });
});

describe('rules in the settings and bad input', () => {
  it('stores rules, plans one by name, and refuses an unknown name, a bad filter and a duplicate name', async () => {
    const stored = rule({
      name: 'nightly',
      source: `${target.host}/dev/app`,
      target: `${source.host}/scratch-sync-x/app`,
      tags: '1.*',
    });
    expect(await harness.call('sync.setRules', { rules: [stored] })).toEqual([stored]);
    expect(await harness.call('sync.rules', {})).toEqual([stored]);
    const plan = await harness.call('sync.plan', { ruleName: 'nightly' });
    expect(plan.tags.filter((tag) => tag.artifactOf === undefined).map((tag) => tag.tag)).toEqual(['1.0.0', '1.1.0']);
    expect((await failure(harness.call('sync.plan', { ruleName: 'nope' }))).message).toContain(
      'no sync rule named "nope"',
    );
    const badRegex = await failure(harness.call('sync.plan', { rule: { ...stored, tags: '/(/' } }));
    expect(badRegex).toMatchObject({ code: 'invalid_input' });
    expect(badRegex.message).toContain('not a valid regular expression');
    const duplicate = await failure(harness.call('sync.setRules', { rules: [stored, stored] }));
    expect(duplicate.code).toBe('invalid_input');
    const both = await failure(harness.call('sync.plan', { ruleName: 'nightly', rule: stored }));
    expect(both.code).toBe('invalid_input');
  });

  it('says when no repository matches the source', async () => {
    const error = await failure(
      harness.call('sync.plan', {
        rule: rule({ source: `${target.host}/no-such-namespace-here/`, target: `${source.host}/x/` }),
      }),
    );
    expect(error).toMatchObject({ code: 'not_found' });
    expect(error.message).toContain('No repository');
  });
});
