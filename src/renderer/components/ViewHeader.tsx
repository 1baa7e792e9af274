/**
 * The header row of a view: its icon and title, then whatever the view puts beside them (subtitle, actions).
 * The title is the view's heading, where focus goes after a navigation (useHeadingFocus).
 */
import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { useNavigation } from '../navigation/store';
import { Icon, type IconName } from './Icon';

/**
 * A ref for the current view's heading (with tabIndex -1), focused after a navigation that left focus
 * nowhere: Enter on a tag row or a click on a breadcrumb removes the element that had focus, and focus
 * would fall to <body>, so keyboard and screen reader users would start over from the top of the page.
 * Focus that is still somewhere (a sidebar item, an open dialog) stays there. Not on the page's first
 * route: nothing had focus to lose.
 */
export function useHeadingFocus<T extends HTMLElement>(): RefObject<T | null> {
  const heading = useRef<T>(null);
  const changes = useNavigation((s) => s.changes);
  useEffect(() => {
    if (changes === 0) return;
    const active = document.activeElement;
    if (!active || active === document.body) heading.current?.focus({ preventScroll: true });
  }, [changes]);
  return heading;
}

export function ViewHeader({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  const heading = useHeadingFocus<HTMLHeadingElement>();
  return (
    <header className="view-header">
      <h2 className="view-title" tabIndex={-1} ref={heading}>
        <Icon name={icon} size={16} /> {title}
      </h2>
      {children}
    </header>
  );
}
