/**
 * What an error means to the person looking at it: a short title and the next thing to do. The message
 * from main is always shown too (services write it to be acted on); this adds the UI's part of the answer.
 */
import type { ErrorCode, ErrorData } from '../../shared/errors';

/** Things a view can offer next to an error; each is shown only when the view supplies the handler. */
export type ErrorAction = 'signIn' | 'retry' | 'addRepository' | 'openSettings';

export interface ErrorAdvice {
  title: string;
  hint?: string;
  /** The action that answers this error best, if the view has it. */
  primary?: ErrorAction;
  /** `neutral`: a normal state to act on (signing in), not a failure; shown without a warning sign. */
  tone?: 'neutral';
}

/** Actions that answer only some errors; any other action fits every error its view offers it for. */
const FITTING: Partial<Record<ErrorAction, readonly ErrorCode[]>> = {
  // Signing in answers a refusal, never a network or TLS failure.
  signIn: ['unauthorized', 'denied'],
};

/** Whether offering `action` next to `error` makes sense. */
export function fits(error: ErrorData, action: ErrorAction): boolean {
  return FITTING[action]?.includes(error.code) ?? true;
}

const ADVICE: Partial<Record<ErrorCode, ErrorAdvice>> = {
  unauthorized: {
    title: 'Sign-in required',
    hint: 'Sign in to this registry with a username and password or access token.',
    primary: 'signIn',
    tone: 'neutral',
  },
  denied: {
    title: 'Not allowed',
    hint: 'The sign-in works, but this account may not do this here. Ask an administrator of the registry for access, or sign in as a user who has it.',
    primary: 'signIn',
  },
  not_found: {
    title: 'Not found',
    hint: 'Check the name, or add the repository by name if the registry does not list it.',
  },
  rate_limited: { title: 'Rate limit reached', primary: 'retry' },
  unreachable: {
    title: 'Registry unreachable',
    hint: 'Check the address in Settings and that the registry is running.',
    primary: 'openSettings',
  },
  timeout: {
    title: 'The registry did not answer in time',
    hint: 'Try again; a slow registry may need a moment.',
    primary: 'retry',
  },
  tls: {
    title: 'TLS problem',
    hint: 'For a private CA, set its certificate in Settings; for plain HTTP, mark the registry insecure.',
    primary: 'openSettings',
  },
  bad_response: { title: 'Unexpected answer from the registry', primary: 'retry' },
  digest_mismatch: {
    title: 'Content does not match its digest',
    hint: 'The registry served bytes that do not hash to the digest. Nothing was kept.',
  },
  unsupported: { title: 'Not supported here' },
  too_large: { title: 'Too large' },
  keychain_unavailable: {
    title: 'Keychain unavailable',
    hint: 'Berth keeps secrets in the system keychain; start or unlock it, then try again.',
    primary: 'retry',
  },
  keychain_locked: { title: 'Keychain locked', hint: 'Unlock the system keychain, then try again.', primary: 'retry' },
  engine_unavailable: {
    title: 'Docker engine unavailable',
    hint: 'Start Docker, or choose the engine in Settings.',
    primary: 'openSettings',
  },
  cancelled: { title: 'Cancelled', primary: 'retry' },
  invalid_input: { title: 'Invalid input' },
  config_invalid: { title: 'Settings file problem', primary: 'openSettings' },
  internal: {
    title: 'Something went wrong',
    hint: 'This is a bug in Berth; the log has the details.',
    primary: 'retry',
  },
};

export function adviseOn(error: ErrorData, now: number = Date.now()): ErrorAdvice {
  const advice = ADVICE[error.code] ?? { title: 'Request failed', primary: 'retry' as const };
  if (error.code === 'rate_limited') {
    const reset = rateLimitReset(error, now);
    return {
      ...advice,
      hint: reset
        ? `The limit resets at ${reset}. Cached data stays available.`
        : 'Wait a little, then try again. Cached data stays available.',
    };
  }
  return advice;
}

/** "14:05:30" local time from details.resetAt (ISO) or details.retryAfterSeconds, if main gave either. */
export function rateLimitReset(error: ErrorData, now: number = Date.now()): string | undefined {
  const resetAt = error.details?.resetAt;
  const retryAfter = error.details?.retryAfterSeconds;
  const time =
    typeof resetAt === 'string' ? Date.parse(resetAt) : typeof retryAfter === 'number' ? now + retryAfter * 1000 : NaN;
  if (Number.isNaN(time)) return undefined;
  return new Date(time).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
