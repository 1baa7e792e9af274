// @vitest-environment jsdom
/**
 * The compare preview on the real backend, for entries whose preview is not a plain text diff (issue 20,
 * section 3): a symlink whose target changed (to a directory in both images), a modified file over the text
 * diff limit, and an added file over the preview size. Two images of this test's own, pushed to the world's
 * anonymous registry under a scratch namespace.
 */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { CompareView } from '../../../src/renderer/views/compare/CompareView';
import { READ_FILE_DEFAULT_BYTES, TEXT_DIFF_MAX_BYTES } from '../../../src/shared/types/layers';
import { formatBytes } from '../../../src/renderer/logic/format';
import { giveElementsASize } from '../promote/scripted-api';
import { seededWorld, startRealBackend, type RealBackend } from '../support/backend';

// Node modules of the test world, loaded at run time so the renderer's typecheck never reads them.
const LAYERS_MODULE = '../../env/layers';
const IMAGE_MODULE = '../../env/unique-image';
interface Tree {
  directory(path: string): Tree;
  file(path: string, content: string): Tree;
  symlink(path: string, target: string): Tree;
}

const world = seededWorld();
const namespace = `scratch-preview-${Math.random().toString(16).slice(2, 10)}`;
const A = `${world.anonymous.host}/${namespace}/app:1`;
const B = `${world.anonymous.host}/${namespace}/app:2`;
const BIG = 3_000_000;

/** `size` bytes of numbered text lines starting with `prefix`, so two versions differ on every line. */
function lines(prefix: string, size: number): string {
  const line = (n: number) => `${prefix} line ${String(n).padStart(8, '0')} of a large text file\n`;
  let text = '';
  for (let n = 0; text.length < size; n++) text += line(n);
  return text.slice(0, size);
}

const bigA = lines('left', BIG);
const bigB = lines('right', BIG);
const added = lines('added', BIG);

let backend: RealBackend;
let restoreSize: () => void;

beforeAll(async () => {
  restoreSize = giveElementsASize();
  const { TreeBuilder } = (await import(/* @vite-ignore */ LAYERS_MODULE)) as { TreeBuilder: new () => Tree };
  const { pushTreeImage } = (await import(/* @vite-ignore */ IMAGE_MODULE)) as {
    pushTreeImage(target: { host: string }, repository: string, tag: string, trees: Tree[]): Promise<unknown>;
  };
  const tree = (release: string, big: string) =>
    new TreeBuilder()
      .file('/app/releases/1/VERSION', '1\n')
      .file('/app/releases/2/VERSION', '2\n')
      .symlink('/app/current', release)
      .file('/data/big.txt', big);
  await pushTreeImage(world.anonymous, `${namespace}/app`, '1', [tree('releases/1', bigA)]);
  await pushTreeImage(world.anonymous, `${namespace}/app`, '2', [
    tree('releases/2', bigB).file('/data/added.txt', added),
  ]);
  backend = await startRealBackend();
}, 120_000);

afterAll(async () => {
  restoreSize?.();
  await backend?.close();
});
afterEach(cleanup);

async function renderCompare() {
  render(
    <ApiProvider api={backend.api}>
      <CompareView a={A} b={B} />
    </ApiProvider>,
  );
  const grid = await screen.findByRole('grid', { name: 'Changed files' }, { timeout: 60_000 });
  const row = async (path: string) =>
    waitFor(() => {
      const found = within(grid)
        .getAllByRole('row')
        .find((candidate) => candidate.getAttribute('data-row-key') === path);
      if (!found) throw new Error(`no row ${path}`);
      return found;
    });
  return { row };
}

/** jsdom's Blob has no text(): read it as a browser without one would. */
function blobText(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

const preview = () => screen.getByRole('complementary', { name: 'Preview' });
const callsOf = (name: string) => backend.calls.filter((call) => call.name === name);

describe('compare preview on the real backend', () => {
  it('shows a retargeted symlink as its two targets, without an error or a text diff request', async () => {
    const { row } = await renderCompare();
    fireEvent.click(await row('/app/current'));
    const attributes = await within(preview()).findByRole('table', { name: 'Changed attributes' });
    expect(attributes.textContent).toContain('Link targetreleases/1releases/2');
    await waitFor(() => expect(preview().textContent).toContain('A link: its two targets above are the difference'));
    expect(within(preview()).queryByTestId('error-state')).toBeNull();
    expect(callsOf('images.textDiff')).toEqual([]);
  }, 90_000);

  it('says a modified file is too large to preview, then shows it or saves its bytes on request', async () => {
    const { row } = await renderCompare();
    const before = callsOf('images.textDiff').length;
    fireEvent.click(await row('/data/big.txt'));
    const notice = await within(preview()).findByTestId('too-large');
    expect(notice.textContent).toContain(
      `Too large to preview (${formatBytes(BIG)}; the limit is ${formatBytes(TEXT_DIFF_MAX_BYTES)}).`,
    );
    expect(within(preview()).queryByTestId('error-state')).toBeNull();
    expect(callsOf('images.textDiff').length).toBe(before);

    // Save…: the right image's bytes, as a download.
    const saved: { blob: Blob; name: string }[] = [];
    const originals = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
    const click = HTMLAnchorElement.prototype.click;
    let blob: Blob | undefined;
    URL.createObjectURL = (value: Blob | MediaSource) => {
      blob = value as Blob;
      return 'blob:berth-test';
    };
    URL.revokeObjectURL = () => undefined;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      if (blob) saved.push({ blob, name: this.download });
    };
    try {
      fireEvent.click(within(notice).getByRole('button', { name: 'Save…' }));
      await waitFor(() => expect(saved).toHaveLength(1), { timeout: 30_000 });
    } finally {
      URL.createObjectURL = originals.create;
      URL.revokeObjectURL = originals.revoke;
      HTMLAnchorElement.prototype.click = click;
    }
    expect(saved[0]!.name).toBe('big.txt');
    expect(saved[0]!.blob.size).toBe(BIG);
    expect(await blobText(saved[0]!.blob)).toBe(bigB);

    // Show anyway: the right image's version, whole, then the left one on request.
    fireEvent.click(within(notice).getByRole('button', { name: 'Show anyway' }));
    const content = await within(preview()).findByTestId('file-content', {}, { timeout: 30_000 });
    expect(preview().textContent).toContain('Modified: the right image’s version');
    expect(content.textContent).toContain('right line 00000000 of a large text file');
    expect(content.textContent).not.toContain('showing the first');
    await act(async () => {
      fireEvent.click(within(preview()).getByRole('button', { name: 'Show the left image’s version' }));
    });
    await waitFor(() =>
      expect(within(preview()).getByTestId('file-content').textContent).toContain(
        'left line 00000000 of a large text file',
      ),
    );
  }, 90_000);

  it('offers the rest of an added file shown in part', async () => {
    const { row } = await renderCompare();
    fireEvent.click(await row('/data/added.txt'));
    const content = await within(preview()).findByTestId('file-content', {}, { timeout: 30_000 });
    expect(content.textContent).toContain(`showing the first ${formatBytes(READ_FILE_DEFAULT_BYTES)}`);
    fireEvent.click(within(preview()).getByRole('button', { name: 'Show anyway' }));
    await waitFor(
      () => expect(within(preview()).getByTestId('file-content').textContent).not.toContain('showing the first'),
      { timeout: 30_000 },
    );
    expect(callsOf('images.readFile').at(-1)?.input).toMatchObject({
      path: '/data/added.txt',
      maxBytes: 4 * 1024 * 1024,
    });
  }, 90_000);
});
