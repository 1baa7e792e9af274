// @vitest-environment jsdom
/**
 * The Sync view's states on a scripted client: a plan with nothing to write offers no run, a failed run's
 * tags are named beside their rows, a rule the settings refuse keeps the form open with main's message, and
 * a dry run main refuses shows its error.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { SyncView } from '../../../src/renderer/views/sync/SyncView';
import { BerthError } from '../../../src/shared/errors';
import type { SyncPlan, SyncRule, SyncTagPlan } from '../../../src/shared/types/sync';
import { scriptedApi, type Script } from '../promote/scripted-api';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const rule: SyncRule = {
  name: 'nightly',
  source: '127.0.0.1:5000/prod/',
  target: '127.0.0.1:5001/mirror/prod/',
  tags: 'prod-*',
  referrers: true,
  mode: 'copy',
  delete: false,
};

function tag(name: string, action: SyncTagPlan['action'], extra: Partial<SyncTagPlan> = {}): SyncTagPlan {
  return {
    repository: 'mirror/prod/app',
    sourceRepository: 'prod/app',
    tag: name,
    action,
    digest: digest('a'),
    blobsToCopy: 0,
    blobsToMount: 0,
    bytesToCopy: 0,
    ...extra,
  };
}

function plan(tags: SyncTagPlan[]): SyncPlan {
  return {
    rule,
    sourceRegistry: '127.0.0.1:5000',
    targetRegistry: '127.0.0.1:5001',
    tags,
    planHash: `sha256:${'c'.repeat(64)}`,
    blobsToCopy: 0,
    blobsToMount: 0,
    bytesToCopy: 0,
    notes: [],
  };
}

function mount(script: Script) {
  const api = scriptedApi({ 'sync.rules': () => [rule], ...script });
  render(
    <ApiProvider api={api}>
      <SyncView />
    </ApiProvider>,
  );
  return api;
}

afterEach(cleanup);

describe('Sync view', () => {
  it('a plan of same and differs only offers no run', async () => {
    mount({
      'sync.plan': () => plan([tag('prod-1', 'same'), tag('prod-2', 'differs', { targetDigest: digest('b') })]),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Dry run' }));
    const table = await screen.findByRole('table', { name: 'Sync plan' });
    expect(within(table).getByText('Differs (left alone)')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Run sync' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('names each failed tag beside its row after a run', async () => {
    const api = mount({
      'sync.plan': () => plan([tag('prod-1', 'new'), tag('prod-2', 'new')]),
      'sync.run': () => ({
        tags: [tag('prod-1', 'new'), tag('prod-2', 'new')],
        blobsCopied: 2,
        blobsMounted: 0,
        bytesCopied: 10,
        manifestsWritten: 2,
        failures: [{ repository: 'mirror/prod/app', tag: 'prod-2', code: 'denied', message: 'push refused' }],
        durationMs: 5,
      }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Dry run' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Run sync' }));
    expect((await screen.findByTestId('sync-result')).textContent).toMatch(/^1 failed\./);
    expect(screen.getByRole('alert').textContent).toBe('Failed: push refused');
    expect(api.calls.find((call) => call.name === 'sync.run')?.input).toMatchObject({ rule });
  });

  it('after a run shows each tag done, failed or unchanged, and runs exactly the shown plan', async () => {
    const shown = plan([tag('prod-1', 'new'), tag('prod-2', 'new'), tag('prod-3', 'same')]);
    const api = mount({
      'sync.plan': () => shown,
      'sync.run': () => ({
        tags: shown.tags,
        blobsCopied: 2,
        blobsMounted: 0,
        bytesCopied: 10,
        manifestsWritten: 1,
        failures: [{ repository: 'mirror/prod/app', tag: 'prod-2', code: 'conflict', message: 'the source moved' }],
        durationMs: 5,
      }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Dry run' }));
    expect(screen.queryByRole('columnheader', { name: 'Result' })).toBeNull();
    fireEvent.click(await screen.findByRole('button', { name: 'Run sync' }));
    await screen.findByTestId('sync-result');
    const table = screen.getByRole('table', { name: 'Sync plan' });
    expect(within(table).getByRole('columnheader', { name: 'Result' })).toBeTruthy();
    const outcomes = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => [
        row.getAttribute('data-tag'),
        row.getAttribute('data-outcome'),
        row.lastElementChild?.textContent,
      ]);
    expect(outcomes).toEqual([
      ['prod-1', 'done', 'Done'],
      ['prod-2', 'failed', 'Failed'],
      ['prod-3', 'unchanged', 'Unchanged'],
    ]);
    expect(api.calls.find((call) => call.name === 'sync.run')?.input).toMatchObject({
      plan: { planHash: shown.planHash, tags: shown.tags },
    });
  });

  it('asks for a reason when gates fail and sends it as the override', async () => {
    const api = mount({
      'sync.plan': () => plan([tag('prod-1', 'new', { gated: 'gated: SBOM attached (prod): none found' })]),
      'sync.run': () => ({
        tags: [tag('prod-1', 'new')],
        blobsCopied: 1,
        blobsMounted: 0,
        bytesCopied: 1,
        manifestsWritten: 1,
        failures: [],
        durationMs: 1,
      }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Dry run' }));
    fireEvent.change(await screen.findByLabelText('Override reason'), { target: { value: 'hotfix INC-42' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run sync' }));
    await screen.findByTestId('sync-result');
    expect(api.calls.find((call) => call.name === 'sync.run')?.input).toMatchObject({
      override: { reason: 'hotfix INC-42' },
    });
  });

  it('keeps the rule form open with the message main refused it with', async () => {
    mount({
      'sync.setRules': () => {
        throw new BerthError('invalid_input', 'rules.0.source: host/namespace/ or host/repository');
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'New rule' }));
    const dialog = await screen.findByRole('dialog', { name: 'New sync rule' });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'bad' } });
    fireEvent.change(within(dialog).getByLabelText('Source'), { target: { value: 'nohost' } });
    fireEvent.change(within(dialog).getByLabelText('Target'), { target: { value: 'h:1/x/' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save rule' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('host/namespace/'));
    expect(screen.getByRole('dialog', { name: 'New sync rule' })).toBeTruthy();
  });

  it('shows the error of a dry run main refuses', async () => {
    mount({
      'sync.plan': () => {
        throw new BerthError('not_found', 'No repository on 127.0.0.1:5000 matches 127.0.0.1:5000/prod/.');
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Dry run' }));
    expect((await screen.findByText(/No repository on 127.0.0.1:5000 matches/)).textContent).toBeTruthy();
  });
});
