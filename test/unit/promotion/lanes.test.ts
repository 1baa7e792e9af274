import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../../src/shared/errors';
import type { PromotionLane } from '../../../src/shared/types/promotion';
import { createSettingsStore } from '../../../src/main/credentials/settings-store';
import { nextStage, normalizeNamespace, rewriteTag, settingsLaneStore } from '../../../src/main/promotion/lanes';

const hosts: Record<string, string> = { a: 'registry-a.example:5000', b: 'registry-b.example' };
const hostOf = (id: string) => hosts[id];

const namespaces: PromotionLane = {
  name: 'release',
  stages: [
    { name: 'dev', registryId: 'a', namespace: 'dev/' },
    { name: 'test', registryId: 'a', namespace: 'test/' },
    { name: 'prod', registryId: 'a', namespace: 'prod/' },
  ],
  tagRewrites: [{ from: '^(.*)-rc\\d+$', to: '$1', toStage: 'prod' }],
};
const crossRegistry: PromotionLane = {
  name: 'mirror',
  stages: [
    { name: 'build', registryId: 'b', namespace: 'ci/' },
    { name: 'ship', registryId: 'a', namespace: 'shipped/' },
  ],
  tagRewrites: [{ from: '^v(.*)$', to: '$1' }],
};

function code(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(BerthError);
    return (error as BerthError).code;
  }
  return undefined;
}

describe('nextStage', () => {
  it('moves a tag to the next namespace in the same registry, keeping the repository below it', () => {
    expect(nextStage([namespaces], 'registry-a.example:5000/dev/team/app:1.2.0-rc1', 'release', hostOf)).toEqual({
      lane: 'release',
      fromStage: 'dev',
      stage: 'test',
      target: 'registry-a.example:5000/test/team/app:1.2.0-rc1',
    });
  });

  it('applies a rewrite rule only when promoting into its stage', () => {
    expect(nextStage([namespaces], 'registry-a.example:5000/test/app:1.2.0-rc1', 'release', hostOf).target).toBe(
      'registry-a.example:5000/prod/app:1.2.0',
    );
  });

  it('crosses registries and finds the lane when none is named', () => {
    expect(nextStage([namespaces, crossRegistry], 'registry-b.example/ci/app:v3.1', undefined, hostOf)).toMatchObject({
      lane: 'mirror',
      stage: 'ship',
      target: 'registry-a.example:5000/shipped/app:3.1',
    });
  });

  it('refuses the last stage, an unknown lane, a source in no stage and an untagged source', () => {
    expect(code(() => nextStage([namespaces], 'registry-a.example:5000/prod/app:1.0', 'release', hostOf))).toBe(
      'invalid_input',
    );
    expect(code(() => nextStage([namespaces], 'registry-a.example:5000/dev/app:1.0', 'nope', hostOf))).toBe(
      'not_found',
    );
    expect(code(() => nextStage([namespaces], 'registry-a.example:5000/other/app:1.0', undefined, hostOf))).toBe(
      'not_found',
    );
    expect(
      code(() =>
        nextStage([namespaces], `registry-a.example:5000/dev/app@sha256:${'a'.repeat(64)}`, undefined, hostOf),
      ),
    ).toBe('invalid_input');
  });

  it('names the problem when a stage points at a registry that is no longer configured', () => {
    const broken: PromotionLane = {
      ...namespaces,
      stages: [...namespaces.stages.slice(0, 2), { name: 'prod', registryId: 'gone', namespace: 'prod/' }],
    };
    expect(() => nextStage([broken], 'registry-a.example:5000/dev/app:1.0', 'release', hostOf)).toThrow(
      /registry "gone"/,
    );
  });

  it('asks for a lane name when two lanes hold the source', () => {
    const twin = { ...namespaces, name: 'twin' };
    expect(() => nextStage([namespaces, twin], 'registry-a.example:5000/dev/app:1.0', undefined, hostOf)).toThrow(
      /several lanes \(release, twin\)/,
    );
  });
});

describe('rewriteTag', () => {
  it('keeps the tag when no rule matches and refuses a rewrite that makes an invalid tag', () => {
    expect(rewriteTag('1.0', [{ from: '^x$', to: 'y' }], 'prod')).toBe('1.0');
    expect(code(() => rewriteTag('1.0', [{ from: '^.*$', to: '-bad' }], 'prod'))).toBe('invalid_input');
  });

  it('uses the first matching rule', () => {
    expect(
      rewriteTag(
        '1.0-rc2',
        [
          { from: 'rc2', to: 'one' },
          { from: 'rc', to: 'two' },
        ],
        'x',
      ),
    ).toBe('1.0-one');
  });
});

describe('settingsLaneStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-lanes-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores lanes in the settings file beside the registries, namespaces normalised', async () => {
    const settings = createSettingsStore({ configDir: dir });
    settings.updateRegistries(() => [
      {
        id: 'a',
        name: 'A',
        host: '127.0.0.1:5000',
        kind: 'distribution',
        insecure: false,
        environments: [],
        repositories: [],
      },
    ]);
    const store = settingsLaneStore(settings);
    expect(store.list()).toEqual([]);
    const saved = store.set([
      { ...namespaces, stages: namespaces.stages.map((stage) => ({ ...stage, namespace: stage.name })) },
    ]);
    expect(saved[0]!.stages.map((stage) => stage.namespace)).toEqual(['dev/', 'test/', 'prod/']);
    const file = JSON.parse(await readFile(settings.path, 'utf8')) as { registries: unknown[]; lanes: PromotionLane[] };
    expect(file.registries).toHaveLength(1);
    expect(file.lanes[0]!.name).toBe('release');
    // A second store on the same folder (the CLI beside the app) reads the same lanes.
    expect(settingsLaneStore(createSettingsStore({ configDir: dir })).list()).toEqual(saved);
  });

  it('refuses invalid lanes without writing, and reports a hand-broken lanes key', async () => {
    const settings = createSettingsStore({ configDir: dir });
    const store = settingsLaneStore(settings);
    const invalidRegex = { ...namespaces, tagRewrites: [{ from: '(', to: '' }] };
    expect(code(() => store.set([invalidRegex]))).toBe('invalid_input');
    expect(code(() => store.set([namespaces, namespaces]))).toBe('invalid_input');
    expect(code(() => store.set([{ ...namespaces, tagRewrites: [{ from: 'x', to: 'y', toStage: 'nowhere' }] }]))).toBe(
      'invalid_input',
    );
    expect(store.list()).toEqual([]);
    await writeFile(settings.path, JSON.stringify({ version: 1, registries: [], lanes: [{ name: 'x' }] }));
    expect(() => store.list()).toThrow(/lanes\[0\]/);
  });
});

it('normalizeNamespace accepts dev, dev/ and /dev/, and empty for the root', () => {
  expect(['dev', 'dev/', '/dev/', ' dev// '].map(normalizeNamespace)).toEqual(['dev/', 'dev/', 'dev/', 'dev/']);
  expect(normalizeNamespace('')).toBe('');
});
