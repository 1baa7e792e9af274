// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { usePromotion } from '../../../src/renderer/stores/promotion';
import { PromoteDialog } from '../../../src/renderer/views/promote/PromoteDialog';
import { BerthError } from '../../../src/shared/errors';
import type { PromotionPlan, PromotionResult } from '../../../src/shared/types/promotion';
import { deferred, scriptedApi, type ScriptedApi } from './scripted-api';

const SOURCE = '127.0.0.1:5000/dev/app:1.0.0';
const TARGET = '127.0.0.1:5000/prod/app:1.0.0';
const digest = (c: string) => `sha256:${c.repeat(64)}`;

function plan(overrides: Partial<PromotionPlan> = {}): PromotionPlan {
  return {
    source: SOURCE,
    pinnedSource: `${SOURCE}@${digest('a')}`,
    target: TARGET,
    sourceDigest: digest('a'),
    targetDigest: digest('a'),
    strategy: 'mount',
    blobs: [
      {
        digest: digest('c'),
        size: 1_200,
        mediaType: 'application/vnd.docker.container.image.v1+json',
        action: 'mount',
      },
      {
        digest: digest('1'),
        size: 3_000_000,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        action: 'mount',
      },
      {
        digest: digest('2'),
        size: 2_500_000,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        action: 'copy',
      },
      {
        digest: digest('3'),
        size: 400,
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        action: 'present',
      },
    ],
    manifests: [
      {
        digest: digest('a'),
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        size: 900,
        action: 'put',
        role: 'image',
        tag: '1.0.0',
      },
    ],
    referrers: [],
    platforms: [],
    bytesToCopy: 2_500_000,
    overwrites: false,
    upToDate: false,
    notes: [],
    pushAccess: { status: 'granted', user: 'alice', message: 'alice may push to prod/app.' },
    gates: [],
    ...overrides,
  };
}

const result: PromotionResult = {
  source: SOURCE,
  sourceDigest: digest('a'),
  target: TARGET,
  digest: digest('a'),
  strategy: 'mount',
  blobsMounted: 2,
  blobsCopied: 1,
  bytesCopied: 2_500_000,
  skipped: 1,
  manifestsWritten: 1,
  referrersCopied: 0,
  durationMs: 1_234,
};

afterEach(cleanup);

function renderDialog(api: ScriptedApi) {
  render(
    <ApiProvider api={api}>
      <PromoteDialog />
    </ApiProvider>,
  );
  return usePromotion.of(api).getState();
}

const dialog = () => screen.getByRole('dialog', { name: 'Promote' });
const body = () => screen.getByTestId('promote-dialog-body');

describe('PromoteDialog', () => {
  it('renders the plan: what is mounted, what is copied and how many bytes', async () => {
    const api = scriptedApi({ 'promotion.plan': () => plan() });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET, 'main: dev → prod'));
    expect(body().getAttribute('data-phase')).toBe('plan');
    expect(dialog().textContent).toContain('main: dev → prod');
    expect(within(dialog()).getByTestId('plan-mounted').textContent).toBe('2 blobs · 3.00 MB');
    expect(within(dialog()).getByTestId('plan-copied').textContent).toBe('1 blob · 2.50 MB');
    expect(dialog().textContent).toContain('mounted across repositories');
    expect(screen.queryByTestId('overwrite-warning')).toBeNull();
    expect(screen.getByRole('button', { name: 'Promote' })).toHaveProperty('disabled', false);

    fireEvent.click(screen.getByRole('button', { name: /Show the 4 blobs/ }));
    const blobs = screen.getByRole('table', { name: 'Blobs' });
    expect(blobs.querySelectorAll('tr[data-action=copy]')).toHaveLength(1);
    expect(blobs.querySelectorAll('tr[data-action=mount]')).toHaveLength(2);
    expect(api.calls[0]).toEqual({ name: 'promotion.plan', input: { source: SOURCE, target: TARGET, force: false } });
  });

  it('says what a re-tag writes in words: no "0 blobs" rows, the manifest already there, the tag created or re-pointed', async () => {
    const retag = (overrides: Partial<PromotionPlan>) =>
      plan({
        strategy: 'same-repository',
        target: '127.0.0.1:5000/dev/app:stable',
        blobs: plan().blobs.map((blob) => ({ ...blob, action: 'present' as const })),
        bytesToCopy: 0,
        manifests: plan().manifests.map((m) => ({ ...m, action: 'present' as const, tag: 'stable' })),
        ...overrides,
      });
    let next = retag({});
    const api = scriptedApi({ 'promotion.plan': () => next });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, '127.0.0.1:5000/dev/app:stable'));
    const summary = within(dialog()).getByTestId('plan-summary');
    expect(summary.textContent).not.toMatch(/(^|\D)0 blobs?/);
    expect(summary.textContent).not.toContain('0 to write');
    expect(within(summary).queryByTestId('plan-mounted')).toBeNull();
    expect(within(summary).queryByTestId('plan-copied')).toBeNull();
    expect(within(summary).getByTestId('plan-present').textContent).toBe('all 4 blobs · 5.50 MB');
    expect(within(summary).getByTestId('plan-manifests').textContent).toBe('already there');
    expect(within(summary).getByTestId('plan-tag').textContent).toBe(':stable created');

    next = retag({ existingTargetDigest: digest('b'), overwrites: true });
    await act(() => store.propose(SOURCE, '127.0.0.1:5000/dev/app:stable'));
    expect(within(dialog()).getByTestId('plan-tag').textContent).toBe(':stable re-pointed from sha256:bbbbbbbbbbbb');
  });

  it('warns when the target tag exists with another digest and refuses until the user confirms the overwrite', async () => {
    const execute = deferred<PromotionResult>();
    const api = scriptedApi({
      'promotion.plan': () => plan({ overwrites: true, existingTargetDigest: digest('b') }),
      'promotion.execute': () => execute.promise,
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    const warning = screen.getByTestId('overwrite-warning');
    expect(warning.getAttribute('role')).toBe('alert');
    expect(warning.textContent).toContain(`${TARGET} already exists with another digest.`);
    expect(warning.textContent).toContain(`Now sha256:bbbbbbbbbbbb, after promotion sha256:aaaaaaaaaaaa`);

    const promote = screen.getByRole('button', { name: 'Replace and promote' });
    expect(promote).toHaveProperty('disabled', true);
    // confirm() without the tick does nothing either.
    await act(() => usePromotion.of(api).getState().confirm());
    expect(api.calls.some((c) => c.name === 'promotion.execute')).toBe(false);

    fireEvent.click(within(warning).getByRole('checkbox', { name: 'Replace the existing tag' }));
    expect(promote).toHaveProperty('disabled', false);
    fireEvent.click(promote);
    await waitFor(() =>
      expect(api.calls.find((c) => c.name === 'promotion.execute')?.input).toMatchObject({
        source: `${SOURCE}@${digest('a')}`,
        target: TARGET,
        force: true,
      }),
    );
    await act(async () => execute.resolve(result));
  });

  it('says before Promote whether the target accepts the push, and offers no Promote the target refuses', async () => {
    const message =
      'bob may pull but not push to prod/app: the promotion would fail. Ask an administrator of 127.0.0.1:5000 for push access, or sign in as a user who has it.';
    const api = scriptedApi({
      'promotion.plan': () => plan({ pushAccess: { status: 'denied', user: 'bob', message } }),
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    const access = screen.getByTestId('push-access');
    expect(access.getAttribute('data-status')).toBe('denied');
    expect(access.getAttribute('role')).toBe('alert');
    expect(access.textContent).toBe(`No push access. ${message}`);
    expect(screen.getByRole('button', { name: 'Promote' })).toHaveProperty('disabled', true);
    await act(() => usePromotion.of(api).getState().confirm());
    expect(api.calls.map((c) => c.name)).toEqual(['promotion.plan']);
  });

  it('shows a push that cannot be checked without writing as "not checked", and lets the user promote', async () => {
    const message =
      'Push access not checked: 127.0.0.1:5000 uses Basic sign-in, which says whether alice may push to prod/app only when something is written.';
    const api = scriptedApi({ 'promotion.plan': () => plan({ pushAccess: { status: 'unchecked', message } }) });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    const access = screen.getByTestId('push-access');
    expect(access.getAttribute('data-status')).toBe('unchecked');
    expect(access.textContent).toBe(message);
    expect(screen.getByRole('button', { name: 'Promote' })).toHaveProperty('disabled', false);
  });

  it('cancel on the plan closes without executing', async () => {
    const api = scriptedApi({ 'promotion.plan': () => plan({ overwrites: true, existingTargetDigest: digest('b') }) });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.calls.map((c) => c.name)).toEqual(['promotion.plan']);
  });

  it('shows live progress while executing, then the resulting digest', async () => {
    const execute = deferred<PromotionResult>();
    const api = scriptedApi({ 'promotion.plan': () => plan(), 'promotion.execute': () => execute.promise });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    fireEvent.click(screen.getByRole('button', { name: 'Promote' }));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('executing'));
    const operationId = (api.calls.find((c) => c.name === 'promotion.execute')!.input as { operationId: string })
      .operationId;

    act(() =>
      api.emit('operation.progress', {
        operationId,
        kind: 'promotion',
        status: 'Copying blobs',
        current: 1_000_000,
        total: 2_500_000,
        items: [{ id: digest('2'), status: 'Copying', current: 1_000_000, total: 2_500_000 }],
        done: false,
      }),
    );
    const progress = screen.getByTestId('promote-progress');
    expect(progress.textContent).toContain('Copying blobs');
    const bar = within(progress).getByRole('progressbar', { name: 'Promotion progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('1000000');
    expect(bar.getAttribute('aria-valuemax')).toBe('2500000');
    expect(progress.textContent).toContain('1.00 MB of 2.50 MB');
    expect(within(progress).getByRole('progressbar', { name: `${digest('2')} progress` })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Cancel promotion' })).toBeTruthy();

    await act(async () => execute.resolve(result));
    expect(body().getAttribute('data-phase')).toBe('done');
    expect(screen.getByTestId('promotion-digest').textContent).toBe(digest('a'));
    expect(screen.getByTestId('promote-result').textContent).toContain('1 blob · 2.50 MB');
  });

  it('cancelling a running promotion asks main to cancel and shows the cancelled state', async () => {
    const execute = deferred<PromotionResult>();
    const api = scriptedApi({
      'promotion.plan': () => plan(),
      'promotion.execute': () => execute.promise,
      'operations.cancel': () => {
        execute.reject(new BerthError('cancelled', 'The promotion was cancelled.'));
        return { cancelled: true };
      },
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    fireEvent.click(screen.getByRole('button', { name: 'Promote' }));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('executing'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel promotion' })));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('failed'));
    expect(screen.getByTestId('promote-error').getAttribute('data-error-code')).toBe('cancelled');
    expect(api.calls.some((c) => c.name === 'operations.cancel')).toBe(true);
  });

  it('shows a refused or failed execution whole, and a plan that cannot be made', async () => {
    const api = scriptedApi({
      'promotion.plan': ({ target }) => {
        if (target.endsWith(':missing'))
          throw new BerthError('not_found', 'dev/app:missing does not exist in 127.0.0.1:5000.');
        return plan();
      },
      'promotion.execute': () => {
        throw new BerthError(
          'conflict',
          'prod/app:1.0.0 now points at sha256:bbbb…; promote with force to replace it.',
        );
      },
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, `${TARGET.slice(0, TARGET.lastIndexOf(':'))}:missing`));
    expect(screen.getByTestId('promote-error').textContent).toContain(
      'Could not plan this promotion.dev/app:missing does not exist in 127.0.0.1:5000.',
    );

    await act(() => store.propose(SOURCE, TARGET));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Promote' })));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('failed'));
    const error = screen.getByTestId('promote-error');
    expect(error.getAttribute('data-error-code')).toBe('conflict');
    expect(error.textContent).toContain('promote with force to replace it');
  });

  it('executes the source digest it showed, pinned, not the source tag', async () => {
    const api = scriptedApi({ 'promotion.plan': () => plan(), 'promotion.execute': () => result });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    expect(within(dialog()).getByTestId('plan-source-digest').textContent).toBe(digest('a'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Promote' })));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('done'));
    expect(api.calls.find((c) => c.name === 'promotion.execute')?.input).toMatchObject({
      source: `${SOURCE}@${digest('a')}`,
      target: TARGET,
    });
  });

  it('shows and sends the source digest for a platform subset too (the target digest is a new index)', async () => {
    const subset = plan({
      sourceDigest: digest('e'),
      pinnedSource: `${SOURCE}@${digest('e')}`,
      targetDigest: digest('f'),
      platforms: ['linux/arm64'],
    });
    const api = scriptedApi({
      'promotion.plan': () => subset,
      'promotion.execute': () => ({ ...result, sourceDigest: digest('e'), digest: digest('f') }),
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    expect(within(dialog()).getByTestId('plan-source-digest').textContent).toBe(digest('e'));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Promote' })));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('done'));
    expect(api.calls.find((c) => c.name === 'promotion.execute')?.input).toMatchObject({
      source: `${SOURCE}@${digest('e')}`,
    });
  });

  it('when the source tag moved since the plan, says so and offers the new plan', async () => {
    let planned = 0;
    const api = scriptedApi({
      'promotion.plan': () =>
        ++planned === 1
          ? plan()
          : plan({ sourceDigest: digest('b'), targetDigest: digest('b'), pinnedSource: `${SOURCE}@${digest('b')}` }),
      'promotion.execute': () => {
        throw new BerthError(
          'conflict',
          `${SOURCE} now points to ${digest('b')} (planned ${digest('a')}); nothing was written. Review the new plan.`,
          {
            reason: 'source_moved',
            currentDigest: digest('b'),
            plannedDigest: digest('a'),
          },
        );
      },
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Promote' })));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('failed'));
    const error = screen.getByTestId('promote-error');
    expect(error.textContent).toContain('The source tag moved.');
    expect(error.textContent).toContain(`now points to ${digest('b')}`);

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Review the new plan' })));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('plan'));
    expect(api.calls.filter((c) => c.name === 'promotion.plan').map((c) => c.input)).toEqual([
      { source: SOURCE, target: TARGET, force: false },
      { source: SOURCE, target: TARGET, force: false },
    ]);
    expect(within(dialog()).getByTestId('plan-source-digest').textContent).toBe(digest('b'));
  });

  it('disables Promote when the target is already up to date', async () => {
    const api = scriptedApi({
      'promotion.plan': () => plan({ upToDate: true, existingTargetDigest: digest('a'), blobs: [], bytesToCopy: 0 }),
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    expect(screen.getByTestId('up-to-date')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Promote' })).toHaveProperty('disabled', true);
  });

  it('asks for the target when opened from "Another repository or registry…"', async () => {
    const api = scriptedApi({ 'promotion.plan': () => plan() });
    const store = renderDialog(api);
    act(() => store.chooseTarget(SOURCE, SOURCE));
    const input = screen.getByRole('textbox', { name: /Target/ });
    fireEvent.change(input, { target: { value: TARGET } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Plan' })));
    await waitFor(() => expect(body().getAttribute('data-phase')).toBe('plan'));
    expect(api.calls[0]!.input).toMatchObject({ source: SOURCE, target: TARGET });
  });
});

describe('PromoteDialog gates', () => {
  const gates: PromotionPlan['gates'] = [
    { gate: { kind: 'signature' }, stage: 'prod', passed: true, message: 'Signed by ci, verified.' },
    {
      gate: { kind: 'vulnerabilities', severity: 'high' },
      stage: 'prod',
      passed: false,
      evidence: ['attached'],
      message: '1 at or above high: CVE-2023-4911 (high, libc6); by 1 verified attached report.',
    },
  ];

  it('shows each gate, blocks Promote while one fails, and promotes with the override reason once given', async () => {
    const execute = deferred<PromotionResult>();
    const api = scriptedApi({ 'promotion.plan': () => plan({ gates }), 'promotion.execute': () => execute.promise });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    const list = screen.getByTestId('gate-results');
    expect([...list.querySelectorAll('li')].map((li) => [li.dataset.gate, li.dataset.passed])).toEqual([
      ['signature', 'true'],
      ['vulnerabilities', 'false'],
    ]);
    expect(list.textContent).toContain('no vulnerabilities at or above high (by attached reports)');
    expect(list.textContent).toContain('CVE-2023-4911');
    const promote = screen.getByRole('button', { name: 'Promote' });
    expect(promote).toHaveProperty('disabled', true);
    await act(() => usePromotion.of(api).getState().confirm());
    expect(api.calls.some((c) => c.name === 'promotion.execute')).toBe(false);

    fireEvent.change(screen.getByLabelText('Override reason'), { target: { value: 'approved by security, SEC-42' } });
    const override = screen.getByRole('button', { name: 'Override and promote' });
    expect(override).toHaveProperty('disabled', false);
    fireEvent.click(override);
    await waitFor(() =>
      expect(api.calls.find((c) => c.name === 'promotion.execute')?.input).toMatchObject({
        override: { reason: 'approved by security, SEC-42' },
      }),
    );
    await act(async () => execute.resolve(result));
  });

  it('sends no override when every gate passes', async () => {
    const execute = deferred<PromotionResult>();
    const api = scriptedApi({
      'promotion.plan': () => plan({ gates: [gates[0]!] }),
      'promotion.execute': () => execute.promise,
    });
    const store = renderDialog(api);
    await act(() => store.propose(SOURCE, TARGET));
    expect(screen.queryByTestId('gate-blocked')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Promote' }));
    await waitFor(() => expect(api.calls.some((c) => c.name === 'promotion.execute')).toBe(true));
    expect(api.calls.find((c) => c.name === 'promotion.execute')?.input).not.toHaveProperty('override');
    await act(async () => execute.resolve(result));
  });
});
