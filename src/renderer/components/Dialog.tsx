/**
 * The app's modal dialog: Radix Dialog (focus trap, Escape, aria wiring) with the app's look. On close, focus
 * goes back to the element that opened the dialog (WAI-ARIA dialog pattern,
 * https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/): Radix does that only for a `Dialog.Trigger`, and
 * the app's dialogs are controlled, opened from buttons, menus and keys with no trigger.
 */
import * as RadixDialog from '@radix-ui/react-dialog';
import { useRef, type ReactNode } from 'react';
import { Icon } from './Icon';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** Buttons row at the bottom (right-aligned). */
  footer?: ReactNode;
  width?: number;
  className?: string;
}

/**
 * Props for Radix `Dialog.Content` that return focus to the opener on close. The opener is read while the
 * dialog renders open for the first time: by the time effects run, an `autoFocus` field inside it has
 * taken focus already. Focus is returned only when nothing else has it, so a dialog whose action moved
 * to another view (whose heading took focus, see ViewHeader) leaves it there, and only to an opener still
 * in the page.
 */
export function useReturnFocus(open: boolean): { onCloseAutoFocus: (event: Event) => void } {
  const opener = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  if (open && !wasOpen.current) {
    const active = typeof document === 'undefined' ? null : document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
  }
  wasOpen.current = open;
  return {
    onCloseAutoFocus(event) {
      const target = opener.current;
      opener.current = null;
      const focusIsFree = !document.activeElement || document.activeElement === document.body;
      if (target?.isConnected && focusIsFree) {
        event.preventDefault();
        target.focus();
      }
    },
  };
}

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  footer,
  width = 480,
  className,
}: DialogProps) {
  const returnFocus = useReturnFocus(open);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content
          className={`dialog${className ? ` ${className}` : ''}`}
          style={{ width }}
          onCloseAutoFocus={returnFocus.onCloseAutoFocus}
        >
          <div className="dialog-header">
            <RadixDialog.Title className="dialog-title">{title}</RadixDialog.Title>
            <RadixDialog.Close className="icon-button" aria-label="Close">
              <Icon name="close" size={14} />
            </RadixDialog.Close>
          </div>
          {description ? (
            <RadixDialog.Description className="dialog-description">{description}</RadixDialog.Description>
          ) : (
            <RadixDialog.Description className="visually-hidden">{title}</RadixDialog.Description>
          )}
          <div className="dialog-body">{children}</div>
          {footer ? <div className="dialog-footer">{footer}</div> : null}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
