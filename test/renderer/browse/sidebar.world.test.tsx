// @vitest-environment jsdom
/**
 * The sidebar and registry view: registries with reachability, sign-in state and Docker Hub's remaining
 * pulls; the namespace tree walked by keyboard on the real registry; registries that cannot list (closed
 * catalog, sign-in needed) saying what to do, and adding a repository by name.
 */
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { BerthError } from '../../../src/shared/errors';
import type { RegistryView } from '../../../src/shared/types/settings';
import { giveElementsASize, scriptedApi } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';
import { renderApp } from '../support/render-app';

let restoreSize: () => void;
beforeAll(() => (restoreSize = giveElementsASize(600, 1000)));
afterAll(() => restoreSize());
afterEach(cleanup);

const info = () => ({
  name: 'Berth',
  version: '0',
  transport: 'serve' as const,
  platform: 'linux/x64',
  versions: {},
  keychain: { kind: 'keychain' as const },
});
const view = (id: string, name: string, host: string, fields: Partial<RegistryView> = {}): RegistryView => ({
  id,
  name,
  host,
  kind: 'distribution',
  insecure: false,
  environments: [],
  repositories: [],
  credential: { source: 'none' },
  ...fields,
});

describe('namespace tree on the real registry', () => {
  let backend: RealBackend;
  let registry: RegistryView;
  beforeAll(async () => {
    backend = await startRealBackend();
    registry = await addWorldRegistry(backend.api, seededWorld().anonymous.host, 'Seeded');
  });
  afterAll(async () => backend?.close());

  it('walks registry -> namespace -> nested namespace -> repository with the keyboard', async () => {
    useNavigation.getState().navigate({ view: 'home' });
    renderApp(backend.api);
    const tree = await screen.findByRole('tree', { name: 'Registries' }, { timeout: 30_000 });
    const item = (name: string) => within(tree).getByRole('treeitem', { name });
    act(() => item('Seeded').focus());
    fireEvent.keyDown(item('Seeded'), { key: 'ArrowRight' });
    await within(tree).findByRole('treeitem', { name: 'team-a' }, { timeout: 30_000 });
    fireEvent.keyDown(item('Seeded'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(item('dev'));
    fireEvent.keyDown(item('dev'), { key: 't' });
    expect(document.activeElement).toBe(item('team-a'));
    fireEvent.keyDown(item('team-a'), { key: 'Enter' });
    expect(useNavigation.getState().route).toEqual({ view: 'registry', registryId: registry.id, namespace: 'team-a' });
    // Opening a namespace unfolds it; the main pane lists what is directly below.
    await within(tree).findByRole('treeitem', { name: 'nested' });
    const listing = await screen.findByRole('grid', { name: 'Repositories' });
    expect(Array.from(listing.querySelectorAll<HTMLElement>('[data-row-key]')).map((r) => r.dataset.rowKey)).toEqual([
      'team-a/nested',
      'team-a/service-x',
      'team-a/service-y',
    ]);

    fireEvent.keyDown(item('team-a'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(item('nested'));
    fireEvent.keyDown(item('nested'), { key: 'ArrowRight' });
    await within(tree).findByRole('treeitem', { name: 'deep' });
    fireEvent.keyDown(item('nested'), { key: 'ArrowRight' });
    expect(item('deep').getAttribute('aria-level')).toBe('4');
    fireEvent.keyDown(item('deep'), { key: 'Enter' });
    expect(useNavigation.getState().route).toEqual({
      view: 'repository',
      registryId: registry.id,
      repository: 'team-a/nested/deep',
    });
    expect(item('deep').getAttribute('aria-selected')).toBe('true');
    await waitFor(
      () => expect(screen.getByRole('grid', { name: 'Tags' }).querySelector('[data-row-key="1"]')).not.toBeNull(),
      { timeout: 30_000 },
    );
  });
});

describe('registries that cannot list', () => {
  it('offer adding a repository by name when the catalog is closed, checking the name first', async () => {
    let repositories: string[] = [];
    const api = scriptedApi({
      'app.info': info,
      'registries.list': () => [view('hub', 'Docker Hub', 'docker.io', { kind: 'dockerhub', repositories })],
      'registries.status': () => ({
        id: 'hub',
        reachable: true,
        authenticated: false,
        rateLimit: { limit: 100, remaining: 87, observedAt: '2024-01-01T00:00:00Z' },
      }),
      'registry.listRepositories': () => {
        throw new BerthError('unsupported', 'Docker Hub does not list repositories.');
      },
      'registry.listTags': ({ repository }) => {
        if (repository !== 'library/alpine') throw new BerthError('not_found', `${repository} does not exist.`);
        return { name: repository, tags: ['3.19'] };
      },
      'registries.update': (input) => {
        repositories = input.repositories ?? repositories;
        return view('hub', 'Docker Hub', 'docker.io', { kind: 'dockerhub', repositories });
      },
      'registry.tagDetails': ({ tags }) =>
        tags.map((tag) => ({
          tag,
          digest: `sha256:${'1'.repeat(64)}`,
          mediaType: 'application/vnd.oci.image.index.v1+json',
        })),
    });
    useNavigation.getState().navigate({ view: 'home' });
    renderApp(api);
    const tree = await screen.findByRole('tree', { name: 'Registries' });
    const hub = within(tree).getByRole('treeitem', { name: 'Docker Hub' });
    await waitFor(() => expect(within(hub).getByTestId('rate-limit').textContent).toBe('87/100'));
    fireEvent.click(hub);
    const closed = await within(tree).findByRole('treeitem', { name: 'No catalog: add repositories by name' });
    expect(screen.getByTestId('empty-state').textContent).toContain('This registry does not list its repositories');
    fireEvent.click(closed);
    const dialog = await screen.findByRole('dialog', { name: 'Add a repository to Docker Hub' });
    fireEvent.change(within(dialog).getByLabelText('Repository'), { target: { value: 'library/alpne' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add repository' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('docker.io has no repository "library/alpne".');
    fireEvent.change(within(dialog).getByLabelText('Repository'), { target: { value: 'library/alpine' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add repository' }));
    await waitFor(() =>
      expect(useNavigation.getState().route).toEqual({
        view: 'repository',
        registryId: 'hub',
        repository: 'library/alpine',
      }),
    );
    expect(repositories).toEqual(['library/alpine']);
    await within(tree).findByRole('treeitem', { name: 'alpine' });
  });

  it('offer sign-in when listing needs it, and show an unreachable registry as such', async () => {
    const api = scriptedApi({
      'app.info': info,
      'registries.list': () => [
        view('private', 'Private', 'registry.example:5000'),
        view('down', 'Down', '127.0.0.1:1'),
      ],
      'registries.status': ({ id }) =>
        id === 'down'
          ? { id, reachable: false, authenticated: false, message: 'Connection refused by 127.0.0.1:1' }
          : { id, reachable: true, authenticated: false },
      'registry.listRepositories': () => {
        throw new BerthError('unauthorized', 'registry.example:5000 wants a sign-in to list repositories.');
      },
    });
    useNavigation.getState().navigate({ view: 'home' });
    renderApp(api);
    const tree = await screen.findByRole('tree', { name: 'Registries' });
    await waitFor(() =>
      expect(
        within(tree)
          .getByRole('treeitem', { name: 'Down' })
          .querySelector('[data-status]')!
          .getAttribute('data-status'),
      ).toBe('unreachable'),
    );
    expect(
      within(tree).getByRole('treeitem', { name: 'Down' }).querySelector('[data-status]')!.getAttribute('title'),
    ).toContain('Connection refused');
    fireEvent.click(within(tree).getByRole('treeitem', { name: 'Private' }));
    const signIn = await within(tree).findByRole('treeitem', { name: 'Sign in to list repositories' });
    const error = await screen.findByTestId('error-state');
    expect(error.textContent).toContain('Sign-in required');
    fireEvent.click(signIn);
    expect(await screen.findByRole('dialog', { name: 'Sign in to Private' })).toBeTruthy();
  });
});
