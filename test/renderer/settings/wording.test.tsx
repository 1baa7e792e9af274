// @vitest-environment jsdom
/**
 * Wording, on a scripted client: the sign-in dialog names the host once, and the registry view's filter and
 * count say what each counts.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useRegistries } from '../../../src/renderer/stores/registries';
import { RegistryView } from '../../../src/renderer/views/browse/RegistryView';
import { SignInDialog } from '../../../src/renderer/views/settings/SignInDialog';
import type { RegistryView as Registry } from '../../../src/shared/types/settings';
import { giveElementsASize, scriptedApi, scriptedRegistry } from '../promote/scripted-api';

const HOST = '127.0.0.1:5000';
const registry = scriptedRegistry({ name: HOST, host: HOST });

let restoreSize: () => void;
beforeAll(() => {
  restoreSize = giveElementsASize();
});
afterAll(() => restoreSize());
afterEach(cleanup);

async function renderWith(registries: Registry[], ui: React.ReactNode) {
  const api = scriptedApi({
    'registries.list': () => registries,
    'registries.status': () => ({ id: 'r1', reachable: true, authenticated: false }),
    'registry.listRepositories': () => ({
      registry: HOST,
      repositories: ['dev/app', 'dev/multi', 'many/tags', 'team-a/nested/deep', 'solo'],
    }),
    'app.info': () => ({
      name: 'Berth',
      version: '0.1.0',
      transport: 'serve',
      platform: 'linux',
      versions: {},
      keychain: { kind: 'keychain' },
    }),
  });
  await useRegistries.of(api).getState().load();
  await act(async () => render(<ApiProvider api={api}>{ui}</ApiProvider>));
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('the sign-in dialog', () => {
  it('names the host once when the registry is named by its host', async () => {
    await renderWith([registry], <SignInDialog registryId="r1" onClose={() => undefined} />);
    const dialog = await screen.findByRole('dialog', { name: `Sign in to ${HOST}` });
    expect(occurrences(dialog.textContent!, HOST)).toBe(1);
  });

  it('names the host beside a registry name that is not the host', async () => {
    await renderWith([{ ...registry, name: 'Work' }], <SignInDialog registryId="r1" onClose={() => undefined} />);
    const dialog = await screen.findByRole('dialog', { name: 'Sign in to Work' });
    expect(occurrences(dialog.textContent!, HOST)).toBe(1);
  });
});

describe('the registry view', () => {
  it('says what the filter filters and what the count counts', async () => {
    await renderWith([registry], <RegistryView registryId="r1" namespace="" />);
    const filter = await screen.findByRole('searchbox', { name: 'Filter repositories' });
    // The rows are 3 namespaces and 1 repository; 5 repositories in all live below them.
    expect(filter.getAttribute('placeholder')).toBe('Filter 3 namespaces and 1 repository');
    expect(screen.getByTestId('registry-count').textContent).toBe('5 repositories in all');
  });
});
