// @vitest-environment jsdom
/** The search box over the local index, on the real backend: open with the keyboard, find, open a hit. */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { useOperations } from '../../../src/renderer/stores/operations';
import type { RegistryView } from '../../../src/shared/types/settings';
import { scriptedApi } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';
import { renderApp } from '../support/render-app';

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
    renderApp(backend.api);
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
    // The answer to this query, not the last one's (the index may know many tags matching "1.1.0").
    await waitFor(
      () => {
        const options = within(list).getAllByRole('option');
        expect(options.length).toBeGreaterThanOrEqual(2);
        expect(options.every((o) => o.textContent!.includes('service-'))).toBe(true);
      },
      { timeout: 10_000 },
    );
    fireEvent.keyDown(again, { key: 'ArrowDown' });
    const chosen = within(list).getAllByRole('option')[1]!;
    expect(chosen.getAttribute('aria-selected')).toBe('true');
    const name = chosen.querySelector('.search-hit-name')!.textContent!;
    fireEvent.keyDown(again, { key: 'Enter' });
    expect(useNavigation.getState().route).toEqual({ view: 'repository', registryId: registry.id, repository: name });
  });

  it('finds a tag of a repository never opened, once the background indexing is done', async () => {
    // A backend of its own: nothing listed by hand, so only the indexing started at load can know the tag.
    const fresh = await startRealBackend();
    try {
      await addWorldRegistry(fresh.api, seededWorld().anonymous.host, 'Fresh');
      const manyTags = Object.keys(
        (seededWorld().seed as unknown as { manyTags: { digests: Record<string, string> } }).manyTags.digests,
      );
      const tag = manyTags[1500]!;
      useNavigation.getState().navigate({ view: 'home' });
      renderApp(fresh.api);
      await screen.findByRole('tree', { name: 'Registries' }, { timeout: 30_000 });
      // The indexing the app started at load, as the status bar shows it, runs to its end.
      const indexed = () =>
        Object.values(useOperations.of(fresh.api).getState().entries).some(
          (entry) => entry.kind === 'registry.index' && entry.done && !entry.error,
        );
      await waitFor(() => expect(indexed()).toBe(true), { timeout: 30_000 });
      fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
      const box = await screen.findByRole('combobox', { name: 'Search repositories and tags' });
      fireEvent.change(box, { target: { value: `many/tags ${tag}` } });
      const results = screen.getByRole('listbox', { name: 'Results' });
      await waitFor(
        () =>
          expect(
            within(results)
              .getAllByRole('option')
              .map((o) => o.textContent),
          ).toContainEqual(expect.stringContaining(`many/tags:${tag}`)),
        { timeout: 10_000 },
      );
      expect(fresh.calls.some((c) => c.name === 'registry.listTags')).toBe(false);
    } finally {
      await fresh.close();
    }
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
    renderApp(api);
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
