/**
 * The bar above the tag table: how many tags are selected, "Select all matching" the filter, "Delete…" and
 * "Retention…" (the repository's retention preview), each opening its dialog. After a deletion the
 * repository's tags are read again.
 *
 * Test hooks: toolbar "Tag selection"; buttons "Select all matching", "Clear selection", "Delete…",
 * "Retention…"; status text data-testid "selection-count".
 */
import { useState } from 'react';
import { useDeletion, selectionKey } from '../../stores/deletion';
import { DeleteDialog } from './DeleteDialog';
import { RetentionDialog } from './RetentionDialog';

export function SelectionBar({
  host,
  registryId,
  repository,
  matching,
  onChanged,
}: {
  host: string;
  registryId: string;
  repository: string;
  /** Tags the filter matches now (what "Select all matching" selects). */
  matching: readonly string[];
  onChanged: () => void;
}) {
  const key = selectionKey(registryId, repository);
  const selected = useDeletion((s) => s.selected[key]);
  const selectAll = useDeletion((s) => s.selectAll);
  const clear = useDeletion((s) => s.clear);
  const [dialog, setDialog] = useState<'delete' | 'retention' | null>(null);
  const count = selected?.length ?? 0;
  const done = (changed: boolean) => {
    setDialog(null);
    if (changed) {
      clear(key);
      onChanged();
    }
  };
  return (
    <div className="selection-bar" role="toolbar" aria-label="Tag selection">
      <span data-testid="selection-count" className="muted">
        {count === 0 ? 'No tag selected' : `${count} selected`}
      </span>
      <button type="button" className="button button-small" onClick={() => selectAll(key, matching)}>
        Select all matching
      </button>
      {count > 0 ? (
        <button type="button" className="button button-small" onClick={() => clear(key)}>
          Clear selection
        </button>
      ) : null}
      <button
        type="button"
        className="button button-small button-danger"
        disabled={count === 0}
        onClick={() => setDialog('delete')}
      >
        Delete…
      </button>
      <button type="button" className="button button-small" onClick={() => setDialog('retention')}>
        Retention…
      </button>
      {dialog === 'delete' ? (
        <DeleteDialog references={(selected ?? []).map((tag) => `${host}/${repository}:${tag}`)} onClose={done} />
      ) : null}
      {dialog === 'retention' ? <RetentionDialog scope={`${host}/${repository}`} onClose={done} /> : null}
    </div>
  );
}
