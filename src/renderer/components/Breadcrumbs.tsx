/** "registry / namespace / repository" path at the top of a view; every crumb but the last navigates. */
import { Fragment } from 'react';
import { Icon } from './Icon';

export interface Crumb {
  label: string;
  onSelect?: () => void;
}

export function Breadcrumbs({ crumbs }: { crumbs: Crumb[] }) {
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      {crumbs.map((crumb, i) => (
        <Fragment key={i}>
          {i > 0 ? <Icon name="chevronRight" size={11} className="breadcrumb-sep" /> : null}
          {crumb.onSelect && i < crumbs.length - 1 ? (
            <button type="button" className="breadcrumb" onClick={crumb.onSelect}>
              {crumb.label}
            </button>
          ) : (
            <span className="breadcrumb current" aria-current={i === crumbs.length - 1 ? 'location' : undefined}>
              {crumb.label}
            </span>
          )}
        </Fragment>
      ))}
    </nav>
  );
}
