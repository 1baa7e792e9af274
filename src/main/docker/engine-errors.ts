import { BerthError, type ErrorCode } from '../../shared/errors';
import { errorCodes, tlsFailure } from '../util/tls-errors';
import { describeEndpoint, type EngineEndpoint } from './endpoint';

/** How to start an engine on this platform, for "engine not running" messages. */
function startHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'Start Docker Desktop (or `colima start` / `podman machine start`)';
    case 'win32':
      return 'Start Docker Desktop';
    default:
      return 'Start it with `sudo systemctl start docker` (Podman: `systemctl --user start podman.socket`), or open Docker Desktop';
  }
}

/** The code that says what happened: undici wraps socket errors in UND_ERR_SOCKET, the errno sits on a cause. */
function errorCode(error: unknown): string | undefined {
  const codes = errorCodes(error);
  return codes.find((code) => code !== 'UND_ERR_SOCKET') ?? codes[0];
}

/**
 * Turns a failure to talk to the engine (before or during a response) into an error a person can act on:
 * nothing at the socket, nobody listening, the docker group, TLS, a peer that is not Docker, a dropped stream.
 * `during` names what was running ("push of app:1") so a dropped connection says what it interrupted.
 */
export function connectionError(
  error: unknown,
  endpoint: EngineEndpoint,
  platform: NodeJS.Platform,
  during?: string,
): BerthError {
  if (error instanceof BerthError) return error;
  const where = describeEndpoint(endpoint);
  const code = errorCode(error);
  const cause = { cause: error };
  const details = { host: endpoint.host };
  switch (code) {
    case 'ENOENT':
      return new BerthError(
        'engine_unavailable',
        `No Docker engine at ${endpoint.host}: the socket ${where} does not exist. ${startHint(platform)}, or choose another engine.`,
        details,
        cause,
      );
    case 'ECONNREFUSED':
      return new BerthError(
        'engine_unavailable',
        endpoint.kind === 'tcp'
          ? `Nothing is listening at ${where} (connection refused). Check that the engine there is running and exposes its API on this port.`
          : `The Docker engine at ${endpoint.host} is not running (the socket exists but nothing answers). ${startHint(platform)}.`,
        details,
        cause,
      );
    case 'EACCES':
    case 'EPERM':
      return new BerthError(
        'denied',
        `Permission denied on ${where}. Add your user to the docker group (\`sudo usermod -aG docker $USER\`), then log out and back in; or choose a rootless engine.`,
        details,
        cause,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new BerthError(
        'unreachable',
        `Cannot resolve the engine host ${endpoint.kind === 'tcp' ? endpoint.hostname : where}.`,
        details,
        cause,
      );
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new BerthError(
        'timeout',
        `Connecting to the Docker engine at ${endpoint.host} timed out.`,
        details,
        cause,
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new BerthError(
        'timeout',
        `The Docker engine at ${endpoint.host} stopped answering${during ? ` during the ${during}` : ''}.`,
        details,
        cause,
      );
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new BerthError(
        'engine_unavailable',
        `The Docker engine at ${endpoint.host} closed the connection${during ? ` during the ${during}` : ''}; it may have stopped or restarted.`,
        details,
        cause,
      );
  }
  const tls = tlsFailure(error);
  if (tls) {
    return new BerthError(
      'tls',
      `TLS with the Docker engine at ${endpoint.host} failed: ${tls.explanation} (${tls.code}). Check DOCKER_CERT_PATH or the context's certificates.`,
      details,
      cause,
    );
  }
  if (code?.startsWith('HPE_') || (error as Error | undefined)?.name === 'HTTPParserError')
    return notDocker(endpoint, 'it does not speak HTTP', cause);
  const message = error instanceof Error ? error.message : String(error);
  return new BerthError(
    'engine_unavailable',
    `Cannot talk to the Docker engine at ${endpoint.host}: ${message}`,
    details,
    cause,
  );
}

export function notDocker(endpoint: EngineEndpoint, why: string, options?: { cause?: unknown }): BerthError {
  return new BerthError(
    'bad_response',
    `${endpoint.host} answered, but not as a Docker engine (${why}). Point Berth at a Docker or Podman API socket.`,
    { host: endpoint.host },
    options,
  );
}

/** Ordered: the first pattern that matches an engine or registry message decides the code. */
const MESSAGE_CODES: [RegExp, ErrorCode][] = [
  [/toomanyrequests|rate limit/i, 'rate_limited'],
  [
    /unauthorized|authentication required|no basic auth credentials|incorrect username or password|401 Unauthorized/i,
    'unauthorized',
  ],
  [/denied|forbidden|\b403\b/i, 'denied'],
  [/x509|certificate|tls:|handshake/i, 'tls'],
  [
    /invalid reference format|invalid tag format|invalid repository name|invalid reference|must be lowercase/i,
    'invalid_input',
  ],
  [/manifest unknown|not found|no such image|does not exist|name unknown|\b404\b/i, 'not_found'],
  [/conflict|must force|is using its referenced image|being used by/i, 'conflict'],
  [
    /connection refused|no such host|i\/o timeout|dial tcp|server gave HTTP response to HTTPS client|network is unreachable/i,
    'unreachable',
  ],
  [/context canceled/i, 'cancelled'],
];

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'denied',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
};

/**
 * An error the engine reported (an HTTP error body, or the `error` field of a progress stream): the engine's
 * own words, which usually quote the registry's, with a code the UI can branch on.
 */
export function engineError(message: string, status?: number, details?: Record<string, string>): BerthError {
  const text = message.trim().slice(0, 2000) || (status ? `HTTP ${status}` : 'unknown error');
  const byStatus = status !== undefined && status < 500 ? STATUS_CODES[status] : undefined;
  const code = byStatus ?? MESSAGE_CODES.find(([pattern]) => pattern.test(text))?.[1] ?? 'bad_response';
  return new BerthError(code, `Docker engine: ${text}`, details);
}
