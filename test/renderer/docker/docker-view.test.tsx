// @vitest-environment jsdom
/**
 * The Local Docker view on a scripted client: images newest first, and an image pulled in this session on
 * top, whatever its build date (an image built long ago used to land at the bottom after its pull).
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { DockerView } from '../../../src/renderer/views/docker/DockerView';
import type { LocalImage } from '../../../src/shared/types/docker';
import { giveElementsASize, scriptedApi } from '../promote/scripted-api';

const image = (tag: string, created: string, c: string): LocalImage => ({
  id: `sha256:${c.repeat(64)}`,
  repoTags: [tag],
  repoDigests: [],
  size: 1_000,
  created,
});

let restoreSize: () => void;
beforeAll(() => {
  restoreSize = giveElementsASize();
});
afterAll(() => restoreSize());
afterEach(cleanup);

describe('DockerView', () => {
  it('lists images newest first, and puts an image just pulled on top', async () => {
    const old = '127.0.0.1:5000/dev/app:1.0.0';
    let images = [
      image('local/built:today', '2026-01-02T00:00:00Z', 'b'),
      image('local/base:1', '2025-01-01T00:00:00Z', 'c'),
    ];
    const api = scriptedApi({
      'docker.engine': () => ({
        host: 'unix:///var/run/docker.sock',
        source: 'default',
        reachable: true,
        product: 'Docker Engine',
        version: '20.10.24',
        apiVersion: '1.41',
        os: 'linux',
        arch: 'amd64',
      }),
      'docker.images': () => images,
      'docker.pull': ({ reference }) => {
        images = [...images, image(old, '2024-06-15T14:30:00Z', 'a')];
        return { reference };
      },
    });
    await act(async () =>
      render(
        <ApiProvider api={api}>
          <DockerView />
        </ApiProvider>,
      ),
    );
    const rowKeys = () =>
      [...screen.getByRole('grid', { name: 'Local images' }).querySelectorAll('[role=row][data-row-key]')].map((row) =>
        row.getAttribute('data-row-key'),
      );
    await waitFor(() => expect(rowKeys()).toEqual(['local/built:today', 'local/base:1']));

    fireEvent.change(screen.getByLabelText('Image to pull'), { target: { value: old } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Pull' })));
    // Built in 2024, pulled just now: on top, not below the images built since.
    await waitFor(() => expect(rowKeys()).toEqual([old, 'local/built:today', 'local/base:1']));
  });
});
