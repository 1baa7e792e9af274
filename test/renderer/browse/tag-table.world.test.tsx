// @vitest-environment jsdom
/**
 * The tag table on the real backend and the shared world's registry: the 2,000-tag repository sorted by
 * date over the whole repository, filtered by substring, glob and regex, grouped by digest; a multi-arch
 * tag expanded into its platforms.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { useRegistries } from '../../../src/renderer/stores/registries';
import { RepositoryView } from '../../../src/renderer/views/browse/RepositoryView';
import type { TagDetail } from '../../../src/shared/types/registry';
import type { RegistryView } from '../../../src/shared/types/settings';
import { giveElementsASize } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';

let backend: RealBackend;
let registry: RegistryView;
let restoreSize: () => void;

beforeAll(async () => {
  restoreSize = giveElementsASize(700, 1200);
  backend = await startRealBackend();
  registry = await addWorldRegistry(backend.api, seededWorld().anonymous.host);
  await useRegistries.of(backend.api).getState().load();
});
afterAll(async () => {
  restoreSize?.();
  await backend?.close();
});
afterEach(cleanup);

function renderRepository(repository: string) {
  return render(
    <ApiProvider api={backend.api}>
      <RepositoryView registryId={registry.id} repository={repository} />
    </ApiProvider>,
  );
}

const rowKeys = () =>
  Array.from(screen.getByRole('grid', { name: 'Tags' }).querySelectorAll<HTMLElement>('[role=row][data-row-key]')).map(
    (r) => r.dataset.rowKey!,
  );

describe('tag table on the 2,000-tag repository', () => {
  it('shows the first rows without rendering all 2,000, and sorts by date over the whole repository', async () => {
    renderRepository('many/tags');
    await screen.findByRole('grid', { name: 'Tags' }, { timeout: 30_000 });
    expect(screen.getByTestId('tag-count').textContent).toBe('2,000 tags');
    const firstRows = rowKeys();
    expect(firstRows.length).toBeGreaterThan(10);
    expect(firstRows.length).toBeLessThan(100);

    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'created' } });
    await waitFor(() => expect(screen.getByTestId('sort-status').dataset.complete).toBe('true'), {
      timeout: 240_000,
      interval: 250,
    });

    // The truth, straight from the backend (not through the table's sorting code): newest first, ties by name.
    const tags = (await backend.api.call('registry.listTags', { registryId: registry.id, repository: 'many/tags' }))
      .tags;
    const details: TagDetail[] = await backend.api.call('registry.tagDetails', {
      registryId: registry.id,
      repository: 'many/tags',
      tags,
    });
    expect(details.every((d) => d.created)).toBe(true);
    const expected = [...details]
      .sort((a, b) => Date.parse(b.created!) - Date.parse(a.created!) || (a.tag < b.tag ? -1 : 1))
      .map((d) => d.tag);
    const shown = rowKeys();
    // Ties (aliases share a date) may order by natural name; compare dates, and the first row exactly.
    const dateOf = new Map(details.map((d) => [d.tag, d.created!]));
    expect(shown.map((t) => dateOf.get(t))).toEqual(expected.slice(0, shown.length).map((t) => dateOf.get(t)));
    expect(dateOf.get(shown[0]!)).toBe(dateOf.get(expected[0]!));

    // The oldest image is the last row, and End makes it the active row (jsdom has no layout to scroll,
    // so the grid's active descendant is checked; the end-to-end journey scrolls in Chromium).
    const grid = screen.getByRole('grid', { name: 'Tags' });
    act(() => grid.focus());
    fireEvent.keyDown(grid, { key: 'End' });
    const activeId = grid.getAttribute('aria-activedescendant') ?? '';
    const activeTag = decodeURIComponent(activeId.slice(activeId.indexOf('-row-') + '-row-'.length));
    expect(dateOf.get(activeTag)).toBe(dateOf.get(expected[expected.length - 1]!));
  }, 300_000);

  it('filters by substring, glob and regex, and says when a pattern is invalid', async () => {
    renderRepository('many/tags');
    await screen.findByRole('grid', { name: 'Tags' }, { timeout: 30_000 });
    const filter = screen.getByLabelText('Filter tags');
    const mode = screen.getByLabelText('Filter mode');

    fireEvent.change(filter, { target: { value: 'build-03' } });
    expect(screen.getByTestId('tag-count').textContent).toBe('100 of 2,000 tags');

    fireEvent.change(mode, { target: { value: 'glob' } });
    fireEvent.change(filter, { target: { value: '1.2.*' } });
    expect(screen.getByTestId('tag-count').textContent).toBe('10 of 2,000 tags');
    expect(rowKeys().sort()).toEqual(Array.from({ length: 10 }, (_, i) => `1.2.${i}`).sort());

    fireEvent.change(mode, { target: { value: 'regex' } });
    fireEvent.change(filter, { target: { value: '^v2\\.9\\.\\d-rc1$' } });
    expect(screen.getByTestId('tag-count').textContent).toBe('10 of 2,000 tags');

    fireEvent.change(filter, { target: { value: 'v2.(' } });
    expect(screen.getByRole('alert').textContent).toMatch(/Invalid regular expression/);
    expect(filter.getAttribute('aria-invalid')).toBe('true');
  });

  it('groups tags that share a digest into one row with the others as aliases', async () => {
    renderRepository('many/tags');
    await screen.findByRole('grid', { name: 'Tags' }, { timeout: 30_000 });
    fireEvent.change(screen.getByLabelText('Filter mode'), { target: { value: 'glob' } });
    fireEvent.change(screen.getByLabelText('Filter tags'), { target: { value: '{1.2.3,v1.2.3-rc1,4.19.9,latest}' } });
    // Details of these rows arrive in the background; the rc tag is the same image as 1.2.3.
    await waitFor(
      () =>
        expect(
          screen.getByRole('grid', { name: 'Tags' }).querySelector('[data-row-key="v1.2.3-rc1"] .chip')?.textContent,
        ).toBe('1.2.3'),
      { timeout: 60_000 },
    );
    expect(rowKeys().sort()).toEqual(['1.2.3', '4.19.9', 'latest', 'v1.2.3-rc1']);

    fireEvent.click(screen.getByLabelText('Group by digest'));
    await waitFor(() => expect(rowKeys()).toHaveLength(2));
    expect(rowKeys()).toEqual(['1.2.3', '4.19.9']);
    const row = screen.getByRole('grid', { name: 'Tags' }).querySelector('[data-row-key="4.19.9"]') as HTMLElement;
    expect(within(row).getByText('latest')).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Group by digest'));
  }, 90_000);
});

describe('multi-arch tags', () => {
  it('expand into their platforms by keyboard, and a platform opens the image for it', async () => {
    renderRepository('dev/multi');
    const grid = await screen.findByRole('grid', { name: 'Tags' }, { timeout: 30_000 });
    await waitFor(() => expect(grid.querySelector('[data-row-key="1.0"]')?.textContent).toMatch(/Multi-arch · 2/), {
      timeout: 30_000,
    });
    act(() => grid.focus());
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowRight' });
    await waitFor(() => expect(grid.querySelectorAll('[data-kind=platform]')).toHaveLength(2));
    expect(Array.from(grid.querySelectorAll('[data-kind=platform]')).map((r) => r.textContent)).toEqual([
      expect.stringContaining('linux/amd64'),
      expect.stringContaining('linux/arm64/v8'),
    ]);

    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'Enter' });
    expect(useNavigation.getState().route).toEqual({
      view: 'image',
      reference: `${seededWorld().anonymous.host}/dev/multi:1.0`,
      platform: 'linux/arm64/v8',
    });

    fireEvent.keyDown(grid, { key: 'ArrowUp' });
    fireEvent.keyDown(grid, { key: 'ArrowUp' });
    fireEvent.keyDown(grid, { key: 'ArrowLeft' });
    await waitFor(() => expect(grid.querySelectorAll('[data-kind=platform]')).toHaveLength(0));
  });
});
