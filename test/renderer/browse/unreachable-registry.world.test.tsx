// @vitest-environment jsdom
/**
 * A registry that does not answer (issue 20, section 3), on the real backend: adding it warns and still
 * keeps it; its page says why once (not once more in the header after a "·"), and offers no sign-in for
 * a network error. 127.0.0.1:1 refuses connections: nothing listens on port 1.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { startRealBackend, type RealBackend } from '../support/backend';
import { renderApp } from '../support/render-app';

const HOST = '127.0.0.1:1';
const LONG = { timeout: 30_000 };

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
});
afterAll(async () => {
  await backend?.close();
});
afterEach(cleanup);

/** How many times `text` occurs in `haystack`. */
const occurrences = (haystack: string, text: string) => haystack.split(text).length - 1;

describe('an unreachable registry', () => {
  it('is kept on add with a warning, and its page gives the reason once and no sign-in', async () => {
    useNavigation.getState().navigate({ view: 'home' });
    renderApp(backend.api);
    const empty = await screen.findByTestId('empty-state', {}, LONG);
    fireEvent.click(within(empty).getByRole('button', { name: /Add registry/ }));
    let dialog = await screen.findByRole('dialog', { name: 'Add registry' });
    fireEvent.change(within(dialog).getByLabelText('Host'), { target: { value: HOST } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add registry' }));

    const warning = await screen.findByTestId('add-registry-unreachable', {}, LONG);
    expect(warning.textContent).toContain(`Added, but ${HOST} does not answer.`);
    expect(warning.textContent).toContain('the connection was refused');
    expect((await backend.api.call('registries.list', {})).map((registry) => registry.host)).toContain(HOST);

    dialog = screen.getByRole('dialog', { name: 'Add registry' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Open it anyway' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Add registry' })).toBeNull());
    const error = await screen.findByTestId('error-state', {}, LONG);
    expect(error.dataset.errorCode).toBe('unreachable');
    const view = error.closest('.registry-view')!;
    await waitFor(() => expect(view.querySelector('.view-subheader')!.textContent).toBe(`${HOST} · unreachable`), LONG);
    expect(occurrences(view.textContent ?? '', 'the connection was refused')).toBe(1);
    expect(within(view as HTMLElement).queryByRole('button', { name: 'Sign in…' })).toBeNull();
    expect(within(error).getByRole('button', { name: 'Open settings' })).toBeTruthy();
  }, 60_000);
});
