// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import {
  BERTH_IMAGE_TYPE,
  carriesImage,
  readDraggedImage,
  writeDraggedImage,
  type DraggedImage,
} from '../../../src/renderer/views/promote/drag';
import { dropTargetOfRoute, dropTargetReference } from '../../../src/renderer/views/promote/drop-targets';
import {
  laneRest,
  normalizeNamespace,
  registryTarget,
  repositoryTarget,
  rewriteTag,
  stageIndexOf,
  stageTarget,
} from '../../../src/renderer/views/promote/targets';
import type { PromotionLane } from '../../../src/shared/types/promotion';

const HOST = '127.0.0.1:5000';
const lane: PromotionLane = {
  name: 'main',
  stages: [
    { name: 'dev', registryId: 'r1', namespace: 'dev/' },
    { name: 'test', registryId: 'r1', namespace: 'test' },
    { name: 'prod', registryId: 'r2', namespace: '/prod-eu/' },
  ],
  tagRewrites: [
    { from: '^(.*)-rc\\d+$', to: '$1', toStage: 'prod' },
    { from: '([', to: 'never' },
  ],
};
const image = (repository: string, tag = '1.0.0', registryId = 'r1'): DraggedImage => ({
  reference: `${HOST}/${repository}:${tag}`,
  registryId,
  repository,
  tag,
  digest: '',
});

describe('promotion targets', () => {
  it('normalises namespaces the way the lanes settings do', () => {
    expect(['dev', 'dev/', '/dev/', ' dev '].map(normalizeNamespace)).toEqual(['dev/', 'dev/', 'dev/', 'dev/']);
    expect(normalizeNamespace('')).toBe('');
  });

  it('finds the stage holding an image, matching registry and namespace', () => {
    expect(stageIndexOf(lane, image('dev/app'))).toBe(0);
    expect(stageIndexOf(lane, image('test/team/app'))).toBe(1);
    expect(stageIndexOf(lane, image('prod-eu/app', '1', 'r2'))).toBe(2);
    // Same namespace in another registry, or the namespace itself, is not in the lane.
    expect(stageIndexOf(lane, image('prod-eu/app', '1', 'r1'))).toBe(-1);
    expect(stageIndexOf(lane, image('dev'))).toBe(-1);
    expect(laneRest(lane, image('test/team/app'))).toBe('team/app');
    expect(laneRest(lane, image('other/app'))).toBe('other/app');
  });

  it('names the target of a drop on a stage, rewriting the tag for that stage only', () => {
    expect(stageTarget(lane, lane.stages[1]!, image('dev/app', '2.0.0-rc3'), HOST)).toEqual({
      reference: `${HOST}/test/app:2.0.0-rc3`,
      repository: 'test/app',
      tag: '2.0.0-rc3',
    });
    expect(stageTarget(lane, lane.stages[2]!, image('dev/app', '2.0.0-rc3'), 'registry.example.com').reference).toBe(
      'registry.example.com/prod-eu/app:2.0.0',
    );
    expect(rewriteTag('latest', lane.tagRewrites, 'prod')).toBe('latest');
  });

  it('names the target of a drop on a repository or a registry', () => {
    expect(repositoryTarget(image('dev/app', '1.1.0'), HOST, 'prod/app')).toBe(`${HOST}/prod/app:1.1.0`);
    expect(registryTarget(image('dev/app', '1.1.0'), 'ghcr.io')).toBe('ghcr.io/dev/app:1.1.0');
  });
});

describe('drag payload', () => {
  it('round-trips through DataTransfer and rejects malformed payloads', () => {
    const store = new Map<string, string>();
    const data = {
      get types() {
        return [...store.keys()];
      },
      effectAllowed: 'none',
      setData: (type: string, value: string) => store.set(type, value),
      getData: (type: string) => store.get(type) ?? '',
    } as unknown as DataTransfer;
    const dragged = { ...image('dev/app'), digest: `sha256:${'a'.repeat(64)}` };
    writeDraggedImage(data, dragged);
    expect(carriesImage(data)).toBe(true);
    expect(data.getData('text/plain')).toBe(dragged.reference);
    expect(readDraggedImage(data)).toEqual(dragged);

    store.set(BERTH_IMAGE_TYPE, '{not json');
    expect(readDraggedImage(data)).toBeUndefined();
    store.set(BERTH_IMAGE_TYPE, JSON.stringify({ reference: 'x' }));
    expect(readDraggedImage(data)).toBeUndefined();
    expect(readDraggedImage(null)).toBeUndefined();
    expect(carriesImage(null)).toBe(false);
  });
});

describe('sidebar drop targets', () => {
  const dropped = { ...image('dev/team/app', '1.2.0'), digest: '' };
  it('reads a sidebar node’s route as a drop target', () => {
    expect(dropTargetOfRoute({ view: 'repository', registryId: 'r2', repository: 'prod/app' })).toEqual({
      kind: 'repository',
      registryId: 'r2',
      repository: 'prod/app',
    });
    expect(dropTargetOfRoute({ view: 'registry', registryId: 'r2', namespace: 'prod' })).toEqual({
      kind: 'namespace',
      registryId: 'r2',
      namespace: 'prod',
    });
    expect(dropTargetOfRoute({ view: 'registry', registryId: 'r2' })).toEqual({ kind: 'registry', registryId: 'r2' });
    expect(dropTargetOfRoute({ view: 'lanes' })).toBeUndefined();
  });

  it('names the target: same tag in a repository, the repository name under a namespace, the same path in a registry', () => {
    expect(
      dropTargetReference({ kind: 'repository', registryId: 'r2', repository: 'prod/app' }, dropped, 'ghcr.io'),
    ).toBe('ghcr.io/prod/app:1.2.0');
    expect(dropTargetReference({ kind: 'namespace', registryId: 'r2', namespace: 'prod/' }, dropped, HOST)).toBe(
      `${HOST}/prod/app:1.2.0`,
    );
    expect(dropTargetReference({ kind: 'registry', registryId: 'r2' }, dropped, 'ghcr.io')).toBe(
      'ghcr.io/dev/team/app:1.2.0',
    );
  });
});
