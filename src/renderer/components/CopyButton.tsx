/** Copies text to the clipboard and confirms it in place ("Copied"), for digests and `docker pull` lines. */
import { useEffect, useState } from 'react';
import { Icon } from './Icon';

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // The async clipboard needs focus and permission; the selection-based copy works in more places.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand?.('copy') ?? false;
    area.remove();
    return copied;
  }
}

export interface CopyButtonProps {
  text: string;
  /** Accessible name, e.g. "Copy digest" (also the tooltip); with visible text, the name ends with that text. */
  label: string;
  /** Visible text next to the icon; icon-only when absent. */
  children?: string;
  className?: string;
}

export function CopyButton({ text, label, children, className }: CopyButtonProps) {
  const [copied, setCopied] = useState<boolean | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const visible = children ? (copied ? 'Copied' : children) : undefined;
  return (
    <button
      type="button"
      className={`copy-button ${children ? 'button button-small' : 'icon-button'} ${className ?? ''}`}
      // The visible text is part of the name, so "click pull :tag" works by voice (axe: label-content-name-mismatch).
      aria-label={visible ? `${label}: ${visible}` : label}
      title={copied === false ? 'Copy failed: select and copy by hand' : label}
      data-copied={copied ? 'true' : undefined}
      data-copy-text={text}
      onClick={(event) => {
        event.stopPropagation();
        void copyText(text).then(setCopied);
      }}
    >
      <Icon name={copied ? 'check' : 'copy'} size={13} />
      {visible ? <span>{visible}</span> : null}
      <span className="visually-hidden" aria-live="polite">
        {copied ? 'Copied' : ''}
      </span>
    </button>
  );
}
