// @vitest-environment jsdom
/**
 * A failed pull's card (issue 20, section 3): the layer the engine was working on is marked as where it
 * failed (not left "Extracting"), layers not started say so, and the engine's message reads as words under
 * a title, without the raw error code.
 */
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useDocker } from '../../../src/renderer/stores/docker';
import { DockerView } from '../../../src/renderer/views/docker/DockerView';
import { BerthError } from '../../../src/shared/errors';
import { deferred, scriptedApi } from '../promote/scripted-api';

afterEach(cleanup);

const REFERENCE = '127.0.0.1:5000/dev/app:1.0.0';
const MESSAGE = 'Docker engine: failed to register layer: write /usr/lib/x: no space left on device';

describe('a failed pull', () => {
  it('marks the layer it failed on, and says why in words without the error code', async () => {
    const pull = deferred<{ reference: string }>();
    const api = scriptedApi({
      'docker.engine': () => ({
        host: 'unix:///var/run/docker.sock',
        source: 'default',
        reachable: true,
        version: '20.10.24',
        apiVersion: '1.41',
        os: 'linux',
        arch: 'amd64',
      }),
      'docker.images': () => [],
      'docker.pull': () => pull.promise,
    });
    render(
      <ApiProvider api={api}>
        <DockerView />
      </ApiProvider>,
    );
    await screen.findByRole('button', { name: 'Pull' });
    const store = useDocker.of(api);
    let running!: Promise<void>;
    act(() => {
      running = store.getState().pull(REFERENCE);
    });
    const id = store.getState().transfers[0]!.id;
    act(() =>
      api.emit('operation.progress', {
        operationId: id,
        kind: 'docker.pull',
        status: 'Pulling: 1 of 3 layers done',
        current: 150,
        total: 300,
        items: [
          { id: 'aaa', status: 'Pull complete', current: 100, total: 100 },
          { id: 'bbb', status: 'Extracting', current: 50, total: 100 },
          { id: 'ccc', status: 'Waiting', current: 0, total: 100 },
        ],
        done: false,
      }),
    );
    await act(async () => {
      pull.reject(new BerthError('bad_response', MESSAGE));
      await running;
    });

    const card = await screen.findByRole('article', { name: `Pull ${REFERENCE}` });
    await waitFor(() => expect(card.getAttribute('data-phase')).toBe('failed'));
    const layer = (id: string) => card.querySelector(`[data-layer="${id}"]`)!;
    expect(layer('aaa').textContent).toContain('Pull complete');
    expect(layer('bbb').textContent).toContain('Failed while extracting');
    expect(layer('bbb').hasAttribute('data-failed')).toBe(true);
    expect(layer('ccc').textContent).toContain('Not started');
    expect(card.querySelectorAll('[data-failed]')).toHaveLength(1);
    expect(card.textContent).not.toContain('Extracting');

    const error = within(card).getByText(MESSAGE).closest('[data-error-code]')!;
    expect(error.getAttribute('data-error-code')).toBe('bad_response');
    expect(error.textContent).toContain('Pull failed.');
    expect(card.textContent).not.toContain('bad_response');
  });
});
