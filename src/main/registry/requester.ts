/**
 * An authenticated request to a registry: endpoint from the ping, Authorization for the request's scopes
 * (only ever sent to the registry's own origin), one retry with a new token after a 401 from that origin
 * (a 401 from anywhere else is refused, never answered), and non-success answers turned into BerthErrors
 * unless the caller said it handles that status.
 */
import type { Readable } from 'node:stream';
import type { Authenticator } from './auth';
import { foreignChallengeError, type ErrorContext } from './errors';
import { discard, failure, type Method, type Transport, type TransportResponse } from './transport';

export interface RegistryRequest {
  method: Method;
  /** A path on the registry (`/v2/...`) or an absolute URL (upload locations, `Link` pages). */
  path: string | URL;
  /** Token scopes, the push scope first. */
  scopes: string[];
  headers?: Record<string, string>;
  body?: Buffer | string | (() => Readable);
  signal?: AbortSignal;
  /** For messages: "list tags of library/alpine". */
  action: string;
  followRedirects?: boolean;
  /** Non-2xx statuses the caller handles itself (e.g. 404 for "does it exist?"); others throw. */
  handles?: number[];
}

export class Requester {
  constructor(
    readonly transport: Transport,
    readonly auth: Authenticator,
  ) {}

  /** The base URL of a registry (after its ping). */
  async baseUrl(registry: string, signal?: AbortSignal): Promise<URL> {
    return (await this.auth.endpoint(registry, signal)).baseUrl;
  }

  async send(registry: string, request: RegistryRequest): Promise<TransportResponse> {
    const { baseUrl } = await this.auth.endpoint(registry, request.signal);
    const url = typeof request.path === 'string' ? new URL(request.path, baseUrl) : request.path;
    const ownOrigin = url.origin === baseUrl.origin;
    let scopes = request.scopes;
    for (let attempt = 1; ; attempt++) {
      const authorization = ownOrigin ? await this.auth.authorization(registry, scopes, request.signal) : undefined;
      const response = await this.transport.request({
        registry,
        url,
        method: request.method,
        headers: { ...request.headers, ...(authorization ? { authorization } : {}) },
        action: request.action,
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.followRedirects !== undefined ? { followRedirects: request.followRedirects } : {}),
      });
      // Only a challenge from the registry's own origin is answered; `url` is where the answer came from after redirects.
      if (response.status === 401 && response.url.origin !== baseUrl.origin) {
        await discard(response);
        throw foreignChallengeError(registry, request.action, response.url);
      }
      if (response.status === 401 && attempt === 1 && ownOrigin) {
        scopes = await this.auth.unauthorized(registry, scopes, response.headers);
        await discard(response);
        continue;
      }
      if ((response.status >= 200 && response.status < 300) || request.handles?.includes(response.status))
        return response;
      const context = await this.errorContext(registry, request.action);
      if (context.authenticated && (response.status === 401 || response.status === 403)) {
        const permission = await this.auth.permission(registry, scopes, response.headers);
        if (permission) context.permission = permission;
      }
      return failure(response, context);
    }
  }

  /** Context for an error message, knowing whether credentials were sent. */
  async errorContext(registry: string, action: string): Promise<ErrorContext> {
    const credential = await this.auth.credential(registry).catch(() => undefined);
    return { registry, action, authenticated: credential !== undefined };
  }
}
