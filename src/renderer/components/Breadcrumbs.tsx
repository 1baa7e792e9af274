/**
 * "registry / namespace / repository" path at the top of a view; every crumb but the last navigates. The last
 * one, where the user is, is the view's heading: focus goes there after a navigation (useHeadingFocus).
 */
import { Fragment } from 'react';
import { Icon } from './Icon';
import { useHeadingFocus } from './ViewHeader';

export interface Crumb {
  label: string;
  onSelect?: () => void;
}

export function Breadcrumbs({ crumbs }: { crumbs: Crumb[] }) {
  const heading = useHeadingFocus<HTMLHeadingElement>();
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      {crumbs.map((crumb, i) => (
        <Fragment key={i}>
          {i > 0 ? <Icon name="chevronRight" size={11} className="breadcrumb-sep" /> : null}
          {crumb.onSelect && i < crumbs.length - 1 ? (
            <button type="button" className="breadcrumb" onClick={crumb.onSelect} title={crumb.label}>
              {crumb.label}
            </button>
          ) : i === crumbs.length - 1 ? (
            <h2 className="breadcrumb current" aria-current="location" title={crumb.label} tabIndex={-1} ref={heading}>
              {crumb.label}
            </h2>
          ) : (
            <span className="breadcrumb current" title={crumb.label}>
              {crumb.label}
            </span>
          )}
        </Fragment>
      ))}
    </nav>
  );
}
