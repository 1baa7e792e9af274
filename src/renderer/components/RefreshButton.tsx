import { Icon } from './Icon';

/** The icon-only Refresh of a view header: its accessible name says what it refreshes. */
export function RefreshButton({
  label,
  title = 'Refresh',
  disabled,
  onClick,
}: {
  label: string;
  title?: string;
  disabled?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={label}
      title={title}
      disabled={disabled}
      onClick={onClick}
    >
      <Icon name="refresh" size={14} />
    </button>
  );
}
