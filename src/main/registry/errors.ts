/**
 * Turns what a registry answers (status, OCI error body, https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes)
 * and what the network does (refused, TLS, timeouts) into BerthErrors a person can act on.
 * Messages never include credentials; text a server sent is shortened and stripped of control characters.
 */
import { BerthError, isBerthError } from '../../shared/errors';
import { DOCKER_HUB } from '../../shared/reference';
import { parseChallenges } from './challenge';
import { abortError } from '../util/async';
import { errorCodes, tlsFailure } from '../util/tls-errors';

export interface OciErrorEntry {
  code: string;
  message?: string;
}

/** What was being done, for the message: "list tags of library/alpine". */
export interface ErrorContext {
  registry: string;
  action: string;
  /** Set when the request carried credentials (401 then means they were refused, not missing). */
  authenticated?: boolean;
  /** Who asked for what, for a refused permission (a 401 `insufficient_scope`, a 403, `DENIED`). */
  permission?: Permission;
}

/** What an account may and may not do to one repository. */
export interface Permission {
  /** The account's name; undefined for a bare token. */
  user?: string;
  repository: string;
  /** Actions asked for and not granted (`push`). */
  missing: readonly string[];
  /** Actions granted, when the token service said (`pull`). */
  granted?: readonly string[];
}

const ACTION_WORDS: Record<string, [verb: string, preposition: string]> = {
  pull: ['pull', 'from'],
  push: ['push', 'to'],
  delete: ['delete', 'from'],
  '*': ['administer', ''],
};

function actionWords(actions: readonly string[]): string {
  const words = actions.map((action) => ACTION_WORDS[action]?.[0] ?? serverText(action));
  const last = ACTION_WORDS[actions.at(-1) ?? '']?.[1] ?? 'on';
  return `${words.join(' or ')}${last ? ` ${last}` : ''}`;
}

/** "bob may pull but not push to prod/app", "Your account may not push to prod/app". */
export function permissionText(permission: Permission): string {
  const who = permission.user ?? 'This account';
  const granted = (permission.granted ?? []).filter((action) => !permission.missing.includes(action));
  const may =
    granted.length > 0
      ? `may ${granted.map((action) => ACTION_WORDS[action]?.[0] ?? serverText(action)).join(' and ')} but not`
      : 'may not';
  return `${who} ${may} ${actionWords(permission.missing)} ${permission.repository}`;
}

/** A refused permission: the credentials are valid, the account may not do this (`denied`, never `unauthorized`). */
export function permissionError(
  registry: string,
  permission: Permission,
  action: string,
  said = '',
  status?: number,
): BerthError {
  const wanted = permission.missing.map((missing) => ACTION_WORDS[missing]?.[0] ?? missing).join(' and ');
  return new BerthError(
    'denied',
    `${registry} refused: ${permissionText(permission)}, so Berth could not ${action}. Ask an administrator of ${registry} for ${wanted} access to ${permission.repository}, or sign in as a user who has it.${said}`,
    {
      registry,
      ...(status !== undefined ? { status } : {}),
      ...(permission.user !== undefined ? { user: permission.user } : {}),
      repository: permission.repository,
      missing: permission.missing.join(','),
    },
  );
}

/** True when a 401's challenge says the token lacks the scope (RFC 6750 §3.1), not that it is invalid. */
export function isInsufficientScope(headers: Record<string, string | string[] | undefined>): boolean {
  return parseChallenges(headers['www-authenticate']).some(
    (challenge) => challenge.params['error']?.toLowerCase() === 'insufficient_scope',
  );
}

const MAX_SERVER_TEXT = 200;

/** Server-provided text made safe to show: one line, bounded, no control characters. */
export function serverText(text: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return clean.length > MAX_SERVER_TEXT ? `${clean.slice(0, MAX_SERVER_TEXT)}…` : clean;
}

export function parseOciErrors(body: Uint8Array | undefined): OciErrorEntry[] {
  if (!body || body.length === 0 || body.length > 64 * 1024) return [];
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    const errors = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(errors)) return [];
    return errors
      .filter((entry): entry is { code: unknown; message?: unknown } => typeof entry === 'object' && entry !== null)
      .map((entry) => ({
        code: String(entry.code ?? ''),
        ...(typeof entry.message === 'string' ? { message: entry.message } : {}),
      }))
      .slice(0, 8);
  } catch {
    return [];
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or HTTP date), if any. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function describe(entries: OciErrorEntry[]): string {
  const first = entries.find((entry) => entry.message) ?? entries[0];
  if (!first) return '';
  return serverText(first.message ? `${first.message} (${first.code})` : first.code);
}

/** A BerthError for a non-success HTTP answer. */
export function httpError(
  status: number,
  body: Uint8Array | undefined,
  headers: Record<string, string | string[] | undefined>,
  context: ErrorContext,
): BerthError {
  const entries = parseOciErrors(body);
  const codes = new Set(entries.map((entry) => entry.code.toUpperCase()));
  const said = describe(entries);
  const saidSuffix = said ? ` The registry said: ${said}.` : '';
  const { registry, action } = context;
  const details = { registry, status };

  if (codes.has('UNSUPPORTED') || status === 405) {
    return new BerthError(
      'unsupported',
      `${registry} does not support this: could not ${action}.${saidSuffix}`,
      details,
    );
  }
  if (codes.has('TOOMANYREQUESTS') || status === 429) {
    const retryAfter = parseRetryAfter(headerValue(headers, 'retry-after'));
    const when = retryAfter !== undefined ? ` Try again in ${formatDuration(retryAfter)}.` : ' Try again later.';
    const hub = registry === DOCKER_HUB ? ' Docker Hub limits pulls per 6 hours; signing in raises the limit.' : '';
    return new BerthError('rate_limited', `${registry} is rate limiting requests: could not ${action}.${hub}${when}`, {
      ...details,
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  if (codes.has('DIGEST_INVALID')) {
    return new BerthError(
      'digest_mismatch',
      `${registry} rejected the content: it does not match its digest (could not ${action}).${saidSuffix}`,
      details,
    );
  }
  if (codes.has('MANIFEST_BLOB_UNKNOWN')) {
    return new BerthError(
      'bad_response',
      `Could not ${action}: the manifest refers to blobs that are not in the target repository on ${registry}; copy them first.${saidSuffix}`,
      details,
    );
  }
  // Valid credentials without the right (distribution answers a denied push with 401 insufficient_scope).
  const refusedScope =
    status === 401 &&
    context.authenticated === true &&
    (isInsufficientScope(headers) || context.permission?.granted !== undefined);
  if (context.permission && (refusedScope || status === 403 || codes.has('DENIED')))
    return permissionError(registry, context.permission, action, refusedScope ? '' : saidSuffix, status);
  if (status === 401) {
    return context.authenticated
      ? new BerthError(
          'unauthorized',
          `${registry} refused the saved credentials: could not ${action}. Check the username and password or token in the registry settings.${saidSuffix}`,
          details,
        )
      : new BerthError(
          'unauthorized',
          `${registry} requires signing in to ${action}. Add credentials in the registry settings.${saidSuffix}`,
          details,
        );
  }
  if (status === 403 || codes.has('DENIED')) {
    return new BerthError('denied', `${registry} denied access: your account may not ${action}.${saidSuffix}`, details);
  }
  if (status === 404 || codes.has('NAME_UNKNOWN') || codes.has('MANIFEST_UNKNOWN') || codes.has('BLOB_UNKNOWN')) {
    const what = codes.has('NAME_UNKNOWN')
      ? 'the repository does not exist (or is private)'
      : codes.has('MANIFEST_UNKNOWN')
        ? 'no such tag or digest'
        : codes.has('BLOB_UNKNOWN')
          ? 'the blob is not in this repository'
          : 'not found';
    return new BerthError('not_found', `Could not ${action}: ${what} on ${registry}.`, details);
  }
  if (status === 502 || status === 503 || status === 504) {
    return new BerthError(
      'unreachable',
      `${registry} is temporarily unavailable (HTTP ${status}): could not ${action}. Try again shortly.`,
      details,
    );
  }
  return new BerthError(
    'bad_response',
    `${registry} answered HTTP ${status}: could not ${action}.${saidSuffix}`,
    details,
  );
}

/**
 * A 401 whose final answer came from another origin than the registry's own (a redirect, or an absolute URL
 * elsewhere). Its challenge is that host's, not the registry's: answering it would hand the registry's
 * credentials to whatever token service that host names, so it is refused and nothing is sent (issue 13a).
 */
export function foreignChallengeError(registry: string, action: string, answeredBy: URL): BerthError {
  return new BerthError(
    'bad_response',
    `Could not ${action}: ${answeredBy.host}, not ${registry} itself, asked for credentials. Berth sends the credentials for ${registry} only to ${registry} and the token service it names, so nothing was sent.`,
    { registry, status: 401 },
  );
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** True when a failure happened before any answer came (worth a retry for idempotent requests). */
export function isTransientNetworkError(error: unknown): boolean {
  return errorCodes(error).some((code) => code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE');
}

/** A BerthError for a failure below HTTP: refused, DNS, TLS, timeouts, cancellation. */
export function networkError(error: unknown, context: ErrorContext, signal?: AbortSignal): BerthError {
  if (isBerthError(error)) return error;
  if (signal?.aborted) return abortError(signal, `Cancelled: ${context.action}`);
  const codes = errorCodes(error);
  const { registry, action } = context;
  const details = { registry };
  const tls = tlsFailure(error);
  if (tls) {
    return new BerthError(
      'tls',
      `Could not ${action}: the TLS connection to ${registry} failed: ${tls.explanation} (${tls.code}). If it uses a private CA, add the CA file in the registry settings; if it only speaks HTTP, mark it insecure.`,
      details,
      { cause: error },
    );
  }
  if (codes.some((code) => TIMEOUT_CODES.has(code))) {
    return new BerthError('timeout', `Could not ${action}: ${registry} stopped answering (timed out).`, details, {
      cause: error,
    });
  }
  if (codes.includes('UND_ERR_RES_CONTENT_LENGTH_MISMATCH')) {
    return new BerthError(
      'bad_response',
      `Could not ${action}: ${registry} closed the connection before sending the whole answer.`,
      details,
      { cause: error },
    );
  }
  if (codes.some((code) => UNREACHABLE_CODES.has(code))) {
    const why =
      codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')
        ? 'the host name does not resolve'
        : codes.includes('ECONNREFUSED')
          ? 'the connection was refused'
          : 'the connection dropped';
    return new BerthError(
      'unreachable',
      `Could not ${action}: ${registry} is unreachable (${why}). Check the address, the network and any proxy settings.`,
      details,
      { cause: error },
    );
  }
  return new BerthError(
    'unreachable',
    `Could not ${action}: the request to ${registry} failed (${codes[0] ?? (error instanceof Error ? serverText(error.message) : 'unknown error')}).`,
    details,
    {
      cause: error,
    },
  );
}

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
