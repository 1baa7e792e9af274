// @vitest-environment jsdom
/**
 * Where focus goes: back to the element that opened a dialog when it closes (Escape or its Close button),
 * to the new view's heading after a navigation that removed the focused element (a tag row, a breadcrumb),
 * and into the search box with the previous query selected when search reopens.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { Breadcrumbs } from '../../../src/renderer/components/Breadcrumbs';
import { Dialog } from '../../../src/renderer/components/Dialog';
import { ViewHeader } from '../../../src/renderer/components/ViewHeader';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { useSearch } from '../../../src/renderer/stores/search';
import { SearchPalette } from '../../../src/renderer/views/search/SearchPalette';
import { scriptedApi } from '../promote/scripted-api';

afterEach(cleanup);

function Opener() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button">Before</button>
      <button type="button" onClick={() => setOpen(true)}>
        Open the dialog
      </button>
      <Dialog open={open} onOpenChange={setOpen} title="A dialog">
        <input aria-label="Field" autoFocus />
      </Dialog>
    </>
  );
}

/** A controlled dialog mounted only while open, as the promote dialog and the lanes editor are. */
function MountedWhileOpen() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Edit
      </button>
      {open ? (
        <Dialog open onOpenChange={(next) => !next && setOpen(false)} title="Mounted dialog">
          <p>Body</p>
        </Dialog>
      ) : null}
    </>
  );
}

describe('dialogs', () => {
  it('return focus to the element that opened them, after Escape and after the Close button', async () => {
    render(<Opener />);
    const opener = screen.getByRole('button', { name: 'Open the dialog' });
    act(() => opener.focus());
    fireEvent.click(opener);
    const field = await screen.findByRole('textbox', { name: 'Field' });
    await waitFor(() => expect(document.activeElement).toBe(field));

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));

    fireEvent.click(opener);
    fireEvent.click(await screen.findByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });

  it('return focus also when the dialog unmounts as it closes', async () => {
    render(<MountedWhileOpen />);
    const opener = screen.getByRole('button', { name: 'Edit' });
    act(() => opener.focus());
    fireEvent.click(opener);
    await screen.findByRole('dialog', { name: 'Mounted dialog' });
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });
});

/** A miniature of the app: a list whose item navigates away (and disappears), and the view it leads to. */
function MiniApp() {
  const route = useNavigation((s) => s.route);
  const navigate = useNavigation((s) => s.navigate);
  if (route.view === 'repository')
    return (
      <>
        <Breadcrumbs
          crumbs={[
            { label: 'registry', onSelect: () => navigate({ view: 'registry', registryId: 'r1' }) },
            { label: 'app' },
          ]}
        />
        <button type="button" onClick={() => navigate({ view: 'lanes' })}>
          a tag row
        </button>
      </>
    );
  if (route.view === 'registry') return <Breadcrumbs crumbs={[{ label: 'registry' }]} />;
  return <ViewHeader icon="lanes" title="Promotion lanes" />;
}

describe('after a navigation', () => {
  it('focus goes to the new view’s heading when the focused element went away', async () => {
    act(() => useNavigation.getState().navigate({ view: 'repository', registryId: 'r1', repository: 'app' }));
    render(<MiniApp />);
    const row = screen.getByRole('button', { name: 'a tag row' });
    act(() => row.focus());
    fireEvent.click(row);
    const heading = await screen.findByRole('heading', { name: 'Promotion lanes' });
    await waitFor(() => expect(document.activeElement).toBe(heading));

    act(() => useNavigation.getState().navigate({ view: 'repository', registryId: 'r1', repository: 'app' }));
    const crumb = await screen.findByRole('button', { name: 'registry' });
    act(() => crumb.focus());
    fireEvent.click(crumb);
    const registryHeading = await screen.findByRole('heading', { name: 'registry' });
    await waitFor(() => expect(document.activeElement).toBe(registryHeading));
  });

  it('focus that is still somewhere stays there', async () => {
    act(() => useNavigation.getState().navigate({ view: 'repository', registryId: 'r1', repository: 'app' }));
    render(
      <>
        <button type="button" onClick={() => useNavigation.getState().navigate({ view: 'lanes' })}>
          Sidebar link
        </button>
        <MiniApp />
      </>,
    );
    const link = screen.getByRole('button', { name: 'Sidebar link' });
    act(() => link.focus());
    fireEvent.click(link);
    await screen.findByRole('heading', { name: 'Promotion lanes' });
    expect(document.activeElement).toBe(link);
  });
});

describe('search', () => {
  it('reopens with the previous query selected, and Escape returns focus to where it was', async () => {
    const api = scriptedApi({ 'search.query': () => [] });
    render(
      <ApiProvider api={api}>
        <button type="button" onClick={() => useSearch.of(api).getState().setOpen(true)}>
          Search
        </button>
        <SearchPalette />
      </ApiProvider>,
    );
    const trigger = screen.getByRole('button', { name: 'Search' });
    act(() => trigger.focus());
    fireEvent.click(trigger);
    const box = await screen.findByRole('combobox', { name: 'Search repositories and tags' });
    fireEvent.change(box, { target: { value: 'team-a' } });
    await waitFor(() => expect(useSearch.of(api).getState().query).toBe('team-a'));
    fireEvent.keyDown(box, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('combobox')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(trigger));

    fireEvent.click(trigger);
    const again = (await screen.findByRole('combobox', {
      name: 'Search repositories and tags',
    })) as HTMLInputElement;
    expect(again.value).toBe('team-a');
    expect(document.activeElement).toBe(again);
    expect([again.selectionStart, again.selectionEnd]).toEqual([0, 'team-a'.length]);
  });
});
