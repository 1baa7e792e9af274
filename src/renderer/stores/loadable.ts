/** The state of one piece of data fetched through the API, as every store keeps it. */
import { ERROR_CODES, type ErrorCode, type ErrorData } from '../../shared/errors';

export type Loadable<T> =
  { status: 'loading'; value?: T } | { status: 'ready'; value: T } | { status: 'error'; error: ErrorData; value?: T };

export const loading = <T>(previous?: Loadable<T>): Loadable<T> =>
  previous?.value !== undefined ? { status: 'loading', value: previous.value } : { status: 'loading' };
export const ready = <T>(value: T): Loadable<T> => ({ status: 'ready', value });
export const failed = <T>(error: unknown, previous?: Loadable<T>): Loadable<T> =>
  previous?.value !== undefined
    ? { status: 'error', error: toErrorData(error), value: previous.value }
    : { status: 'error', error: toErrorData(error) };

/** Any thrown value as the contract's error data (the API throws BerthError; anything else is a bug). */
export function toErrorData(error: unknown): ErrorData {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    const { code, message, details } = error as { code: unknown; message: unknown; details?: ErrorData['details'] };
    if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) {
      return { code: code as ErrorCode, message: String(message), ...(details ? { details } : {}) };
    }
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** Runs `load` and stores each state through `write`: loading (keeping the old value), then ready or error. */
export async function track<T>(
  previous: Loadable<T> | undefined,
  write: (next: Loadable<T>) => void,
  load: () => Promise<T>,
): Promise<T | undefined> {
  write(loading(previous));
  try {
    const value = await load();
    write(ready(value));
    return value;
  } catch (error) {
    write(failed(error, previous));
    return undefined;
  }
}
