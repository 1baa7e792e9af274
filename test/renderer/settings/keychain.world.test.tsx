// @vitest-environment jsdom
/**
 * Settings and sign-in on a machine without an OS keychain (no Secret Service on D-Bus): before anyone
 * signs in, both say in one line why and what to do, and the dialog does not promise the keychain.
 * The keychain-present side is in settings.test.tsx (a process binds to one D-Bus session for good).
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';
import { renderApp } from '../support/render-app';

// libsecret binds this process to the bus named here on its first call (test/env/keyring.ts): a socket
// where nothing listens is a machine without a Secret Service. The renderer's typecheck has no Node types.
const processEnv = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
processEnv.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/berth-no-session-bus';

const backends: RealBackend[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(backends.splice(0).map((b) => b.close()));
});

const LONG = { timeout: 30_000 };
const REASON =
  'No Secret Service answered on D-Bus (Could not connect: No such file or directory): start GNOME Keyring or KWallet in a desktop session (e.g. gnome-keyring-daemon --start --components=secrets).';

describe('no OS keychain', () => {
  it('says why and how to fix it in settings and in the sign-in dialog before signing in, then keeps the login for the session', async () => {
    const started = await startRealBackend();
    backends.push(started);
    const { api } = started;
    const world = seededWorld();
    const registry = await addWorldRegistry(api, world.basic.host, 'Basic');
    useNavigation.getState().navigate({ view: 'settings', registryId: registry.id });
    renderApp(api);
    await screen.findByRole('heading', { name: 'Basic' }, LONG);
    expect(screen.getByTestId('credential-source').textContent).toBe('None (anonymous)');
    const notice = await screen.findByTestId('keychain-notice', {}, LONG);
    expect(notice.textContent!.trim()).toBe(`${REASON} Credentials are kept for this session only.`);

    fireEvent.click(screen.getByRole('button', { name: 'Sign in…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Sign in to Basic' });
    expect(dialog.textContent).toContain(
      'The password is checked with the registry, then kept in memory for this session only; Berth never shows it again.',
    );
    expect(dialog.textContent).not.toContain('system keychain');
    expect(within(dialog).getByTestId('keychain-notice').textContent!.trim()).toBe(
      `${REASON} Credentials are kept for this session only.`,
    );

    const { username, password } = world.basic.users[0]!;
    fireEvent.change(within(dialog).getByLabelText('Username'), { target: { value: username } });
    fireEvent.change(within(dialog).getByLabelText('Password or token'), { target: { value: password } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), LONG);
    expect(screen.getByTestId('credential-source').textContent).toBe('This session only (keychain unavailable)');
    const [signedIn] = await api.call('registries.list', {});
    expect(signedIn!.credential).toEqual({
      source: 'session',
      username,
      notice: `${REASON} This credential is kept for this session only and is never written to a file.`,
    });
  });
});
