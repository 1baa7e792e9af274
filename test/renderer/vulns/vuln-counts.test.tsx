// @vitest-environment jsdom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { VulnCountsCell } from '../../../src/renderer/views/vulns/VulnCountsCell';
import type { AttachedReports } from '../../../src/shared/types/vulns';
import { scriptedApi } from '../promote/scripted-api';

afterEach(cleanup);

const REF = '127.0.0.1:5000/app@sha256:' + 'a'.repeat(64);
const counts = { critical: 1, high: 2, medium: 0, low: 3, none: 0, unknown: 0 };

function reports(verified: boolean): AttachedReports {
  return {
    reference: REF,
    digest: `sha256:${'a'.repeat(64)}`,
    reports: [{ format: 'cosign-vuln', source: 'x.att', verified, counts, vulnerabilities: [] }],
    counts,
    problems: [],
  };
}

describe('VulnCountsCell', () => {
  it('shows the severity counts of the attached reports, marking unverified ones', async () => {
    const api = scriptedApi({ 'vulns.attached': () => reports(false) });
    const { container } = render(
      <ApiProvider api={api}>
        <VulnCountsCell reference={REF} attached={[{ tag: 'sha256-x.att', kind: 'attestation' }]} />
      </ApiProvider>,
    );
    await waitFor(() => expect(container.querySelector('[data-vuln-counts]')).not.toBeNull());
    const cell = container.querySelector('[data-vuln-counts]')!;
    expect(cell.getAttribute('data-vuln-counts')).toBe('1 2 0 3');
    expect(cell.getAttribute('data-verified')).toBe('false');
    expect(cell.getAttribute('title')).toBe('1 critical, 2 high, 0 medium, 3 low from 1 report (not all verified)');
    expect(api.calls).toEqual([{ name: 'vulns.attached', input: { reference: REF } }]);
  });

  it('asks nothing for an image with nothing attached', () => {
    const api = scriptedApi({});
    render(
      <ApiProvider api={api}>
        <VulnCountsCell reference={REF} attached={[{ tag: 'sha256-x.sig', kind: 'signature' }]} />
      </ApiProvider>,
    );
    expect(screen.getByText('—')).toBeTruthy();
    expect(api.calls).toEqual([]);
  });
});
