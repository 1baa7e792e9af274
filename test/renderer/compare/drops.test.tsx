// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { useCompareDrop } from '../../../src/renderer/views/compare/compare-drop';
import { ImageSlot } from '../../../src/renderer/views/compare/ImageSlot';
import { BERTH_IMAGE_TYPE } from '../../../src/renderer/views/promote/drag';
import { scriptedApi } from '../promote/scripted-api';

const image = {
  reference: '127.0.0.1:5000/dev/app:1.0.0',
  registryId: 'r1',
  repository: 'dev/app',
  tag: '1.0.0',
  digest: '',
};
const imageDrag = () => ({
  types: [BERTH_IMAGE_TYPE],
  getData: (type: string) => (type === BERTH_IMAGE_TYPE ? JSON.stringify(image) : ''),
  dropEffect: 'none',
});

afterEach(cleanup);

describe('compare drops', () => {
  it('fills a compare slot with a dropped tag and compares right away', () => {
    const onChange = vi.fn();
    const onCommit = vi.fn();
    render(
      <ApiProvider api={scriptedApi({})}>
        <ImageSlot side="a" label="Left" value="" onChange={onChange} onCommit={onCommit} />
      </ApiProvider>,
    );
    const slot = screen.getByTestId('compare-slot-a');
    fireEvent.dragOver(slot, { dataTransfer: imageDrag() });
    expect(slot.className).toContain('dropping');
    fireEvent.drop(slot, { dataTransfer: imageDrag() });
    expect(onChange).toHaveBeenCalledWith(image.reference);
    expect(onCommit).toHaveBeenCalledWith(image.reference);
    expect(slot.className).not.toContain('dropping');
  });

  it('offers the local engine’s tags as docker-daemon references', async () => {
    const onCommit = vi.fn();
    const api = scriptedApi({
      'docker.images': () => [
        {
          id: 'sha256:1',
          repoTags: ['app:dev', '<none>:<none>'],
          repoDigests: [],
          size: 1,
          created: '2024-01-01T00:00:00Z',
        },
      ],
    });
    render(
      <ApiProvider api={api}>
        <ImageSlot side="b" label="Right" value="" onChange={() => undefined} onCommit={onCommit} />
      </ApiProvider>,
    );
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /Local/ })));
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['app:dev']);
    fireEvent.click(options[0]!);
    expect(onCommit).toHaveBeenCalledWith('docker-daemon:app:dev');
  });

  it('compares a tag dropped on another tag (dropped = left, target = right)', () => {
    function Row({ reference }: { reference: string }) {
      const drop = useCompareDrop();
      return <div data-testid="row" {...drop(reference)} />;
    }
    render(<Row reference="127.0.0.1:5000/dev/app:1.1.0" />);
    fireEvent.drop(screen.getByTestId('row'), { dataTransfer: imageDrag() });
    expect(useNavigation.getState().route).toEqual({
      view: 'compare',
      a: image.reference,
      b: '127.0.0.1:5000/dev/app:1.1.0',
    });
  });
});
