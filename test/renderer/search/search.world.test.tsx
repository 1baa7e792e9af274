// @vitest-environment jsdom
/** The search box over the local index, on the real backend: open with the keyboard, find, open a hit. */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { App } from '../../../src/renderer/App';
import { useNavigation } from '../../../src/renderer/navigation/store';
import type { RegistryView } from '../../../src/shared/types/settings';
import { scriptedApi } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';

afterEach(cleanup);

describe('search', () => {
  let backend: RealBackend;
  let registry: RegistryView;
  beforeAll(async () => {
    backend = await startRealBackend();
    registry = await addWorldRegistry(backend.api, seededWorld().anonymous.host, 'Seeded');
    // What the user has browsed is what the index knows.
    await backend.api.call('registry.listRepositories', { registryId: registry.id });
    await backend.api.call('registry.listTags', { registryId: registry.id, repository: 'dev/app' });
  });
  afterAll(async () => backend?.close());

  it('opens with Ctrl+K, finds repositories and tags of every registry seen, and opens the chosen one', async () => {
    useNavigation.getState().navigate({ view: 'home' });
    render(
      <ApiProvider api={backend.api}>
        <App />
      </ApiProvider>,
    );
    await screen.findByRole('tree', { name: 'Registries' }, { timeout: 30_000 });
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const box = await screen.findByRole('combobox', { name: 'Search repositories and tags' });
    fireEvent.change(box, { target: { value: 'team-a' } });
    const results = screen.getByRole('listbox', { name: 'Results' });
    await waitFor(
      () =>
        expect(
          within(results)
            .getAllByRole('option')
            .map((o) => o.textContent),
        ).toEqual(expect.arrayContaining([expect.stringContaining('team-a/service-x')])),
      { timeout: 10_000 },
    );

    fireEvent.change(box, { target: { value: '1.1.0' } });
    await waitFor(() => expect(within(results).getAllByRole('option')[0]!.textContent).toContain('dev/app:1.1.0'), {
      timeout: 10_000,
    });
    expect(within(results).getAllByRole('option')[0]!.textContent).toContain('Seeded');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(useNavigation.getState().route).toEqual({
      view: 'image',
      reference: `${seededWorld().anonymous.host}/dev/app:1.1.0`,
    });
    await waitFor(() => expect(screen.queryByRole('combobox', { name: 'Search repositories and tags' })).toBeNull());

    // "/" opens it too, keeping the last query; arrows choose, Enter opens a repository hit.
    fireEvent.keyDown(document.body, { key: '/' });
    const again = await screen.findByRole('combobox', { name: 'Search repositories and tags' });
    expect((again as HTMLInputElement).value).toBe('1.1.0');
    fireEvent.change(again, { target: { value: 'service-' } });
    const list = screen.getByRole('listbox', { name: 'Results' });
    await waitFor(() => expect(within(list).getAllByRole('option').length).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
    });
    fireEvent.keyDown(again, { key: 'ArrowDown' });
    const chosen = within(list).getAllByRole('option')[1]!;
    expect(chosen.getAttribute('aria-selected')).toBe('true');
    const name = chosen.querySelector('.search-hit-name')!.textContent!;
    fireEvent.keyDown(again, { key: 'Enter' });
    expect(useNavigation.getState().route).toEqual({ view: 'repository', registryId: registry.id, repository: name });
  });

  it('says when nothing matches and what the index covers', async () => {
    const api = scriptedApi({
      'app.info': () => ({
        name: 'Berth',
        version: '0',
        transport: 'serve',
        platform: 'linux/x64',
        versions: {},
        keychain: { kind: 'keychain' },
      }),
      'registries.list': () => [],
      'search.query': () => [],
    });
    render(
      <ApiProvider api={api}>
        <App />
      </ApiProvider>,
    );
    await screen.findByTestId('empty-state');
    act(() => {
      fireEvent.click(screen.getByRole('button', { name: 'Search repositories and tags' }));
    });
    const box = await screen.findByRole('combobox', { name: 'Search repositories and tags' });
    fireEvent.change(box, { target: { value: 'nothing-here' } });
    expect(
      await screen.findByText(/Nothing found\. Search covers repositories and tags Berth has already listed/),
    ).toBeTruthy();
  });
});
