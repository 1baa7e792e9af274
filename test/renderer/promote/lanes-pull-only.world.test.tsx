// @vitest-environment jsdom
/**
 * The lanes board for a user whose registry lists no repositories to them (issue 20, section 3): bob may
 * only pull on the world's token registry, so its catalog is closed to him. Each stage says what he can do
 * instead of a red "Not supported here", with the control to do it: adding a repository by name, after
 * which the stage shows its tags. On the real backend and the world's token registry.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { AppDialogs } from '../../../src/renderer/views/settings/AppDialogs';
import { LanesView } from '../../../src/renderer/views/promote/LanesView';
import { startRealBackend, type RealBackend } from '../support/backend';

interface TokenWorld {
  token: { host: string; users: { username: string; password: string; access?: 'push' | 'pull' }[] };
}
const world = (inject as unknown as (key: string) => TokenWorld)('world');
const bob = world.token.users.find((user) => user.access === 'pull')!;
const LONG = { timeout: 30_000 };

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend({
    dockerConfig: { auths: { [world.token.host]: { auth: btoa(`${bob.username}:${bob.password}`) } } },
  });
  const registry = await backend.api.call('registries.add', { host: world.token.host, name: 'Token' });
  await backend.api.call('promotion.setLanes', {
    lanes: [
      {
        name: 'main',
        stages: [
          { name: 'dev', registryId: registry.id, namespace: 'dev/' },
          { name: 'prod', registryId: registry.id, namespace: 'prod/' },
        ],
        tagRewrites: [],
      },
    ],
  });
});
afterAll(async () => {
  await backend?.close();
});
afterEach(cleanup);

describe('the lanes board for a pull-only user', () => {
  it('explains each stage and lets him add the repositories by name, then shows their tags', async () => {
    render(
      <ApiProvider api={backend.api}>
        <LanesView />
        <AppDialogs />
      </ApiProvider>,
    );
    const dev = await screen.findByTestId('closed-catalog-dev', {}, LONG);
    const prod = await screen.findByTestId('closed-catalog-prod', {}, LONG);
    for (const stage of [dev, prod]) {
      expect(stage.textContent).toContain(`${world.token.host} does not list its repositories to your account`);
      expect(stage.textContent).not.toContain('Not supported here');
    }
    expect(screen.queryAllByTestId('error-state')).toEqual([]);

    fireEvent.click(within(dev).getByRole('button', { name: 'Add a repository by name…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add a repository to Token' });
    const name = within(dialog).getByLabelText('Repository') as HTMLInputElement;
    expect(name.value).toBe('dev/');
    fireEvent.change(name, { target: { value: 'dev/app' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add repository' }));
    await screen.findByTestId('lane-tag-dev-dev/app:1.0.0', {}, LONG);
    // The registry's list is now what was added by hand: prod still offers to add one.
    const prodStage = screen.getByTestId('lane-stage-prod');
    await waitFor(() => expect(prodStage.textContent).toContain('No repositories here yet'), LONG);
    expect(within(prodStage).getByRole('button', { name: 'Add a repository by name…' })).toBeTruthy();
  }, 60_000);
});
