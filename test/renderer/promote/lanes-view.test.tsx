// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { LanesView } from '../../../src/renderer/views/promote/LanesView';
import { PromoteDialog } from '../../../src/renderer/views/promote/PromoteDialog';
import { BERTH_IMAGE_TYPE } from '../../../src/renderer/views/promote/drag';
import type { PromotionLane, PromotionPlan } from '../../../src/shared/types/promotion';
import type { RegistryView } from '../../../src/shared/types/settings';
import { scriptedApi, scriptedRegistry, type ScriptedApi } from './scripted-api';

const HOST = '127.0.0.1:5000';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const registry = scriptedRegistry({ host: HOST });
const lane: PromotionLane = {
  name: 'main',
  stages: [
    { name: 'dev', registryId: 'r1', namespace: 'dev/' },
    { name: 'test', registryId: 'r1', namespace: 'test/' },
    { name: 'prod', registryId: 'r1', namespace: 'prod/' },
  ],
  tagRewrites: [],
};
const tags: Record<string, Record<string, string>> = {
  'dev/app': { '1.0.0': digest('a'), '1.1.0': digest('b'), [`sha256-${'a'.repeat(64)}`]: digest('s') },
  'test/app': { '1.0.0': digest('a') },
  'prod/app': { '0.9.0': digest('9') },
};

function plan(source: string, target: string): PromotionPlan {
  return {
    source,
    pinnedSource: `${source}@${digest('b')}`,
    target,
    sourceDigest: digest('b'),
    targetDigest: digest('b'),
    strategy: 'mount',
    blobs: [],
    manifests: [],
    referrers: [],
    platforms: [],
    bytesToCopy: 0,
    overwrites: false,
    upToDate: false,
    notes: [],
    pushAccess: { status: 'granted', user: 'alice', message: 'alice may push to prod/app.' },
    gates: [],
  };
}

afterEach(cleanup);

async function renderBoard(): Promise<ScriptedApi> {
  const api = scriptedApi({
    'promotion.lanes': () => [lane],
    'registries.list': () => [registry],
    'registries.status': () => ({ id: 'r1', reachable: true, authenticated: false }),
    'registry.listRepositories': () => ({
      registry: HOST,
      repositories: ['dev/app', 'other/thing', 'prod/app', 'test/app'],
    }),
    'registry.listTags': ({ repository }) => ({ name: repository, tags: Object.keys(tags[repository] ?? {}) }),
    'registry.tagDetails': ({ repository, tags: wanted }) =>
      wanted.map((tag) => ({
        tag,
        digest: tags[repository]![tag]!,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        created: '2024-01-01T00:00:00Z',
      })),
    'promotion.plan': ({ source, target }) => plan(source, target),
  });
  await act(async () =>
    render(
      <ApiProvider api={api}>
        <LanesView />
        <PromoteDialog />
      </ApiProvider>,
    ),
  );
  await screen.findByTestId('lane-tag-dev-dev/app:1.1.0');
  return api;
}

const planInput = (api: ScriptedApi) => api.calls.find((c) => c.name === 'promotion.plan')?.input;

describe('LanesView', () => {
  it('lists each stage’s repositories and tags, hides referrer tags, marks digests already in another stage', async () => {
    await renderBoard();
    const dev = screen.getByTestId('lane-stage-dev');
    expect(within(dev).queryByText(/^sha256-/)).toBeNull();
    expect(within(dev).queryByText('thing')).toBeNull();
    const synced = screen.getByTestId('lane-tag-dev-dev/app:1.0.0');
    expect(synced.textContent).toContain('test');
    expect(screen.getByTestId('lane-tag-dev-dev/app:1.1.0').textContent).not.toContain('test');
    expect(screen.getByTestId('lane-tag-test-test/app:1.0.0').textContent).toContain('dev');
  });

  it('opens the plan for a tag dropped on another stage', async () => {
    const api = await renderBoard();
    const payload = JSON.stringify({
      reference: `${HOST}/dev/app:1.1.0`,
      registryId: 'r1',
      repository: 'dev/app',
      tag: '1.1.0',
      digest: digest('b'),
    });
    const dataTransfer = {
      types: [BERTH_IMAGE_TYPE],
      getData: (type: string) => (type === BERTH_IMAGE_TYPE ? payload : ''),
      dropEffect: 'none',
    };
    const prod = screen.getByTestId('lane-stage-prod');
    fireEvent.dragOver(prod, { dataTransfer });
    expect(prod.className).toContain('drop-target');
    await act(async () => fireEvent.drop(prod, { dataTransfer }));
    expect(planInput(api)).toMatchObject({ source: `${HOST}/dev/app:1.1.0`, target: `${HOST}/prod/app:1.1.0` });
    await waitFor(() =>
      expect(screen.getByRole('dialog', { name: 'Promote' }).textContent).toContain('main: dev → prod'),
    );
  });

  it('ignores a drop that is not an image, and a drop on the stage the image is in', async () => {
    const api = await renderBoard();
    const dev = screen.getByTestId('lane-stage-dev');
    await act(async () => fireEvent.drop(dev, { dataTransfer: { types: ['text/plain'], getData: () => 'hello' } }));
    const payload = JSON.stringify({
      reference: `${HOST}/dev/app:1.1.0`,
      registryId: 'r1',
      repository: 'dev/app',
      tag: '1.1.0',
      digest: '',
    });
    await act(async () => fireEvent.drop(dev, { dataTransfer: { types: [BERTH_IMAGE_TYPE], getData: () => payload } }));
    expect(planInput(api)).toBeUndefined();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('moves a tag with the keyboard: Space picks it up, arrows choose the stage, Enter drops, Escape cancels', async () => {
    const api = await renderBoard();
    const card = screen.getByTestId('lane-tag-dev-dev/app:1.1.0');
    fireEvent.keyDown(card, { key: ' ' });
    expect(card.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('lane-stage-test').className).toContain('drop-target');
    fireEvent.keyDown(card, { key: 'Escape' });
    expect(card.getAttribute('aria-pressed')).toBe('false');

    fireEvent.keyDown(card, { key: ' ' });
    fireEvent.keyDown(card, { key: 'ArrowRight' });
    expect(screen.getByTestId('lane-stage-prod').className).toContain('drop-target');
    // Left skips the stage the tag is in.
    fireEvent.keyDown(card, { key: 'ArrowLeft' });
    expect(screen.getByTestId('lane-stage-test').className).toContain('drop-target');
    fireEvent.keyDown(card, { key: 'ArrowRight' });
    await act(async () => fireEvent.keyDown(card, { key: 'Enter' }));
    expect(planInput(api)).toMatchObject({ source: `${HOST}/dev/app:1.1.0`, target: `${HOST}/prod/app:1.1.0` });
  });

  it('offers every other stage in the "Promote to…" menu, with the target each gives', async () => {
    const api = await renderBoard();
    const card = screen.getByTestId('lane-tag-dev-dev/app:1.1.0');
    // The menu sits beside the card, not in it: the card is a button itself (no nested controls).
    fireEvent.click(within(card.parentElement!).getByRole('button', { name: `Promote ${HOST}/dev/app:1.1.0 to…` }));
    const menu = screen.getByRole('menu', { name: 'Promote 1.1.0 to' });
    const items = within(menu).getAllByRole('menuitem');
    expect(items.map((item) => item.textContent)).toEqual([
      `main · test${HOST}/test/app:1.1.0`,
      `main · prod${HOST}/prod/app:1.1.0`,
      'Another repository or registry…',
    ]);
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    await act(async () => fireEvent.click(items[1]!));
    expect(planInput(api)).toMatchObject({ target: `${HOST}/prod/app:1.1.0` });
  });

  it('"Another repository or registry…" asks for the target, not prefilled with the source itself', async () => {
    const api = await renderBoard();
    const card = screen.getByTestId('lane-tag-dev-dev/app:1.1.0');
    const menuButton = within(card.parentElement!).getByRole('button', { name: `Promote ${HOST}/dev/app:1.1.0 to…` });
    fireEvent.click(menuButton);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Another repository or registry…' }));
    const dialog = screen.getByRole('dialog', { name: 'Promote' });
    const target = within(dialog).getByRole('textbox', { name: /Target/ }) as HTMLInputElement;
    expect(target.value).toBe('');
    expect(document.activeElement).toBe(target);
    // Planning waits for a target.
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Plan' })));
    expect(planInput(api)).toBeUndefined();
  });
});

describe('LanesEditor', () => {
  it('creates the first lane from a registry’s environments and saves it; main’s refusal is shown whole', async () => {
    let saved: PromotionLane[] = [];
    let refuse = true;
    const withEnvironments: RegistryView = {
      ...registry,
      environments: [
        { role: 'dev', namespace: 'dev/' },
        { role: 'prod', namespace: 'prod/' },
      ],
    };
    const api = scriptedApi({
      'promotion.lanes': () => saved,
      'registries.list': () => [withEnvironments],
      'registries.status': () => ({ id: 'r1', reachable: true, authenticated: false }),
      'registry.listRepositories': () => ({ registry: HOST, repositories: [] }),
      'promotion.setLanes': ({ lanes }) => {
        if (refuse)
          throw Object.assign(new Error('refused'), {
            code: 'invalid_input',
            message: 'lanes.0.tagRewrites.0.from: not a valid regular expression',
          });
        saved = lanes as PromotionLane[];
        return saved;
      },
    });
    await act(async () =>
      render(
        <ApiProvider api={api}>
          <LanesView />
        </ApiProvider>,
      ),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Create a lane' }));
    const editor = screen.getByRole('dialog', { name: 'Promotion lanes' });
    fireEvent.click(within(editor).getByRole('button', { name: /Lane from local’s environments \(dev → prod\)/ }));
    fireEvent.click(within(editor).getByRole('button', { name: '+ Add tag rewrite' }));
    fireEvent.change(within(editor).getByRole('textbox', { name: 'Tag pattern' }), { target: { value: '([' } });

    await act(async () => fireEvent.click(within(editor).getByRole('button', { name: 'Save lanes' })));
    expect(within(editor).getByTestId('lanes-error').textContent).toBe(
      'lanes.0.tagRewrites.0.from: not a valid regular expression',
    );

    refuse = false;
    fireEvent.change(within(editor).getByRole('textbox', { name: 'Tag pattern' }), {
      target: { value: '^(.*)-rc\\d+$' },
    });
    fireEvent.change(within(editor).getByRole('textbox', { name: 'Replacement' }), { target: { value: '$1' } });
    fireEvent.change(within(editor).getByRole('combobox', { name: 'Only into stage' }), { target: { value: 'prod' } });
    await act(async () => fireEvent.click(within(editor).getByRole('button', { name: 'Save lanes' })));
    expect(saved).toEqual([
      {
        name: 'local',
        stages: [
          { name: 'dev', registryId: 'r1', namespace: 'dev/' },
          { name: 'prod', registryId: 'r1', namespace: 'prod/' },
        ],
        tagRewrites: [{ from: '^(.*)-rc\\d+$', to: '$1', toStage: 'prod' }],
      },
    ]);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(await screen.findByTestId('lane-stage-prod')).toBeTruthy();
  });
});

describe('LanesEditor from no lane', () => {
  async function openEditor(registries: RegistryView[]) {
    let saved: PromotionLane[] = [];
    const api = scriptedApi({
      'promotion.lanes': () => saved,
      'registries.list': () => registries,
      'registries.status': () => ({ id: 'r1', reachable: true, authenticated: false }),
      'registry.listRepositories': () => ({ registry: HOST, repositories: [] }),
      'registry.listTags': ({ repository }) => ({ name: repository, tags: [] }),
      'promotion.setLanes': ({ lanes }) => (saved = lanes as PromotionLane[]),
    });
    await act(async () =>
      render(
        <ApiProvider api={api}>
          <LanesView />
        </ApiProvider>,
      ),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Create a lane' }));
    return { editor: screen.getByRole('dialog', { name: 'Promotion lanes' }), saved: () => saved };
  }

  it('"Create a lane" opens the editor with a lane to fill in, its name field focused', async () => {
    const { editor, saved } = await openEditor([registry]);
    const name = within(editor).getByRole('textbox', { name: 'Lane' });
    expect(document.activeElement).toBe(name);
    expect(
      within(editor)
        .getAllByRole('textbox', { name: 'Namespace' })
        .map((input) => (input as HTMLInputElement).value),
    ).toEqual(['dev/', 'prod/']);
    fireEvent.change(name, { target: { value: 'release' } });
    await act(async () => fireEvent.click(within(editor).getByRole('button', { name: 'Save lanes' })));
    expect(saved()).toEqual([
      {
        name: 'release',
        stages: [
          { name: 'dev', registryId: 'r1', namespace: 'dev/' },
          { name: 'prod', registryId: 'r1', namespace: 'prod/' },
        ],
        tagRewrites: [],
      },
    ]);
  });

  it('names a registry once in the registry list when its name is its host', async () => {
    const { editor } = await openEditor([{ ...registry, name: HOST }]);
    const select = within(editor).getAllByRole('combobox', { name: 'Registry' })[0]!;
    expect([...select.querySelectorAll('option')].map((option) => option.textContent)).toEqual([HOST]);
  });
});

describe('LanesEditor while registries load', () => {
  it('opens (and lists the lane) before the registry list has arrived', async () => {
    const api = scriptedApi({
      'promotion.lanes': () => [lane],
      'registries.list': () => new Promise<RegistryView[]>(() => undefined),
    });
    await act(async () =>
      render(
        <ApiProvider api={api}>
          <LanesView />
        </ApiProvider>,
      ),
    );
    fireEvent.click(await screen.findByRole('button', { name: /Edit lanes/ }));
    const editor = screen.getByRole('dialog', { name: 'Promotion lanes' });
    expect((within(editor).getByRole('textbox', { name: 'Lane' }) as HTMLInputElement).value).toBe('main');
    expect(within(editor).getAllByRole('textbox', { name: 'Stage name' })).toHaveLength(3);
  });
});
