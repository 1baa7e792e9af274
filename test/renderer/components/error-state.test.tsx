// @vitest-environment jsdom
/**
 * ErrorState (issue 20, section 3): signing in is a normal state, shown with a neutral lock rather than a red
 * warning sign and announced as a status, not an alert; a network error is never answered with "Sign in…".
 */
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Icon } from '../../../src/renderer/components/Icon';
import { ErrorState } from '../../../src/renderer/components/states';

afterEach(cleanup);

const noop = () => undefined;
const iconMarkup = (name: 'lock' | 'alert') => {
  const { container, unmount } = render(<Icon name={name} />);
  const markup = container.querySelector('svg')!.innerHTML;
  unmount();
  return markup;
};

describe('ErrorState', () => {
  it.each([false, true])('shows sign-in required with a neutral lock, as a status (compact: %s)', (compact) => {
    const lock = iconMarkup('lock');
    render(
      <ErrorState
        compact={compact}
        error={{ code: 'unauthorized', message: 'Sign in to ghcr.io' }}
        handlers={{ signIn: noop }}
      />,
    );
    const state = screen.getByTestId('error-state');
    expect(state.dataset.tone).toBe('neutral');
    expect(state.getAttribute('role')).toBe('status');
    expect(state.className).not.toContain('state-error');
    const icon = state.querySelector('svg')!;
    expect(icon.innerHTML).toBe(lock);
    expect(icon.getAttribute('class')).not.toContain('state-inline-icon');
  });

  it('keeps the warning sign for a failure', () => {
    const alert = iconMarkup('alert');
    render(<ErrorState error={{ code: 'unreachable', message: 'Could not reach r.example' }} />);
    const state = screen.getByTestId('error-state');
    expect(state.dataset.tone).toBe('error');
    expect(state.getAttribute('role')).toBe('alert');
    expect(state.querySelector('svg')!.innerHTML).toBe(alert);
  });

  it.each(['unreachable', 'tls', 'timeout'] as const)('offers no sign-in for a %s error', (code) => {
    render(
      <ErrorState
        error={{ code, message: 'network trouble' }}
        handlers={{ signIn: noop, retry: noop, openSettings: noop }}
      />,
    );
    const buttons = within(screen.getByTestId('error-state')).getAllByRole('button');
    expect(buttons.map((button) => button.textContent)).not.toContain('Sign in…');
    expect(buttons.map((button) => button.textContent)).toContain('Try again');
  });

  it('says a refused permission is not about the password', () => {
    render(
      <ErrorState
        error={{ code: 'denied', message: 'bob may pull but not push to prod/app' }}
        handlers={{ signIn: noop }}
      />,
    );
    const state = screen.getByTestId('error-state');
    expect(state.textContent).toContain('Not allowed');
    expect(state.textContent).toContain('this account may not do this here');
    expect(within(state).getByRole('button', { name: 'Sign in…' })).toBeTruthy();
  });
});
