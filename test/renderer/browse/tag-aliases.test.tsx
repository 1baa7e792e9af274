// @vitest-environment jsdom
/**
 * Tags that share a digest, on a scripted client: a tag with many aliases carries one grouped label
 * ("shares its digest with 1,233 tags") that lists them when clicked, instead of the same chips on every row;
 * a single alias is a chip that opens that tag.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { useRegistries } from '../../../src/renderer/stores/registries';
import { RepositoryView } from '../../../src/renderer/views/browse/RepositoryView';
import { giveElementsASize, scriptedApi, scriptedRegistry } from '../promote/scripted-api';

const HOST = '127.0.0.1:5000';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const registry = scriptedRegistry({ host: HOST });

// 1,234 tags of one image (listed out of order, as a registry may), and a release with its rc tag.
const SAME = Array.from({ length: 1234 }, (_, i) => `t${String(i).padStart(4, '0')}`).reverse();
const digestOf: Record<string, string> = {
  ...Object.fromEntries(SAME.map((tag) => [tag, digest('a')])),
  'v1.0.0': digest('b'),
  'v1.0.0-rc1': digest('b'),
};

let restoreSize: () => void;
beforeAll(() => {
  restoreSize = giveElementsASize(700, 1200);
});
afterAll(() => restoreSize());
afterEach(cleanup);

async function renderRepository() {
  const api = scriptedApi({
    'registries.list': () => [registry],
    'registries.status': () => ({ id: 'r1', reachable: true, authenticated: false }),
    'registry.listTags': ({ repository }) => ({ name: repository, tags: Object.keys(digestOf) }),
    'registry.tagDetails': ({ tags }) =>
      tags.map((tag) => ({
        tag,
        digest: digestOf[tag]!,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        created: '2024-01-01T00:00:00Z',
        size: 1_000,
      })),
  });
  await useRegistries.of(api).getState().load();
  useNavigation.setState({ route: { view: 'repository', registryId: 'r1', repository: 'dev/app' }, origin: 'app' });
  await act(async () =>
    render(
      <ApiProvider api={api}>
        <RepositoryView registryId="r1" repository="dev/app" />
      </ApiProvider>,
    ),
  );
  return screen.findByRole('grid', { name: 'Tags' });
}

const row = (grid: HTMLElement, tag: string) => grid.querySelector<HTMLElement>(`[data-row-key="${tag}"]`);

describe('tags that share a digest', () => {
  it('groups 1,233 aliases into one label whose click lists them, in natural order', async () => {
    const grid = await renderRepository();
    await waitFor(
      () => expect(within(row(grid, 't0000')!).queryByRole('button', { name: /shares its digest/ })).not.toBeNull(),
      {
        timeout: 10_000,
      },
    );
    const first = row(grid, 't0000')!;
    const group = within(first).getByRole('button', { name: 'shares its digest with 1,233 tags' });
    // No tag names repeated on the row.
    expect(first.textContent).not.toContain('t0001');

    fireEvent.click(group);
    // The click lists the tags; it does not open the row's image.
    expect(useNavigation.getState().route).toEqual({ view: 'repository', registryId: 'r1', repository: 'dev/app' });
    const dialog = await screen.findByRole('dialog', { name: 'Tags with the same digest as t0000' });
    const listed = within(dialog).getAllByRole('button', { name: /^t\d{4}$/ });
    expect(listed).toHaveLength(1233);
    expect(listed.slice(0, 3).map((button) => button.textContent)).toEqual(['t0001', 't0002', 't0003']);
    expect(listed.at(-1)!.textContent).toBe('t1233');

    fireEvent.click(within(dialog).getByRole('button', { name: 't0042' }));
    expect(useNavigation.getState().route).toEqual({ view: 'image', reference: `${HOST}/dev/app:t0042` });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('shows a single alias by name, and its chip opens that tag', async () => {
    const grid = await renderRepository();
    fireEvent.change(screen.getByLabelText('Filter tags'), { target: { value: 'v1' } });
    await waitFor(() => expect(row(grid, 'v1.0.0-rc1')?.querySelector('.chip')?.textContent).toBe('v1.0.0'), {
      timeout: 10_000,
    });
    fireEvent.click(within(row(grid, 'v1.0.0-rc1')!).getByRole('button', { name: 'Same digest as v1.0.0: open it' }));
    expect(useNavigation.getState().route).toEqual({ view: 'image', reference: `${HOST}/dev/app:v1.0.0` });
  });
});
