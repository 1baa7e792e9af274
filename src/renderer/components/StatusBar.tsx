/**
 * The bottom bar: running operations with progress (from the operations store), the latest first; a
 * failed one stays until dismissed. `children` fills the right side (connection, version).
 * Test hooks: role "status" named "Operations"; each operation is a listitem with data-operation-kind.
 */
import { useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount } from '../logic/format';
import { useOperations, type OperationEntry } from '../stores/operations';
import { Icon } from './Icon';
import { ProgressBar } from './Progress';
import { Spinner } from './states';

function OperationLine({ entry }: { entry: OperationEntry }) {
  const cancel = useOperations((s) => s.cancel);
  const dismiss = useOperations((s) => s.dismiss);
  const counts = entry.total > 0 ? `${formatCount(entry.current)} / ${formatCount(entry.total)}` : null;
  return (
    <li
      className={`operation${entry.error && entry.error.code !== 'cancelled' ? ' failed' : ''}${entry.done ? ' done' : ''}`}
      data-operation-kind={entry.kind}
      data-operation-id={entry.id}
    >
      {entry.done ? <Icon name={entry.error ? 'alert' : 'check'} size={12} /> : <Spinner size={11} />}
      <span className="operation-label" title={entry.label}>
        {entry.label}
      </span>
      <span className="operation-status">
        {entry.error && entry.error.code !== 'cancelled' ? entry.error.message : entry.status}
      </span>
      {!entry.done ? <ProgressBar current={entry.current} total={entry.total} label={entry.label} /> : null}
      {counts && !entry.done ? <span className="operation-counts">{counts}</span> : null}
      {!entry.done && entry.cancellable ? (
        <button
          type="button"
          className="icon-button"
          aria-label={`Cancel ${entry.label}`}
          onClick={() => void cancel(entry.id)}
        >
          <Icon name="close" size={11} />
        </button>
      ) : null}
      {entry.done && entry.error ? (
        <button
          type="button"
          className="icon-button"
          aria-label={`Dismiss ${entry.label}`}
          onClick={() => dismiss(entry.id)}
        >
          <Icon name="close" size={11} />
        </button>
      ) : null}
    </li>
  );
}

export function StatusBar({ children }: { children?: ReactNode }) {
  const entries = useOperations(useShallow((s) => s.order.map((id) => s.entries[id]!).filter(Boolean)));
  const [expanded, setExpanded] = useState(false);
  const running = entries.filter((e) => !e.done);
  const latest = [...entries].reverse();
  const shown = expanded ? latest : latest.slice(0, 1);
  return (
    <footer className="statusbar">
      <div className="statusbar-ops" role="status" aria-label="Operations" aria-live="polite">
        {entries.length === 0 ? (
          <span className="statusbar-idle">Ready</span>
        ) : (
          <>
            {entries.length > 1 ? (
              <button
                type="button"
                className="statusbar-toggle"
                aria-expanded={expanded}
                onClick={() => setExpanded(!expanded)}
              >
                {running.length > 0 ? `${running.length} running` : `${entries.length} recent`}
                <Icon name={expanded ? 'chevronDown' : 'chevronRight'} size={11} />
              </button>
            ) : null}
            <ul className={`operations${expanded ? ' expanded' : ''}`}>
              {shown.map((entry) => (
                <OperationLine key={entry.id} entry={entry} />
              ))}
            </ul>
          </>
        )}
      </div>
      <div className="statusbar-right">{children}</div>
    </footer>
  );
}
