// @vitest-environment jsdom
/**
 * Views stay true after Berth itself writes to a registry: a promotion into a namespace that did not exist
 * shows in the sidebar, and a tag promoted into an open repository shows in its tag list, with no Refresh.
 * The promotions are made through the API as another window would; main's `registry.changed` event does the rest.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNavigation } from '../../../src/renderer/navigation/store';
import type { RegistryView } from '../../../src/shared/types/settings';
import { giveElementsASize } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';
import { renderApp } from '../support/render-app';

let restoreSize: () => void;
beforeAll(() => (restoreSize = giveElementsASize(600, 1000)));
afterAll(() => restoreSize());
afterEach(cleanup);

const tagRows = () =>
  Array.from(screen.getByRole('grid', { name: 'Tags' }).querySelectorAll<HTMLElement>('[role=row][data-row-key]')).map(
    (row) => row.dataset.rowKey,
  );

describe('after Berth writes to a registry', () => {
  let backend: RealBackend;
  let registry: RegistryView;
  const host = seededWorld().anonymous.host;
  const namespace = `scratch-changes-${globalThis.crypto.randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    backend = await startRealBackend();
    registry = await addWorldRegistry(backend.api, host, 'Seeded');
  });
  afterAll(async () => backend?.close());

  it('the sidebar shows a new namespace and the open tag list a new tag, without Refresh', async () => {
    useNavigation.getState().navigate({ view: 'home' });
    renderApp(backend.api);
    const tree = await screen.findByRole('tree', { name: 'Registries' }, { timeout: 30_000 });
    const seeded = within(tree).getByRole('treeitem', { name: 'Seeded' });
    act(() => seeded.focus());
    fireEvent.keyDown(seeded, { key: 'ArrowRight' });
    await within(tree).findByRole('treeitem', { name: 'team-a' }, { timeout: 30_000 });
    expect(within(tree).queryByRole('treeitem', { name: namespace })).toBeNull();

    await backend.api.call('promotion.execute', {
      source: `${host}/dev/app:1.0.0`,
      target: `${host}/${namespace}/app:1.0.0`,
    });
    await within(tree).findByRole('treeitem', { name: namespace }, { timeout: 10_000 });

    act(() =>
      useNavigation
        .getState()
        .navigate({ view: 'repository', registryId: registry.id, repository: `${namespace}/app` }),
    );
    await screen.findByRole('grid', { name: 'Tags' }, { timeout: 30_000 });
    await waitFor(() => expect(tagRows()).toEqual(['1.0.0']), { timeout: 10_000 });

    await backend.api.call('promotion.execute', {
      source: `${host}/dev/app:1.1.0`,
      target: `${host}/${namespace}/app:1.1.0`,
    });
    await waitFor(() => expect([...tagRows()].sort()).toEqual(['1.0.0', '1.1.0']), { timeout: 10_000 });
    expect(backend.calls.filter((call) => call.name === 'registry.listTags')).toHaveLength(2);
  });
});
