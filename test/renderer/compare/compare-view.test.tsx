// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { createTwoFilesPatch } from 'diff';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { useCompare } from '../../../src/renderer/stores/compare';
import { Sidebar } from '../../../src/renderer/views/browse/Sidebar';
import { CompareView } from '../../../src/renderer/views/compare/CompareView';
import { RouteView } from '../../../src/renderer/views/index';
import type { ImageDiff } from '../../../src/shared/types/layers';
import { giveElementsASize, scriptedApi, type ScriptedApi } from '../promote/scripted-api';

const A = '127.0.0.1:5000/dev/app:1.0.0';
const B = '127.0.0.1:5000/dev/app:1.1.0';

const diff: ImageDiff = {
  a: A,
  b: B,
  sizeA: 10_000,
  sizeB: 12_500,
  layers: {
    shared: [
      {
        digest: `sha256:${'1'.repeat(64)}`,
        size: 9_000,
        createdBy: 'ADD rootfs.tar /',
        indexA: 0,
        indexB: 0,
        matchedBy: 'digest',
      },
    ],
    onlyA: [{ digest: `sha256:${'2'.repeat(64)}`, size: 1_000, createdBy: 'COPY app /opt/app', indexA: 1 }],
    onlyB: [{ digest: `sha256:${'3'.repeat(64)}`, size: 3_500, createdBy: 'COPY app /opt/app', indexB: 1 }],
    commonBase: 1,
  },
  config: [
    { field: 'env', key: 'APP_VERSION', a: '1.0.0', b: '1.1.0' },
    { field: 'labels', key: 'com.example.feature-flags', a: null, b: 'new-feature' },
  ],
  history: {
    a: ['ADD rootfs.tar /', 'COPY app /opt/app'],
    b: ['ADD rootfs.tar /', 'COPY app /opt/app', 'RUN rm removed-later.txt'],
    firstDifference: 2,
  },
  files: {
    added: [
      { path: '/opt/app/new-feature.txt', size: 25, type: 'file', layer: 2 },
      { path: '/opt/app/cache/data.bin', size: 65_536, type: 'file', layer: 2 },
      // A changed directory: a change the kind chips count, though not a file.
      { path: '/opt/app/cache', size: 0, type: 'dir', layer: 2 },
    ],
    removed: [{ path: '/opt/app/removed-later.txt', size: 45, type: 'file', layer: 1 }],
    modified: [
      { path: '/opt/app/version.txt', sizeA: 6, sizeB: 6, changes: ['content'], layerA: 1, layerB: 1 },
      { path: '/etc/app/config.yaml', sizeA: 63, sizeB: 64, changes: ['content', 'size'], layerA: 1, layerB: 2 },
    ],
  },
  directoryDeltas: {},
  warnings: [],
};

const configPatch = createTwoFilesPatch(
  'a/etc/app/config.yaml',
  'b/etc/app/config.yaml',
  'server:\n  log_level: info\n',
  'server:\n  log_level: debug\n',
);

let api: ScriptedApi;
let restoreSize: () => void;

beforeAll(() => {
  restoreSize = giveElementsASize();
});
afterAll(() => restoreSize());
afterEach(cleanup);

function renderCompare() {
  api = scriptedApi({
    'images.diff': () => diff,
    'images.textDiff': ({ path }) => ({
      path,
      unified: configPatch,
      binary: false,
      identical: false,
      sizeA: 63,
      sizeB: 64,
    }),
    'images.readFile': ({ path }) => ({
      path,
      resolvedPath: path,
      layer: 2,
      size: 25,
      truncated: false,
      binary: false,
      content: 'the new feature of 1.1.0\n',
    }),
  });
  render(
    <ApiProvider api={api}>
      <CompareView a={A} b={B} />
    </ApiProvider>,
  );
}

const grid = () => screen.getByRole('grid', { name: 'Changed files' });
const visiblePaths = () =>
  within(grid())
    .queryAllByRole('row')
    .map((row) => row.getAttribute('data-row-key'))
    .filter((key): key is string => key !== null);
const visibleFiles = () =>
  within(grid())
    .queryAllByRole('row')
    .filter((row) => row.getAttribute('data-row-key') && !row.hasAttribute('data-directory'))
    .map((row) => row.getAttribute('data-row-key'));

describe('CompareView', () => {
  it('summarises the two images and opens the directories down to a few changes', async () => {
    renderCompare();
    const summary = await screen.findByTestId('diff-summary');
    expect(summary.textContent).toContain('+2.50 KB (+25.0%)');
    expect(summary.textContent).toContain('1 shared · 1 only left · 1 only right');
    await waitFor(() => expect(visibleFiles()).toHaveLength(5));
    expect(api.calls.filter((c) => c.name === 'images.diff')).toHaveLength(1);
  });

  it('shows only the kind clicked; a second click or Alt+click shows every kind again', async () => {
    renderCompare();
    await waitFor(() => expect(visibleFiles()).toHaveLength(5));
    const chip = (name: RegExp) => screen.getByRole('button', { name });
    const pressed = () =>
      within(screen.getByRole('group', { name: 'Change kinds' }))
        .getAllByRole('button')
        .filter((button) => button.getAttribute('aria-pressed') === 'true')
        .map((button) => button.textContent);
    // Every kind is shown and no chip is pressed: nothing filters yet.
    expect(pressed()).toEqual([]);

    fireEvent.click(chip(/^Modified/));
    expect(visibleFiles().sort()).toEqual(['/etc/app/config.yaml', '/opt/app/version.txt']);
    expect(pressed()).toEqual(['Modified2']);
    fireEvent.click(chip(/^Modified/));
    expect(visibleFiles()).toHaveLength(5);
    expect(pressed()).toEqual([]);

    // Another chip while one is on switches to that kind; Alt+click shows every kind.
    fireEvent.click(chip(/^Added/));
    fireEvent.click(chip(/^Removed/));
    expect(visibleFiles()).toEqual(['/opt/app/removed-later.txt']);
    fireEvent.click(chip(/^Removed/), { altKey: true });
    expect(visibleFiles()).toHaveLength(5);
    expect(pressed()).toEqual([]);
  });

  it('counts the same changes in the chips, the Files tab and the summary', async () => {
    renderCompare();
    await waitFor(() => expect(visibleFiles()).toHaveLength(5));
    const chips = within(screen.getByRole('group', { name: 'Change kinds' })).getAllByRole('button');
    expect(chips.map((button) => button.textContent)).toEqual(['Added3', 'Removed1', 'Modified2']);
    expect(screen.getByRole('tab', { name: /Files/ }).textContent).toContain('6');
    const summary = () => screen.getByTestId('tree-summary').textContent;
    expect(summary()).toMatch(/^6 changes shown · /);
    fireEvent.click(screen.getByRole('button', { name: /^Added/ }));
    expect(summary()).toMatch(/^3 of 6 changes shown · /);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter paths' }), { target: { value: 'data.bin' } });
    expect(summary()).toMatch(/^1 of 6 changes shown · /);
  });

  it('filters by path, a substring or a glob', async () => {
    renderCompare();
    await waitFor(() => expect(visibleFiles()).toHaveLength(5));
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter paths' }), { target: { value: '*.txt' } });
    expect(visibleFiles().sort()).toEqual([
      '/opt/app/new-feature.txt',
      '/opt/app/removed-later.txt',
      '/opt/app/version.txt',
    ]);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter paths' }), { target: { value: 'ETC' } });
    expect(visibleFiles()).toEqual(['/etc/app/config.yaml']);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter paths' }), { target: { value: 'nothing-matches' } });
    expect(visibleFiles()).toEqual([]);
    expect(grid().textContent).toContain('No file matches the filters.');
  });

  it('sorts by size change (largest first) and by name', async () => {
    renderCompare();
    await waitFor(() => expect(visibleFiles()).toHaveLength(5));
    // /opt grows by 65,536 + 25 - 45; /etc by 1.
    expect(visiblePaths().slice(0, 3)).toEqual(['/opt', '/opt/app', '/opt/app/cache']);
    const opt = within(grid())
      .getAllByRole('row')
      .find((row) => row.getAttribute('data-row-key') === '/opt')!;
    expect(opt.textContent).toContain('+65.5 KB');

    fireEvent.change(screen.getByRole('combobox', { name: 'Sort files' }), { target: { value: 'name' } });
    expect(visiblePaths()).toEqual([
      '/etc',
      '/etc/app',
      '/etc/app/config.yaml',
      '/opt',
      '/opt/app',
      '/opt/app/cache',
      '/opt/app/cache/data.bin',
      '/opt/app/new-feature.txt',
      '/opt/app/removed-later.txt',
      '/opt/app/version.txt',
    ]);
  });

  it('collapses and expands directories with the keyboard and the twisty', async () => {
    renderCompare();
    await waitFor(() => expect(visibleFiles()).toHaveLength(5));
    // Keyboard: focus puts the first row (/opt) active; Left collapses it, Right expands it again.
    fireEvent.focus(grid());
    fireEvent.keyDown(grid(), { key: 'ArrowLeft' });
    expect(visiblePaths()).not.toContain('/opt/app');
    fireEvent.keyDown(grid(), { key: 'ArrowRight' });
    expect(visiblePaths()).toContain('/opt/app');
    fireEvent.click(screen.getByRole('button', { name: 'Collapse /opt' }));
    expect(visiblePaths()).not.toContain('/opt/app');
    fireEvent.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(visiblePaths().sort()).toEqual(['/etc', '/opt']);
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(visibleFiles()).toHaveLength(5);
  });

  it('opens the text diff of a modified file and the content of an added one', async () => {
    renderCompare();
    await waitFor(() => expect(visibleFiles()).toHaveLength(5));
    const row = (path: string) =>
      within(grid())
        .getAllByRole('row')
        .find((r) => r.getAttribute('data-row-key') === path)!;

    fireEvent.click(row('/etc/app/config.yaml'));
    const textDiff = await screen.findByTestId('text-diff');
    expect([...textDiff.querySelectorAll('.textdiff-removed')].map((r) => r.textContent)).toEqual([
      '2−  log_level: info',
    ]);
    expect([...textDiff.querySelectorAll('.textdiff-added')].map((r) => r.textContent)).toEqual([
      '2+  log_level: debug',
    ]);
    expect(api.calls.find((c) => c.name === 'images.textDiff')!.input).toEqual({
      a: A,
      b: B,
      path: '/etc/app/config.yaml',
    });
    expect(screen.getByRole('table', { name: 'Changed attributes' }).textContent).toContain('Size63 B64 B');
    // Layers count from 1, as in every view: API indexes 1 and 2 are layers 2 and 3.
    expect(screen.getByRole('table', { name: 'Changed attributes' }).textContent).toContain('Layer23');

    fireEvent.click(row('/opt/app/new-feature.txt'));
    expect((await screen.findByTestId('file-content')).textContent).toContain('the new feature of 1.1.0');
    expect(screen.getByTestId('file-content').textContent).toContain('25 B · layer 3');
    expect(api.calls.find((c) => c.name === 'images.readFile')!.input).toEqual({
      reference: B,
      path: '/opt/app/new-feature.txt',
    });
  });

  it('shows layers aligned, config and history differences', async () => {
    renderCompare();
    await screen.findByTestId('diff-summary');
    fireEvent.click(screen.getByRole('tab', { name: /Layers/ }));
    const aligned = screen.getByRole('table', { name: 'Layers aligned' });
    expect(aligned.querySelectorAll('[data-alignment=shared]')).toHaveLength(1);
    expect(aligned.querySelectorAll('[data-alignment=divergent]')).toHaveLength(1);

    fireEvent.click(screen.getByRole('tab', { name: /Config/ }));
    const config = screen.getByRole('table', { name: 'Config differences' });
    expect(config.querySelector('[data-key=APP_VERSION]')!.textContent).toContain('1.0.0');
    expect(config.querySelector('[data-key="com.example.feature-flags"]')!.textContent).toContain('new-feature');

    fireEvent.click(screen.getByRole('tab', { name: /History/ }));
    const history = screen.getByRole('table', { name: 'History differences' });
    expect([...history.querySelectorAll('tbody tr')].map((row) => row.getAttribute('data-kind'))).toEqual([
      'same',
      'same',
      'added',
    ]);
  });

  it('keeps a 20,000-file tree virtualized: only the rows in view are in the DOM', async () => {
    const many: ImageDiff = {
      ...diff,
      files: {
        added: Array.from({ length: 20_000 }, (_, i) => ({
          path: `/usr/share/doc/pkg${i % 200}/file${i}`,
          size: i,
          type: 'file' as const,
          layer: 2,
        })),
        removed: [],
        modified: [],
      },
    };
    api = scriptedApi({ 'images.diff': () => many });
    render(
      <ApiProvider api={api}>
        <CompareView a={A} b={B} />
      </ApiProvider>,
    );
    await screen.findByTestId('diff-summary');
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    // 20,000 files + 203 directories are rows; the DOM holds a screenful plus overscan.
    expect(grid().getAttribute('aria-rowcount')).toBe(String(20_000 + 203 + 1));
    expect(within(grid()).getAllByRole('row').length).toBeLessThan(80);
  });

  it('shows the error of a failed diff and retries', async () => {
    let fail = true;
    api = scriptedApi({
      'images.diff': () => {
        if (fail)
          throw Object.assign(new Error('no such manifest'), {
            code: 'not_found',
            message: 'dev/app:9.9.9 does not exist in 127.0.0.1:5000.',
          });
        return diff;
      },
    });
    render(
      <ApiProvider api={api}>
        <CompareView a={A} b="127.0.0.1:5000/dev/app:9.9.9" />
      </ApiProvider>,
    );
    const error = await screen.findByTestId('error-state');
    expect(error.getAttribute('data-error-code')).toBe('not_found');
    expect(error.textContent).toContain('dev/app:9.9.9 does not exist');
    fail = false;
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Try again' })));
    await screen.findByTestId('diff-summary');
    expect(useCompare.of(api).getState().diff?.status).toBe('ready');
  });

  it('keeps results for the session: the Compare link and a link back to an earlier pair show them again', async () => {
    const C = '127.0.0.1:5000/dev/app:latest';
    api = scriptedApi({
      'registries.list': () => [],
      'images.diff': ({ a, b }) => ({ ...diff, a, b }),
    });
    function Shell() {
      const { route, origin } = useNavigation();
      return (
        <>
          <Sidebar />
          <RouteView route={route} origin={origin} />
        </>
      );
    }
    act(() => useNavigation.getState().navigate({ view: 'compare', a: A, b: B }));
    render(
      <ApiProvider api={api}>
        <Shell />
      </ApiProvider>,
    );
    await screen.findByTestId('diff-summary');
    const diffs = () => api.calls.filter((c) => c.name === 'images.diff').map((c) => c.input);
    expect(diffs()).toEqual([{ a: A, b: B, operationId: expect.any(String) }]);

    // Away and back through the sidebar: the same pair, shown from memory.
    act(() => useNavigation.getState().navigate({ view: 'lanes' }));
    expect(screen.queryByTestId('diff-summary')).toBeNull();
    fireEvent.click(screen.getAllByRole('listitem').find((item) => item.textContent === 'Compare')!);
    expect(useNavigation.getState().route).toEqual({ view: 'compare', a: A, b: B });
    await screen.findByTestId('diff-summary');
    expect(diffs()).toHaveLength(1);

    // Another pair, then back (back/forward and links count as from outside): the first pair is still known.
    act(() => useNavigation.getState().navigate({ view: 'compare', a: A, b: C }));
    await waitFor(() => expect(diffs()).toHaveLength(2));
    await screen.findByTestId('diff-summary');
    act(() =>
      useNavigation.getState().openFromOutside(`/compare?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}`),
    );
    await screen.findByTestId('diff-summary');
    expect(useCompare.of(api).getState()).toMatchObject({ a: A, b: B, diff: { status: 'ready' } });
    expect(screen.queryByTestId('compare-ready')).toBeNull();
    // A pair never compared from outside still waits for the button.
    act(() =>
      useNavigation.getState().openFromOutside(`/compare?a=${encodeURIComponent(B)}&b=${encodeURIComponent(C)}`),
    );
    await screen.findByTestId('compare-ready');
    expect(diffs()).toHaveLength(2);
  });
});
