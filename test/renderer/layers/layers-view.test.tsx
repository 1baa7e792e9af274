// @vitest-environment jsdom
/**
 * The layers view on a scripted client: people count layers from 1 everywhere (the list, the selected layer's
 * title, the merged tree's Layer column, the wasted-space list and a file's preview), while the API's
 * `layer` fields stay zero-based indexes.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { LayersView } from '../../../src/renderer/views/layers/LayersView';
import type { Efficiency, LayerChange, MergedEntry } from '../../../src/shared/types/layers';
import { giveElementsASize, scriptedApi } from '../promote/scripted-api';

const REFERENCE = '127.0.0.1:5000/dev/app:1.1.0';

const layer = (index: number, createdBy: string): LayerChange => ({
  layer: index,
  digest: `sha256:${String(index).repeat(64)}`,
  mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  compressedSize: 1_000,
  createdBy,
  added: 1,
  modified: 0,
  removed: 0,
  sizeBytes: 2_000,
  entryCount: 1,
});

const entry = (path: string, index: number): MergedEntry => ({
  path,
  type: 'file',
  size: 10,
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 0,
  layer: index,
});

const efficiency: Efficiency = {
  wastedBytes: 10,
  totalBytes: 30,
  userSizeBytes: 20,
  score: 0.9,
  wasted: [
    {
      path: '/opt/app/version.txt',
      occurrences: 2,
      bytes: 10,
      layers: [
        { layer: 0, bytes: 10 },
        { layer: 1, bytes: 10 },
      ],
    },
  ],
  wastedPathCount: 1,
};

let restoreSize: () => void;
beforeAll(() => {
  restoreSize = giveElementsASize();
});
afterAll(() => restoreSize());
afterEach(cleanup);

function renderLayers() {
  const api = scriptedApi({
    'layers.list': () => [layer(0, 'ADD rootfs.tar /'), layer(1, 'COPY app /opt/app')],
    'images.efficiency': () => efficiency,
    'images.ls': ({ upToLayer }) =>
      upToLayer === 0 ? [entry('/bin/sh', 0)] : [entry('/bin/sh', 0), entry('/opt/app/version.txt', 1)],
    'images.readFile': ({ path }) => ({
      path,
      resolvedPath: path,
      layer: 1,
      size: 6,
      truncated: false,
      binary: false,
      content: '1.1.0\n',
    }),
  });
  render(
    <ApiProvider api={api}>
      <LayersView reference={REFERENCE} />
    </ApiProvider>,
  );
  return api;
}

describe('LayersView', () => {
  it('counts layers from 1 in the list, the title, the tree, the wasted space and the preview', async () => {
    const api = renderLayers();
    const list = await screen.findByRole('listbox', { name: 'Layers' });
    const options = within(list).getAllByRole('option');
    expect(options.map((option) => option.querySelector('.layer-index')?.textContent)).toEqual(['1', '2']);
    expect(within(options[0]!).getByRole('meter', { name: 'Layer 1 size' })).toBeTruthy();

    // The last layer is selected on open: the second one, layer 2, read as API index 1.
    const contents = screen.getByRole('region', { name: 'Layer contents' });
    await waitFor(() => expect(contents.querySelector('.panel-title')!.textContent).toMatch(/^Layer 2 /));
    expect(api.calls.find((call) => call.name === 'images.ls')!.input).toMatchObject({ upToLayer: 1 });

    const grid = within(contents).getByRole('grid', { name: 'Files' });
    await waitFor(() => expect(grid.querySelector('[data-row-key="/opt"]')).not.toBeNull());
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    // The Layer column is the last cell of a row.
    const layerCell = (path: string) =>
      [...grid.querySelectorAll(`[data-row-key="${path}"] [role=gridcell]`)].at(-1)?.textContent;
    expect(layerCell('/bin/sh')).toBe('1');
    expect(layerCell('/opt/app/version.txt')).toBe('2');

    expect(screen.getByRole('table', { name: 'Wasted space' }).querySelector('td')!.getAttribute('title')).toBe(
      '/opt/app/version.txt: wasted in layers 1, 2',
    );

    fireEvent.click(grid.querySelector('[data-row-key="/opt/app/version.txt"]')!);
    expect((await screen.findByTestId('file-content')).textContent).toContain('6 B · layer 2');
  });
});
