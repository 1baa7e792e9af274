/**
 * Errors travel as data across every transport (IPC, WebSocket, CLI): a stable code the UI can branch on
 * and a message a person can act on. Services throw BerthError; the api layer turns anything else into
 * `internal` without leaking a stack or a secret.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unauthorized',
  'denied',
  'not_found',
  'rate_limited',
  'tls',
  'unreachable',
  'timeout',
  'bad_response',
  'digest_mismatch',
  'too_large',
  'conflict',
  'unsupported',
  'cancelled',
  'keychain_unavailable',
  'keychain_locked',
  'engine_unavailable',
  'config_invalid',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorData {
  code: ErrorCode;
  message: string;
  /** Optional structured hints for the UI (e.g. `retryAfterSeconds`, `registry`). Never secrets. */
  details?: Record<string, string | number | boolean>;
}

export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, string | number | boolean>;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, string | number | boolean>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BerthError';
    this.code = code;
    if (details) this.details = details;
  }

  toData(): ErrorData {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isBerthError(value: unknown): value is BerthError {
  return value instanceof BerthError;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorData };
