/** A digest shown short, opening what it names on click, with its own copy button. */
import { CopyButton } from '../../components/CopyButton';
import { shortDigest } from '../../logic/format';

export function DigestLink({ digest, onOpen }: { digest: string; onOpen: (digest: string) => void }) {
  return (
    <span className="digest-link">
      <button
        type="button"
        className="link-button mono"
        title={digest}
        data-digest={digest}
        onClick={() => onOpen(digest)}
      >
        {shortDigest(digest)}
      </button>
      <CopyButton text={digest} label={`Copy ${shortDigest(digest)}`} />
    </span>
  );
}
