/**
 * The tag table's signature column: verified (by whom) / signed, not verified / unsigned / invalid (reason
 * in the tooltip), and the artifact tags attached to the row's digest (signature, attestation, SBOM).
 * The state is asked for when the cell is on screen, and kept by digest (stores/trust.ts).
 * Test hooks: [data-trust-state] on the state ("verified" | "unverified" | "unsigned" | "invalid" | "pending");
 * [data-attached] lists the attached kinds. `compact` (the tag cell's mark while the signature column gives way
 * in a narrow window, browse/TagTable.tsx): an icon with the state as its name, nothing when unsigned; it keeps
 * [data-trust-state].
 */
import { useEffect } from 'react';
import type { TagTrust } from '../../../shared/types/trust';
import { Icon } from '../../components/Icon';
import { attachedLabel, type AttachedTag } from '../../logic/artifact-tags';
import { useTrust } from '../../stores/trust';
import './trust.css';

const LABELS: Record<TagTrust['state'], string> = {
  verified: 'Verified',
  unverified: 'Signed, not verified',
  unsigned: 'Unsigned',
  invalid: 'Invalid signature',
};

export function trustStateText(state: TagTrust): string {
  if (state.state === 'verified') return `Verified${state.signer ? ` · ${state.signer}` : ''}`;
  return LABELS[state.state];
}

export function TagTrustCell({
  registryId,
  repository,
  digest,
  attached,
  lazy,
  compact = false,
}: {
  registryId: string;
  repository: string;
  digest: string;
  attached: readonly AttachedTag[] | undefined;
  /** Ask the registry only when something is attached (Docker Hub counts manifest reads). */
  lazy: boolean;
  compact?: boolean;
}) {
  const state = useTrust((s) => s.tagStates[`${registryId}/${repository}`]?.[digest]);
  const want = useTrust((s) => s.wantTagState);
  const ask = !lazy || (attached?.length ?? 0) > 0;
  useEffect(() => {
    if (ask) want(registryId, repository, digest);
  }, [ask, want, registryId, repository, digest]);

  if (compact) {
    if (!ask || !state || state.state === 'unsigned') return null;
    const text = [trustStateText(state), state.reason].filter(Boolean).join(': ');
    return (
      <span
        className={`trust-mark trust-${state.state}`}
        data-trust-state={state.state}
        role="img"
        aria-label={text}
        title={text}
      >
        <Icon
          name={state.state === 'verified' ? 'check' : state.state === 'invalid' ? 'alert' : 'signature'}
          size={12}
        />
      </span>
    );
  }
  const kinds = [...new Set((attached ?? []).map((tag) => tag.kind))];
  return (
    <span className="cell-trust" data-attached={kinds.join(' ')}>
      {!ask ? (
        <span className="muted" data-trust-state="unsigned">
          —
        </span>
      ) : !state ? (
        <span className="cell-pending" aria-label="Checking signatures" data-trust-state="pending" />
      ) : (
        <span
          className={`trust-state trust-${state.state}`}
          data-trust-state={state.state}
          title={[trustStateText(state), state.reason].filter(Boolean).join(': ')}
        >
          {state.state === 'verified' ? (
            <Icon name="check" size={12} />
          ) : state.state === 'invalid' ? (
            <Icon name="alert" size={12} />
          ) : null}
          {trustStateText(state)}
        </span>
      )}
      {kinds
        .filter((kind) => kind !== 'signature')
        .map((kind) => (
          <span
            key={kind}
            className="chip"
            title={(attached ?? [])
              .filter((t) => t.kind === kind)
              .map((t) => t.tag)
              .join(', ')}
          >
            {attachedLabel(kind)}
          </span>
        ))}
    </span>
  );
}
