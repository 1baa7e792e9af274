// @vitest-environment jsdom
/**
 * Settings on the real backend: add a registry from the empty state and see its namespaces; sign in to
 * the htpasswd registry with a wrong then a right password, test and remove the credential; edit and
 * remove a registry; import from the Docker config; choose the Docker engine.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNavigation } from '../../../src/renderer/navigation/store';
import type { BerthApi } from '../../../src/shared/contract';
import {
  addWorldRegistry,
  seededWorld,
  startRealBackend,
  type RealBackend,
  type RealBackendOptions,
} from '../support/backend';
import { renderApp } from '../support/render-app';

// A real Secret Service on a private D-Bus (test/env/keyring.ts), which libsecret in this process binds to
// on its first call; loaded through a path in a variable so the renderer's typecheck never reads Node code.
const KEYRING_MODULE = '../../env/keyring';
let keyring: { env: { DBUS_SESSION_BUS_ADDRESS: string }; stop(): Promise<void> } | undefined;
beforeAll(async () => {
  const module = (await import(/* @vite-ignore */ KEYRING_MODULE)) as {
    startKeyring(): Promise<NonNullable<typeof keyring>>;
  };
  keyring = await module.startKeyring();
  (globalThis as unknown as { process: { env: Record<string, string> } }).process.env.DBUS_SESSION_BUS_ADDRESS =
    keyring.env.DBUS_SESSION_BUS_ADDRESS;
});
afterAll(async () => {
  await keyring?.stop();
});

const backends: RealBackend[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

async function backend(options: RealBackendOptions = {}): Promise<BerthApi> {
  const started = await startRealBackend(options);
  backends.push(started);
  return started.api;
}

const LONG = { timeout: 30_000 };

describe('registries in settings', () => {
  it('adds a registry from the empty state and shows its namespace tree in the sidebar', async () => {
    useNavigation.getState().navigate({ view: 'home' });
    renderApp(await backend());
    const empty = await screen.findByTestId('empty-state', {}, LONG);
    expect(empty.textContent).toContain('Connect a registry');
    fireEvent.click(within(empty).getByRole('button', { name: /Add registry/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Add registry' });
    fireEvent.change(within(dialog).getByLabelText('Host'), { target: { value: 'not a host!' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add registry' }));
    expect((await within(dialog).findByRole('alert')).textContent).toMatch(/not a registry host/);

    fireEvent.change(within(dialog).getByLabelText('Host'), { target: { value: seededWorld().anonymous.host } });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Seeded' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add registry' }));
    const tree = await screen.findByRole('tree', { name: 'Registries' }, LONG);
    await waitFor(() => {
      const [rootLabel, ...namespaces] = within(tree)
        .getAllByRole('treeitem')
        .map((i) => i.getAttribute('aria-label') ?? '');
      expect(rootLabel).toBe('Seeded');
      // Other test files write into the shared world only under namespaces of their own (test/env/world.ts).
      const seeded = ['dev', 'many', 'prod', 'team-a', 'test'];
      expect(namespaces.filter((namespace) => seeded.includes(namespace))).toEqual(seeded);
    }, LONG);
    expect(
      within(tree)
        .getByRole('treeitem', { name: 'Seeded' })
        .querySelector('[data-status]')!
        .getAttribute('data-status'),
    ).toBe('reachable');
  });

  it('signs in to the htpasswd registry: a wrong password is refused, the right one is kept; test and remove it', async () => {
    const api = await backend();
    const world = seededWorld();
    const registry = await addWorldRegistry(api, world.basic.host, 'Basic');
    const { username, password } = world.basic.users[0]!;
    useNavigation.getState().navigate({ view: 'settings', registryId: registry.id });
    renderApp(api);
    await screen.findByRole('heading', { name: 'Basic' }, LONG);
    expect(screen.getByTestId('credential-source').textContent).toBe('None (anonymous)');

    fireEvent.click(screen.getByRole('button', { name: 'Sign in…' }));
    let dialog = await screen.findByRole('dialog', { name: 'Sign in to Basic' });
    await waitFor(
      () =>
        expect(dialog.textContent).toContain(
          'The password is checked with the registry, then kept in the system keychain; Berth never shows it again.',
        ),
      LONG,
    );
    expect(screen.queryByTestId('keychain-notice')).toBeNull();
    fireEvent.change(within(dialog).getByLabelText('Username'), { target: { value: username } });
    fireEvent.change(within(dialog).getByLabelText('Password or token'), { target: { value: `${password}-wrong` } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    const refused = await within(dialog).findByTestId('sign-in-error', {}, LONG);
    expect(refused.dataset.errorCode).toBe('unauthorized');
    expect(refused.textContent).toContain('Wrong username or password.');
    expect((within(dialog).getByLabelText('Password or token') as HTMLInputElement).value).toBe('');
    expect(screen.getByTestId('credential-source').textContent).toBe('None (anonymous)');

    fireEvent.change(within(dialog).getByLabelText('Password or token'), { target: { value: password } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), LONG);
    expect(screen.getByTestId('credential-source').textContent).toBe('System keychain');
    await waitFor(
      () => expect(screen.getByTestId('registry-status').textContent).toContain(`signed in as ${username}`),
      LONG,
    );
    // The sidebar shows the signed-in state too.
    expect(
      within(screen.getByRole('tree', { name: 'Registries' })).getByRole('img', { name: 'Signed in' }),
    ).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Test credential' }));
    expect((await screen.findByTestId('credential-test-result', {}, LONG)).textContent).toContain(
      `signed in as ${username}`,
    );

    fireEvent.click(screen.getByRole('button', { name: 'Remove credential' }));
    await waitFor(() => expect(screen.getByTestId('credential-source').textContent).toBe('None (anonymous)'), LONG);
    dialog = screen.queryByRole('dialog') as HTMLElement;
    expect(dialog).toBeNull();
  });

  it('edits a registry and removes it after confirmation', async () => {
    const api = await backend();
    const registry = await addWorldRegistry(api, seededWorld().anonymous.host, 'Before');
    useNavigation.getState().navigate({ view: 'settings', registryId: registry.id });
    renderApp(api);
    const form = await screen.findByRole('form', { name: 'Registry settings' }, LONG);
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'After' } });
    fireEvent.change(within(form).getByLabelText(/Repositories added by hand/), { target: { value: 'hand/added' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await within(form).findByText('Saved', {}, LONG);
    expect(within(screen.getByRole('list', { name: 'Settings sections' })).getByText('After')).toBeTruthy();
    expect((await api.call('registries.list', {}))[0]).toMatchObject({ name: 'After', repositories: ['hand/added'] });

    fireEvent.click(screen.getByRole('button', { name: 'Remove After…' }));
    const confirm = await screen.findByRole('dialog', { name: 'Remove After?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(useNavigation.getState().route).toEqual({ view: 'settings' }), LONG);
    expect(await api.call('registries.list', {})).toEqual([]);
  });

  it('imports registries from the Docker config, credentials staying with Docker', async () => {
    const world = seededWorld();
    const { username, password } = world.basic.users[0]!;
    const api = await backend({
      dockerConfig: { auths: { [world.basic.host]: { auth: btoa(`${username}:${password}`) } } },
    });
    useNavigation.getState().navigate({ view: 'settings' });
    renderApp(api);
    fireEvent.click(await screen.findByRole('button', { name: /Import from Docker/ }, LONG));
    const dialog = await screen.findByRole('dialog', { name: 'Import from Docker' });
    const list = await within(dialog).findByRole('list', { name: 'Docker registries' }, LONG);
    expect(within(list).getByText(world.basic.host)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: /^Import/ }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), LONG);
    const [imported] = await api.call('registries.list', {});
    expect(imported).toMatchObject({ host: world.basic.host, credential: { source: 'docker-config', username } });
  });
});

describe('Docker engine in settings', () => {
  it('shows the engine in use, switches to another address and back to automatic', async () => {
    const world = seededWorld();
    const api = await backend({ env: { DOCKER_HOST: world.dockerd.host } });
    useNavigation.getState().navigate({ view: 'settings' });
    renderApp(api);
    const info = await screen.findByTestId('engine-info', {}, LONG);
    await waitFor(() => expect(info.textContent).toContain(world.dockerd.host));
    expect(info.textContent).toMatch(/Docker Engine|Docker \d/);

    fireEvent.change(screen.getByLabelText('Engine address'), { target: { value: 'unix:///nonexistent/docker.sock' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use this engine' }));
    await waitFor(() => expect(screen.getByTestId('engine-info').textContent).toContain('Not reachable'), LONG);
    expect(screen.getByTestId('engine-info').textContent).toContain('Chosen in Berth');

    fireEvent.click(screen.getByRole('button', { name: 'Detect automatically' }));
    await waitFor(() => expect(screen.getByTestId('engine-info').textContent).toContain(world.dockerd.host), LONG);
  });
});
