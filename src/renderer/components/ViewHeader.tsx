/** The header row of a view: its icon and title, then whatever the view puts beside them (subtitle, actions). */
import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export function ViewHeader({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  return (
    <header className="view-header">
      <h2 className="view-title">
        <Icon name={icon} size={16} /> {title}
      </h2>
      {children}
    </header>
  );
}
