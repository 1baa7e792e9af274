/**
 * Loading, empty and error states. Every one says what is happening and what to do next; views pass the
 * handlers they can offer (sign in, retry, add a repository...) and the state shows the fitting ones.
 */
import type { ReactNode } from 'react';
import type { ErrorData } from '../../shared/errors';
import { adviseOn, fits, type ErrorAction } from '../logic/errors';
import { Icon, type IconName } from './Icon';

export function Spinner({ size = 14 }: { size?: number }) {
  return <span className="spinner" style={{ width: size, height: size }} aria-hidden="true" />;
}

/** A busy placeholder with a live-region label, e.g. "Loading tags…". */
export function LoadingState({ label, detail }: { label: string; detail?: ReactNode }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite" data-testid="loading-state">
      <Spinner size={18} />
      <div>
        <div className="state-title">{label}</div>
        {detail ? <div className="state-hint">{detail}</div> : null}
      </div>
    </div>
  );
}

export function EmptyState({
  title,
  message,
  icon = 'folder',
  children,
}: {
  title: string;
  message?: ReactNode;
  icon?: IconName;
  children?: ReactNode;
}) {
  return (
    <div className="state state-empty" data-testid="empty-state">
      <Icon name={icon} size={28} className="state-icon" />
      <div className="state-title">{title}</div>
      {message ? <div className="state-hint">{message}</div> : null}
      {children ? <div className="state-actions">{children}</div> : null}
    </div>
  );
}

export type ErrorHandlers = Partial<Record<ErrorAction, () => void>>;

const ACTION_LABELS: Record<ErrorAction, string> = {
  signIn: 'Sign in…',
  retry: 'Try again',
  addRepository: 'Add a repository by name…',
  openSettings: 'Open settings',
};

/**
 * An error with its advice and actions. `compact` renders one line (for table cells and sidebars);
 * otherwise a centred block for a whole pane.
 */
export function ErrorState({
  error,
  handlers = {},
  compact = false,
  context,
}: {
  error: ErrorData;
  handlers?: ErrorHandlers;
  compact?: boolean;
  context?: string;
}) {
  const advice = adviseOn(error);
  const actions = (Object.keys(ACTION_LABELS) as ErrorAction[])
    .filter((action) => handlers[action] && fits(error, action))
    .sort((a, b) => (a === advice.primary ? -1 : b === advice.primary ? 1 : 0));
  // A state to act on (sign in) is not a failure: a neutral lock, no warning sign, no alert.
  const neutral = advice.tone === 'neutral';
  const icon = neutral ? 'lock' : 'alert';
  if (compact) {
    return (
      <div
        className={`state-inline${neutral ? ' state-neutral' : ''}`}
        role={neutral ? 'status' : 'alert'}
        data-testid="error-state"
        data-error-code={error.code}
        data-tone={neutral ? 'neutral' : 'error'}
      >
        <Icon name={icon} size={14} className={neutral ? 'muted' : 'state-inline-icon'} />
        <span className="state-inline-text">
          <strong>{advice.title}.</strong> {error.message}
        </span>
        {actions.map((action) => (
          <button key={action} type="button" className="link-button" onClick={handlers[action]}>
            {ACTION_LABELS[action]}
          </button>
        ))}
      </div>
    );
  }
  return (
    <div
      className={`state ${neutral ? 'state-neutral' : 'state-error'}`}
      role={neutral ? 'status' : 'alert'}
      data-testid="error-state"
      data-error-code={error.code}
      data-tone={neutral ? 'neutral' : 'error'}
    >
      <Icon name={icon} size={28} className="state-icon" />
      <div className="state-title">{context ? `${context}: ${advice.title}` : advice.title}</div>
      <div className="state-message">{error.message}</div>
      {advice.hint ? <div className="state-hint">{advice.hint}</div> : null}
      {actions.length > 0 ? (
        <div className="state-actions">
          {actions.map((action, i) => (
            <button
              key={action}
              type="button"
              className={i === 0 ? 'button button-primary' : 'button'}
              onClick={handlers[action]}
            >
              {ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
