// @vitest-environment jsdom
/** The shared components: virtualized table, tree, status bar with operations, copy button, states. */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { CopyButton } from '../../../src/renderer/components/CopyButton';
import { ErrorState } from '../../../src/renderer/components/states';
import { StatusBar } from '../../../src/renderer/components/StatusBar';
import { Tree, type TreeItem } from '../../../src/renderer/components/Tree';
import { VirtualTable } from '../../../src/renderer/components/VirtualTable';
import { DONE_VISIBLE_MS, runOperation, useOperations } from '../../../src/renderer/stores/operations';
import { BerthError } from '../../../src/shared/errors';
import { deferred, giveElementsASize, scriptedApi } from '../promote/scripted-api';

afterEach(cleanup);

describe('VirtualTable', () => {
  let restore: () => void;
  beforeAll(() => (restore = giveElementsASize(280, 800)));
  afterAll(() => restore());
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `row-${i}`, n: i }));

  it('renders only the rows in view, and moves, pages and activates by keyboard', () => {
    const activated: number[] = [];
    const onSort = vi.fn();
    render(
      <VirtualTable
        label="Numbers"
        rows={rows}
        rowKey={(r) => r.id}
        rowHeight={28}
        onActivate={(r) => activated.push(r.n)}
        columns={[
          { id: 'n', header: 'Number', width: '1fr', sort: { direction: 'asc', onSort }, cell: (r) => String(r.n) },
          { id: 'sq', header: 'Square', width: '1fr', align: 'end', cell: (r) => String(r.n * r.n) },
        ]}
      />,
    );
    const grid = screen.getByRole('grid', { name: 'Numbers' });
    expect(grid.getAttribute('aria-rowcount')).toBe('10001');
    const rendered = grid.querySelectorAll('[data-row-key]').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);
    expect(screen.getByRole('columnheader', { name: /Number/ }).getAttribute('aria-sort')).toBe('ascending');
    fireEvent.click(within(screen.getByRole('columnheader', { name: /Number/ })).getByRole('button'));
    expect(onSort).toHaveBeenCalledOnce();

    act(() => grid.focus());
    const active = () => {
      const id = grid.getAttribute('aria-activedescendant') ?? '';
      return decodeURIComponent(id.slice(id.indexOf('-row-') + '-row-'.length));
    };
    expect(active()).toBe('row-0');
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(active()).toBe('row-2');
    fireEvent.keyDown(grid, { key: 'PageDown' });
    expect(Number(active()!.slice(4))).toBeGreaterThan(5);
    fireEvent.keyDown(grid, { key: 'End' });
    expect(active()).toBe('row-9999');
    fireEvent.keyDown(grid, { key: 'Home' });
    fireEvent.keyDown(grid, { key: 'ArrowUp' });
    expect(active()).toBe('row-0');
    fireEvent.keyDown(grid, { key: 'Enter' });
    fireEvent.click(grid.querySelector('[data-row-key="row-3"]')!);
    expect(activated).toEqual([0, 3]);
  });

  it('shows its empty state when there are no rows', () => {
    render(<VirtualTable label="Empty" rows={[]} rowKey={() => ''} columns={[]} empty={<p>Nothing here</p>} />);
    expect(screen.getByText('Nothing here')).toBeTruthy();
  });
});

describe('Tree', () => {
  const items = (expanded: Set<string>): TreeItem[] => {
    const list: TreeItem[] = [
      { id: 'a', text: 'alpha', depth: 0, expandable: true, expanded: expanded.has('a'), selected: false },
    ];
    if (expanded.has('a'))
      list.push(
        { id: 'a1', text: 'one', depth: 1, expandable: false, expanded: false, selected: false },
        { id: 'a2', text: 'two', depth: 1, expandable: false, expanded: false, selected: true },
      );
    list.push({ id: 'b', text: 'beta', depth: 0, expandable: false, expanded: false, selected: false });
    return list;
  };

  it('walks with arrows: right opens and enters, left goes to the parent and closes; Enter selects; letters jump', () => {
    const expanded = new Set<string>();
    const selected: string[] = [];
    const { rerender } = render(
      <Tree label="Things" items={items(expanded)} onToggle={() => undefined} onSelect={(id) => selected.push(id)} />,
    );
    const toggle = (id: string, open: boolean) => {
      if (open) expanded.add(id);
      else expanded.delete(id);
      rerender(<Tree label="Things" items={items(expanded)} onToggle={toggle} onSelect={(id) => selected.push(id)} />);
    };
    rerender(<Tree label="Things" items={items(expanded)} onToggle={toggle} onSelect={(id) => selected.push(id)} />);
    const item = (name: string) => screen.getByRole('treeitem', { name });
    act(() => item('alpha').focus());
    fireEvent.keyDown(item('alpha'), { key: 'ArrowRight' });
    expect(item('alpha').getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(item('alpha'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(item('one'));
    expect(item('one').getAttribute('aria-level')).toBe('2');
    fireEvent.keyDown(item('one'), { key: 'ArrowDown' });
    fireEvent.keyDown(item('two'), { key: 'Enter' });
    expect(selected).toEqual(['a2']);
    fireEvent.keyDown(item('two'), { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(item('alpha'));
    fireEvent.keyDown(item('alpha'), { key: 'ArrowLeft' });
    expect(screen.queryByRole('treeitem', { name: 'one' })).toBeNull();
    fireEvent.keyDown(item('alpha'), { key: 'b' });
    expect(document.activeElement).toBe(item('beta'));
  });
});

describe('StatusBar and operations', () => {
  it('shows progress from main, finishes with the call, and keeps a failure until dismissed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const release = deferred<string>();
      const cancelled: string[] = [];
      const api = scriptedApi({
        'docker.pull': () => release.promise.then((reference) => ({ reference })),
        'operations.cancel': ({ operationId }) => {
          cancelled.push(operationId);
          return { cancelled: true };
        },
      });
      render(
        <ApiProvider api={api}>
          <StatusBar>v1</StatusBar>
        </ApiProvider>,
      );
      const status = screen.getByRole('status', { name: 'Operations' });
      expect(status.textContent).toContain('Ready');

      let operationId = '';
      let pull!: Promise<unknown>;
      act(() => {
        pull = runOperation(api, { kind: 'docker.pull', label: 'Pull app:1' }, (id) => {
          operationId = id;
          return api.call('docker.pull', { reference: 'app:1', operationId: id });
        });
      });
      act(() =>
        api.emit('operation.progress', {
          operationId,
          kind: 'docker.pull',
          status: 'Downloading',
          current: 30,
          total: 100,
          done: false,
        }),
      );
      const line = status.querySelector('[data-operation-kind="docker.pull"]')!;
      expect(line.textContent).toContain('Pull app:1');
      expect(line.textContent).toContain('Downloading');
      expect(line.textContent).toContain('30 / 100');
      expect(
        within(line as HTMLElement)
          .getByRole('progressbar')
          .getAttribute('aria-valuenow'),
      ).toBe('30');

      fireEvent.click(within(line as HTMLElement).getByRole('button', { name: 'Cancel Pull app:1' }));
      await act(async () => undefined);
      expect(cancelled).toEqual([operationId]);

      await act(async () => {
        release.resolve('app:1');
        await pull;
      });
      expect(status.textContent).toContain('Done');
      act(() => vi.advanceTimersByTime(DONE_VISIBLE_MS + 10));
      expect(status.textContent).toContain('Ready');

      await act(async () => {
        await runOperation(api, { kind: 'promotion', label: 'Promote x' }, async () => {
          throw new BerthError('denied', 'push to prod/app denied');
        }).catch(() => undefined);
      });
      act(() => vi.advanceTimersByTime(DONE_VISIBLE_MS * 2));
      expect(status.textContent).toContain('push to prod/app denied');
      fireEvent.click(screen.getByRole('button', { name: 'Dismiss Promote x' }));
      expect(status.textContent).toContain('Ready');
      expect(Object.keys(useOperations.of(api).getState().entries)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('CopyButton and states', () => {
  it('copies and confirms in place', async () => {
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void written.push(text) },
    });
    render(<CopyButton text="docker pull a:1" label="Copy pull command" />);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy pull command' }));
    });
    expect(written).toEqual(['docker pull a:1']);
    expect(screen.getByRole('button', { name: 'Copy pull command' }).getAttribute('data-copied')).toBe('true');
  });

  it('puts the action that answers an error first, and only the ones the view offers', () => {
    const signIn = vi.fn();
    render(
      <ErrorState
        error={{ code: 'unauthorized', message: 'Sign in to ghcr.io' }}
        handlers={{ retry: () => undefined, signIn }}
      />,
    );
    const buttons = within(screen.getByTestId('error-state')).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Sign in…', 'Try again']);
    fireEvent.click(buttons[0]!);
    expect(signIn).toHaveBeenCalledOnce();
  });
});
