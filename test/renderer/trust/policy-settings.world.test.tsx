// @vitest-environment jsdom
/**
 * Trust policies in Settings on the real backend: the pane saves one policy per call (`trust.savePolicy`,
 * `trust.removePolicy`), so an edit, a removal and a new policy on one registry reach the settings, and
 * another registry's policy is left as it was.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { TrustPolicySettings } from '../../../src/renderer/views/trust/TrustPolicySettings';
import { emptyTrustPolicy } from '../../../src/shared/trust-policy';
import { startRealBackend, type RealBackend } from '../support/backend';

const HOST = 'registry.example.test';
let backend: RealBackend;

beforeAll(async () => {
  backend = await startRealBackend();
  for (const [registry, namespace] of [
    [HOST, 'team-a/'],
    [HOST, 'team-b/'],
    ['other.example.test', ''],
  ] as const)
    await backend.api.call('trust.savePolicy', { policy: emptyTrustPolicy(registry, namespace) });
});
afterAll(async () => {
  await backend?.close();
});
afterEach(cleanup);

it('saves an edit, a removal and a new policy, one call each, leaving other registries alone', async () => {
  const before = await backend.api.call('trust.policies', {});
  render(
    <ApiProvider api={backend.api}>
      <TrustPolicySettings host={HOST} />
    </ApiProvider>,
  );
  const section = await screen.findByRole('region', { name: 'Trust policies' });
  const teamA = await within(section).findByRole('group', { name: `Trust policy ${HOST}/team-a/` });
  fireEvent.click(within(teamA).getByLabelText('Require a verified signature'));
  const teamB = within(section).getByRole('group', { name: `Trust policy ${HOST}/team-b/` });
  fireEvent.click(within(teamB).getByRole('button', { name: 'Remove policy' }));
  fireEvent.click(within(section).getByRole('button', { name: 'Add policy' }));
  const added = within(section).getByRole('group', { name: `Trust policy ${HOST}` });
  fireEvent.change(within(added).getByLabelText('Namespace', { exact: false }), { target: { value: 'team-c/' } });
  fireEvent.click(within(section).getByRole('button', { name: 'Save trust policies' }));
  await within(section).findByText('Saved.', {}, { timeout: 30_000 });

  const after = await backend.api.call('trust.policies', {});
  expect(after.map(({ registry, namespace, required }) => [registry, namespace, required])).toEqual([
    [HOST, 'team-a/', false],
    ['other.example.test', '', true],
    [HOST, 'team-c/', true],
  ]);
  // The edited and the untouched policies keep their ids; the removed one is gone.
  expect(after[0]!.id).toBe(before[0]!.id);
  expect(after[1]).toEqual(before[2]);
  await waitFor(() =>
    expect(within(section).queryByRole('group', { name: `Trust policy ${HOST}/team-b/` })).toBeNull(),
  );
});
