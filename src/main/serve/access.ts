import { TOKEN_PROTOCOL_PREFIX } from '../../shared/wire';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may talk to `berth serve`. The server binds to 127.0.0.1 only, but any web page the user visits can
 * still aim requests at loopback, so every request is checked:
 * - Host must name this very server (127.0.0.1:PORT or localhost:PORT), which defeats DNS rebinding;
 * - Origin, when a browser sends one, must be this server's own origin;
 * - the API additionally requires the 256-bit token printed at start.
 */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export function hostAllowed(request: IncomingMessage, port: number): boolean {
  const host = request.headers.host;
  return typeof host === 'string' && allowedHosts(port).has(host.toLowerCase());
}

export function originAllowed(request: IncomingMessage, port: number): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true; // non-browser clients (CLI, tests) send none; the token still applies
  return [...allowedHosts(port)].some((host) => origin.toLowerCase() === `http://${host}`);
}

export { TOKEN_PROTOCOL_PREFIX };

/** The token travels as a WebSocket subprotocol, so it never sits in a URL that could be logged. */
export function tokenFromProtocols(header: string | string[] | undefined): string | undefined {
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((v) => v.trim());
  const entry = values.find((v) => v.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry?.slice(TOKEN_PROTOCOL_PREFIX.length);
}

export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
