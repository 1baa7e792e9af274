// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { visibleEntries } from '../../../src/renderer/stores/history';
import { HistoryView } from '../../../src/renderer/views/history/HistoryView';
import type { AuditEntry } from '../../../src/shared/types/promotion';
import { scriptedApi } from '../promote/scripted-api';

const entries: AuditEntry[] = [
  {
    at: '2025-01-01T10:00:00Z',
    user: 'ana',
    source: 'r/dev/app:1.0.0',
    target: 'r/prod/app:1.0.0',
    digest: `sha256:${'a'.repeat(64)}`,
    strategy: 'mount',
    outcome: 'success',
    blobsMounted: 3,
  },
  {
    at: '2025-01-02T10:00:00Z',
    user: 'ana',
    source: 'r/dev/app:1.1.0',
    target: 'r/prod/app:1.0.0',
    outcome: 'refused',
    message: 'prod/app:1.0.0 exists with another digest',
  },
  {
    at: '2025-01-03T10:00:00Z',
    user: 'bo',
    source: 'r/dev/app:1.1.0',
    target: 'other/prod/app:1.1.0',
    outcome: 'failure',
    message: 'denied: push to other',
  },
];

afterEach(cleanup);

describe('history', () => {
  it('orders newest first and filters by outcome', () => {
    expect(
      visibleEntries(entries, new Set(['success', 'refused', 'failure', 'cancelled'])).map((e) => e.outcome),
    ).toEqual(['failure', 'refused', 'success']);
    expect(visibleEntries(entries, new Set(['refused']))).toHaveLength(1);
  });

  it('renders the log with links to source and target, sends the query to main, filters outcomes', async () => {
    const api = scriptedApi({
      'promotion.audit': ({ query }) => (query ? entries.filter((e) => JSON.stringify(e).includes(query)) : entries),
    });
    await act(async () =>
      render(
        <ApiProvider api={api}>
          <HistoryView query="prod/app:1.0.0" />
        </ApiProvider>,
      ),
    );
    const table = await screen.findByRole('table', { name: 'Promotion history' });
    expect(table.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(api.calls[0]!.input).toMatchObject({ query: 'prod/app:1.0.0' });
    expect(table.querySelector('tr[data-outcome=refused]')!.textContent).toContain('exists with another digest');

    fireEvent.click(screen.getByRole('button', { name: /^Refused/ }));
    expect(table.querySelectorAll('tbody tr')).toHaveLength(1);

    fireEvent.click(within(table).getAllByRole('link', { name: 'r/prod/app:1.0.0' })[0]!);
    expect(useNavigation.getState().route).toEqual({ view: 'image', reference: 'r/prod/app:1.0.0' });
  });
});

/** A ResizeObserver reporting `width` for every element it observes (jsdom has none). */
function observeWidth(width: number): () => void {
  const saved = globalThis.ResizeObserver;
  globalThis.ResizeObserver = class {
    constructor(private readonly callback: ResizeObserverCallback) {}
    observe(target: Element) {
      this.callback([{ target, contentRect: { width } } as unknown as ResizeObserverEntry], this);
    }
    unobserve() {}
    disconnect() {}
  };
  return () => {
    globalThis.ResizeObserver = saved;
  };
}

/** The history on a table `observeWidth` measures (jsdom has no layout). */
async function renderHistory() {
  const api = scriptedApi({ 'promotion.audit': () => entries });
  await act(async () =>
    render(
      <ApiProvider api={api}>
        <HistoryView />
      </ApiProvider>,
    ),
  );
  return screen.findByRole('table', { name: 'Promotion history' });
}

const headers = (table: HTMLElement) =>
  within(table)
    .getAllByRole('columnheader')
    .map((th) => th.textContent);

describe('history columns in a narrow window (issue 20)', () => {
  it('hides Transfer in a narrow table, keeps the key columns, and the chooser brings it back', async () => {
    const restore = observeWidth(728);
    try {
      const table = await renderHistory();
      expect(headers(table)).toEqual(['When', 'Outcome', 'Source', 'Target', 'Digest', 'By']);
      fireEvent.click(screen.getByRole('button', { name: 'Columns (1 hidden)' }));
      const choices = screen.getByRole('group', { name: 'Columns' });
      fireEvent.click(within(choices).getByRole('checkbox', { name: 'Transfer' }));
      expect(headers(table)).toEqual(['When', 'Outcome', 'Source', 'Target', 'Digest', 'Transfer', 'By']);
      expect(table.querySelector('tr[data-outcome=success]')!.textContent).toContain('3 mounted');
      expect(screen.getByRole('button', { name: 'Columns' }).getAttribute('aria-expanded')).toBe('true');
      fireEvent.keyDown(choices, { key: 'Escape' });
      expect(screen.queryByRole('group', { name: 'Columns' })).toBeNull();
    } finally {
      restore();
    }
  });

  it('shows every column in a wide table; the chooser hides one on request', async () => {
    const restore = observeWidth(1400);
    try {
      const table = await renderHistory();
      expect(headers(table)).toEqual(['When', 'Outcome', 'Source', 'Target', 'Digest', 'Transfer', 'By']);
      fireEvent.click(screen.getByRole('button', { name: 'Columns' }));
      fireEvent.click(within(screen.getByRole('group', { name: 'Columns' })).getByRole('checkbox', { name: 'By' }));
      expect(headers(table)).toEqual(['When', 'Outcome', 'Source', 'Target', 'Digest', 'Transfer']);
      expect(screen.getByRole('button', { name: 'Columns (1 hidden)' })).toBeTruthy();
    } finally {
      restore();
    }
  });
});
