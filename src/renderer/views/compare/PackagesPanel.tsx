/**
 * The compare view's Packages tab: packages added, removed, upgraded and downgraded between the two images
 * (`packages.diff`, each ecosystem's own version order), read when the tab opens. Tests find the table by
 * its label "Package changes" and each row by `data-change` and `data-package`.
 */
import { useEffect, useMemo, useState } from 'react';
import type { PackageDiff } from '../../../shared/types/packages';
import { FilterBox } from '../../components/FilterBox';
import { ErrorState, LoadingState } from '../../components/states';
import { formatCount } from '../../logic/format';
import { pairKey, usePackages } from '../../stores/packages';

type Change = 'added' | 'removed' | 'upgraded' | 'downgraded';

interface Row {
  change: Change;
  type: string;
  name: string;
  left?: string;
  right?: string;
}

const MARKS: Record<Change, string> = { added: '+', removed: '−', upgraded: '↑', downgraded: '↓' };
const CLASSES: Record<Change, string> = {
  added: 'change-added',
  removed: 'change-removed',
  upgraded: 'change-modified',
  downgraded: 'change-removed',
};

export function packageRows(diff: PackageDiff): Row[] {
  const rows: Row[] = [
    ...diff.changed.map((item): Row => ({
      change: item.direction,
      type: item.type,
      name: item.name,
      left: item.from,
      right: item.to,
    })),
    ...diff.added.map((item): Row => ({ change: 'added', type: item.type, name: item.name, right: item.version })),
    ...diff.removed.map((item): Row => ({ change: 'removed', type: item.type, name: item.name, left: item.version })),
  ];
  return rows.sort((x, y) => x.type.localeCompare(y.type) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

export function PackagesPanel({ a, b }: { a: string; b: string }) {
  const diff = usePackages((s) => s.diffs[pairKey(a, b)]);
  const loadDiff = usePackages((s) => s.loadDiff);
  const [filter, setFilter] = useState('');
  useEffect(() => {
    void loadDiff(a, b);
  }, [a, b, loadDiff]);
  const rows = useMemo(() => (diff?.value ? packageRows(diff.value) : []), [diff?.value]);
  if (!diff || !diff.value)
    return (
      <LoadingState
        label="Reading the packages of both images…"
        detail="dpkg, apk, npm and Python metadata, read from the layers."
      />
    );
  if (diff.status === 'error')
    return (
      <ErrorState
        error={diff.error}
        context="Could not compare the packages"
        handlers={{ retry: () => void loadDiff(a, b, true) }}
      />
    );
  const count = (change: Change) => rows.filter((row) => row.change === change).length;
  const needle = filter.trim().toLowerCase();
  const shown = needle ? rows.filter((row) => row.name.toLowerCase().includes(needle)) : rows;
  if (rows.length === 0) return <p className="muted panel-note">The two images have the same packages.</p>;
  return (
    <div className="packages-panel">
      <div className="packages-toolbar">
        <p className="packages-summary" data-testid="package-summary">
          <span className="change-added">{formatCount(count('added'))} added</span> ·{' '}
          <span className="change-removed">{formatCount(count('removed'))} removed</span> ·{' '}
          <span className="change-modified">{formatCount(count('upgraded'))} upgraded</span> ·{' '}
          <span className="change-removed">{formatCount(count('downgraded'))} downgraded</span>
        </p>
        <FilterBox
          className="packages-filter"
          value={filter}
          onValue={setFilter}
          placeholder="Filter packages"
          aria-label="Filter packages"
        />
      </div>
      <table className="data-table packages-diff" aria-label="Package changes">
        <thead>
          <tr>
            <th>Change</th>
            <th>Type</th>
            <th>Package</th>
            <th>Left</th>
            <th>Right</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr
              key={`${row.type}\u0000${row.name}\u0000${row.left ?? ''}\u0000${row.right ?? ''}`}
              data-change={row.change}
              data-package={row.name}
            >
              <td className={CLASSES[row.change]}>
                <span aria-hidden="true">{MARKS[row.change]} </span>
                {row.change}
              </td>
              <td>{row.type}</td>
              <td className="mono">{row.name}</td>
              <td className="mono">{row.left ?? ''}</td>
              <td className="mono">{row.right ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 ? <p className="muted">No package matches the filter.</p> : null}
    </div>
  );
}
