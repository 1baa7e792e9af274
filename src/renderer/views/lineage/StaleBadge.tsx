/**
 * The tag table's stale badge: on a tag whose image was built on a base tag that has moved since, as the
 * registry index knows it (no refresh of its own; the Needs rebuild view and `berth stale` refresh).
 * `useStaleTags` is called once per table (one subscription, one index read per scope), the badge per row.
 * Test hook: [data-testid=stale-badge] inside the tag's row.
 */
import { useEffect } from 'react';
import { useApi } from '../../api/context';
import type { StaleImage } from '../../../shared/types/lineage';
import { shortDigest } from '../../logic/format';
import { defaultScope, staleByTag, tagKey, useLineage } from '../../stores/lineage';

/** The stale rows of a repository's tags, by tag. */
export function useStaleTags(host: string, repository: string): (tag: string) => StaleImage | undefined {
  const api = useApi();
  const scope = defaultScope(host, repository);
  const result = useLineage((s) => s.stale[scope]?.value);
  const loadStale = useLineage((s) => s.loadStale);
  useEffect(() => {
    if (!useLineage.of(api).getState().stale[scope]) void loadStale(scope, { refresh: false });
  }, [api, scope, loadStale]);
  const rows = staleByTag(result);
  return (tag) => rows.get(tagKey(host, repository, tag));
}

export function StaleBadge({ row }: { row: StaleImage | undefined }) {
  if (!row) return null;
  return (
    <span
      className="chip chip-warn"
      data-testid="stale-badge"
      title={`Built on ${row.base} at ${shortDigest(row.oldBaseDigest)}; it now points at ${shortDigest(row.newBaseDigest)}. Rebuild.`}
    >
      stale
    </span>
  );
}
