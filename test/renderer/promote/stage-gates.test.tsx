// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { StageGatesEditor } from '../../../src/renderer/views/promote/StageGatesEditor';
import type { StageGate } from '../../../src/shared/types/promotion';

afterEach(cleanup);

function Harness({ initial, seen }: { initial: StageGate[]; seen: StageGate[][] }) {
  const [gates, setGates] = useState(initial);
  return (
    <StageGatesEditor
      stage="prod"
      gates={gates}
      onChange={(next) => {
        seen.push(next);
        setGates(next);
      }}
    />
  );
}

describe('StageGatesEditor', () => {
  it('sets a signature (with a policy), a severity threshold and an SBOM, one gate per kind', () => {
    const seen: StageGate[][] = [];
    render(<Harness initial={[]} seen={seen} />);
    fireEvent.click(screen.getByLabelText('prod: require a verified signature'));
    fireEvent.change(screen.getByLabelText('prod: trust policy'), { target: { value: 'ci' } });
    fireEvent.change(screen.getByLabelText('prod: block vulnerabilities at or above'), { target: { value: 'high' } });
    fireEvent.click(screen.getByLabelText('prod: require an SBOM'));
    expect(seen.at(-1)).toEqual([
      { kind: 'signature', policy: 'ci' },
      { kind: 'vulnerabilities', severity: 'high' },
      { kind: 'sbom' },
    ]);
    // Clearing each one removes it and keeps the others.
    fireEvent.change(screen.getByLabelText('prod: block vulnerabilities at or above'), { target: { value: '' } });
    fireEvent.click(screen.getByLabelText('prod: require a verified signature'));
    expect(seen.at(-1)).toEqual([{ kind: 'sbom' }]);
    expect(screen.queryByLabelText('prod: trust policy')).toBeNull();
  });
});
