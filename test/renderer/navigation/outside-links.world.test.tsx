// @vitest-environment jsdom
/**
 * A link is not consent (issue 13 g): a route opened from outside the app (an address, a reload,
 * back/forward, a `berth://` link) fills in the compare form but compares only when Compare is pressed,
 * and opens an image or its layers right away only on a registry in the user's list; another host or a
 * local source waits for a click. The whole app on the real backend, with the world's registries.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { followDeepLinks, useNavigation } from '../../../src/renderer/navigation/store';
import type { RequestName } from '../../../src/shared/contract';
import { giveElementsASize, scriptedApi } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';
import { renderApp } from '../support/render-app';

const world = seededWorld();
const A = `${world.anonymous.host}/dev/app:1.0.0`;
const B = `${world.anonymous.host}/dev/app:1.1.0`;
/** Requests that read an image: from its registry, a file, a layout directory or the engine. */
const IMAGE_WORK: RequestName[] = [
  'images.diff',
  'layers.list',
  'images.efficiency',
  'images.ls',
  'registry.inspect',
  'images.readFile',
  'images.textDiff',
];

let backend: RealBackend;
/** The desktop shell's side of the event channel (the in-process backend has no shell to send `app.deepLink`). */
const shell = scriptedApi({});
let restoreSize: () => void;
beforeAll(async () => {
  restoreSize = giveElementsASize();
  backend = await startRealBackend();
  // The anonymous registry is in the user's list; the basic-auth one is a host the user never added.
  await addWorldRegistry(backend.api, world.anonymous.host, 'Seeded');
});
afterAll(async () => {
  restoreSize?.();
  await backend?.close();
});
afterEach(() => {
  cleanup();
  useNavigation.getState().navigate({ view: 'home' }, { replace: true });
});

const imageWork = () => backend.calls.filter((c) => IMAGE_WORK.includes(c.name));

/** As after a reload or back/forward: the address changes, then the page reads it. */
function openAddress(path: string) {
  window.history.replaceState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

async function renderLoadedApp() {
  renderApp(backend.api);
  // The user's registries are known before any view decides what it may load.
  await screen.findByRole('treeitem', { name: 'Seeded' }, { timeout: 30_000 });
}

describe('compare opened from outside', () => {
  it('fills in the pair, reads nothing until Compare is pressed, then compares', async () => {
    openAddress(`/compare?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}`);
    await renderLoadedApp();
    await screen.findByTestId('compare-ready');
    expect((screen.getByLabelText('Left (before)') as HTMLInputElement).value).toBe(A);
    expect((screen.getByLabelText('Right (after)') as HTMLInputElement).value).toBe(B);
    expect(imageWork()).toEqual([]);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Compare' })));
    await screen.findByTestId('diff-summary', undefined, { timeout: 90_000 });
    expect(imageWork().map((c) => c.name)).toEqual(['images.diff']);
    expect(useNavigation.getState().origin).toBe('app');

    // Away and back to the same pair (back/forward): the result the user asked for is still there, not read again.
    useNavigation.getState().navigate({ view: 'lanes' });
    openAddress(`/compare?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}`);
    await screen.findByTestId('diff-summary');
    expect(screen.queryByTestId('compare-ready')).toBeNull();
    expect(imageWork().map((c) => c.name)).toEqual(['images.diff']);
  });

  it('a pair of local sources from a berth:// link waits as well', async () => {
    const stop = followDeepLinks(shell);
    await renderLoadedApp();
    const before = imageWork().length;
    await act(async () =>
      emitDeepLink(
        `/compare?a=${encodeURIComponent('docker-archive:/nonexistent/a.tar')}&b=${encodeURIComponent('oci:/nonexistent/layout')}`,
      ),
    );
    await screen.findByTestId('compare-ready');
    expect(imageWork().length).toBe(before);
    stop();
  });

  it('the app’s own navigation (a dropped tag) compares right away', async () => {
    await renderLoadedApp();
    const before = imageWork().length;
    act(() => useNavigation.getState().navigate({ view: 'compare', a: B, b: A }));
    await screen.findByTestId('diff-summary', undefined, { timeout: 90_000 });
    expect(
      imageWork()
        .slice(before)
        .map((c) => c.input),
    ).toEqual([{ a: B, b: A, operationId: expect.any(String) }]);
  });
});

describe('images and layers opened from outside', () => {
  it('an image on a registry in the list loads right away', async () => {
    openAddress(`/images?ref=${encodeURIComponent(A)}`);
    await renderLoadedApp();
    await screen.findByTestId('image-digest', undefined, { timeout: 30_000 });
    expect(screen.queryByTestId('outside-link')).toBeNull();
  });

  it('an image on a host the user has not added waits for a click, then loads', async () => {
    const reference = `${world.basic.host}/dev/app:1.0.0`;
    openAddress(`/images?ref=${encodeURIComponent(reference)}`);
    await renderLoadedApp();
    const prompt = await screen.findByTestId('outside-link');
    expect(prompt.dataset.source).toBe('host');
    expect(prompt.textContent).toContain(`${world.basic.host}, which is not one of your registries`);
    const before = imageWork().length;
    expect(
      backend.calls.some(
        (c) => c.name === 'registry.inspect' && (c.input as { reference: string }).reference === reference,
      ),
    ).toBe(false);

    await act(async () =>
      fireEvent.click(within(prompt).getByRole('button', { name: `Load from ${world.basic.host}` })),
    );
    // The registry wants a sign-in: the answer proves the request went out once the user asked.
    await screen.findByTestId('error-state', undefined, { timeout: 30_000 });
    expect(
      imageWork()
        .slice(before)
        .map((c) => [c.name, (c.input as { reference: string }).reference]),
    ).toEqual([['registry.inspect', reference]]);
  });

  it('the layers of a docker-archive path wait for a click, then are read', async () => {
    const reference = 'docker-archive:/nonexistent/berth-link-test.tar';
    const stop = followDeepLinks(shell);
    await renderLoadedApp();
    const before = imageWork().length;
    await act(async () => emitDeepLink(`/layers?ref=${encodeURIComponent(reference)}`));
    const prompt = await screen.findByTestId('outside-link');
    expect(prompt.dataset.source).toBe('local');
    expect(imageWork().length).toBe(before);

    await act(async () => fireEvent.click(within(prompt).getByRole('button', { name: 'Read it' })));
    await screen.findByText(/Could not read the layers/, undefined, { timeout: 30_000 });
    expect(
      imageWork()
        .slice(before)
        .map((c) => [c.name, (c.input as { reference: string }).reference])
        .sort(),
    ).toEqual([
      ['images.efficiency', reference],
      ['layers.list', reference],
    ]);
    stop();
  });

  it('the layers of an image on a registry in the list load right away', async () => {
    openAddress(`/layers?ref=${encodeURIComponent(B)}`);
    await renderLoadedApp();
    await waitFor(
      () =>
        expect(within(screen.getByRole('listbox', { name: 'Layers' })).getAllByRole('option').length).toBe(
          world.seed.images['dev/app:1.1.0']!.layers.length,
        ),
      { timeout: 90_000 },
    );
    expect(screen.queryByTestId('outside-link')).toBeNull();
  });
});

/** What the desktop shell does for a berth:// link: the `app.deepLink` event with the link's path. */
function emitDeepLink(path: string) {
  shell.emit('app.deepLink', { path });
}
