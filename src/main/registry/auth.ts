/**
 * Registry authentication: the `/v2/` ping that finds the scheme and the challenge, then per-scope bearer
 * tokens (https://distribution.github.io/distribution/spec/auth/token/ and .../oauth/), or Basic. Tokens
 * are cached per registry and scope list until shortly before they expire; the push scope is put first
 * because some registries read only the first `scope`. Credentials come from the CredentialResolver and
 * are never logged or returned.
 */
import { BerthError } from '../../shared/errors';
import { isLoopbackHost, registryApiHost } from '../../shared/reference';
import type { CredentialResolver, RegistryCredential } from '../credentials/credential';
import { challengeScopes, parseChallenges, type Challenge } from './challenge';
import { foreignChallengeError, httpError, serverText, type ErrorContext, type Permission } from './errors';
import { discard, failure, readBody, type ResponseHeaders, type Transport, type TransportResponse } from './transport';

export interface Endpoint {
  /** `https://host` or, for loopback and insecure registries that do not speak TLS, `http://host`. */
  baseUrl: URL;
  /** The challenge to answer; undefined when the registry serves anonymously. */
  challenge?: Challenge;
}

/**
 * What a token grants, by resource (`repository:prod/app` -> `['pull']`), as its token service said; an
 * empty map when it grants nothing.
 */
export type GrantedAccess = ReadonlyMap<string, readonly string[]>;

interface CachedToken {
  header: string;
  expiresAt: number;
  /** Undefined when the token service does not say (an opaque token without a `scope` answer). */
  granted?: GrantedAccess;
}

/** What Berth can know of its access to a registry without writing to it. */
export type AccessProbe =
  /** The registry serves without a challenge: it decides on each write. */
  | { scheme: 'none' }
  /** Basic: the only answer is the write itself. */
  | { scheme: 'basic'; user?: string }
  /** Bearer: what the token service granted for the scopes asked (undefined when it does not say). */
  | { scheme: 'bearer'; user?: string; signedIn: boolean; granted?: GrantedAccess };

const TOKEN_MAX_BYTES = 1024 * 1024;
/** Token services must issue tokens valid for at least 60 s (token spec, `expires_in`). */
const DEFAULT_TOKEN_SECONDS = 60;
const EXPIRY_MARGIN_MS = 10_000;
const CREDENTIAL_TTL_MS = 60_000;
const CLIENT_ID = 'berth';

/** `repository:NAME:pull` */
export function repositoryScope(repository: string, actions: 'pull' | 'pull,push' | 'delete' | '*'): string {
  return `repository:${repository}:${actions}`;
}
export const CATALOG_SCOPE = 'registry:catalog:*';

export function splitScope(scope: string): { resource: string; actions: string[] } | undefined {
  const last = scope.lastIndexOf(':');
  if (last <= 0 || scope.indexOf(':') === last) return undefined;
  return {
    resource: scope.slice(0, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

/** Adds the scopes a registry asked for (insufficient_scope) to ours, merging actions on the same resource. */
export function mergeScopes(current: string[], extra: string[]): string[] {
  const merged = [...current];
  for (const scope of extra) {
    const wanted = splitScope(scope);
    const index = wanted ? merged.findIndex((existing) => splitScope(existing)?.resource === wanted.resource) : -1;
    if (!wanted || index === -1) {
      if (!merged.includes(scope)) merged.push(scope);
      continue;
    }
    const existing = splitScope(merged[index]!)!;
    const actions = [...existing.actions, ...wanted.actions.filter((action) => !existing.actions.includes(action))];
    merged[index] = `${existing.resource}:${actions.join(',')}`;
  }
  return merged;
}

export class Authenticator {
  private readonly endpoints = new Map<string, Promise<Endpoint>>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<CachedToken>>();
  private readonly credentialCache = new Map<
    string,
    { value: Promise<RegistryCredential | undefined>; until: number }
  >();
  /** Scopes a registry asked to add (insufficient_scope), remembered so the next request asks for them at once. */
  private readonly scopeUpgrades = new Map<string, string[]>();

  constructor(
    private readonly transport: Transport,
    private readonly credentials: CredentialResolver,
  ) {}

  /** The registry's base URL and challenge, from a `/v2/` ping (once per registry, shared by callers). */
  endpoint(registry: string, signal?: AbortSignal): Promise<Endpoint> {
    let endpoint = this.endpoints.get(registry);
    if (!endpoint) {
      endpoint = this.ping(registry, signal);
      this.endpoints.set(registry, endpoint);
      endpoint.catch(() => this.endpoints.delete(registry));
    }
    return endpoint;
  }

  /** The credential for a registry (cached briefly, so a burst of requests asks the keychain once). */
  credential(registry: string): Promise<RegistryCredential | undefined> {
    const cached = this.credentialCache.get(registry);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = this.credentials(registry);
    this.credentialCache.set(registry, { value, until: Date.now() + CREDENTIAL_TTL_MS });
    value.catch(() => this.credentialCache.delete(registry));
    return value;
  }

  /** The name a credential signs in as, for messages (never the secret); undefined for a bare token. */
  async user(registry: string): Promise<string | undefined> {
    return credentialUser(await this.credential(registry).catch(() => undefined));
  }

  /** What the token last issued for `scopes` grants, when its token service said. */
  granted(registry: string, scopes: string[]): GrantedAccess | undefined {
    const wanted = this.scopeUpgrades.get(`${registry}\n${scopes.join(' ')}`) ?? scopes;
    return this.tokens.get(`${registry}\n${wanted.join(' ')}`)?.granted;
  }

  /**
   * After a refusal (401 or 403): the first repository action the request needed that its token lacks, by
   * the registry's challenge (`scope`, else the request's scopes) and what the token service granted.
   * Undefined when the token has everything asked for (then the refusal is not about permission).
   */
  async permission(registry: string, scopes: string[], headers: ResponseHeaders): Promise<Permission | undefined> {
    const challenge = preferredChallenge(parseChallenges(headers['www-authenticate']));
    const asked = challenge?.scheme === 'bearer' ? challengeScopes(challenge) : [];
    const required = asked.length > 0 ? asked : (this.scopeUpgrades.get(`${registry}\n${scopes.join(' ')}`) ?? scopes);
    const granted = this.granted(registry, scopes);
    const user = await this.user(registry);
    for (const scope of required) {
      const parts = splitScope(scope);
      if (!parts?.resource.startsWith('repository:')) continue;
      const has = granted?.get(parts.resource);
      const missing = missingActions(parts.actions, granted ? (has ?? []) : undefined);
      if (missing.length === 0) continue;
      return {
        ...(user !== undefined ? { user } : {}),
        repository: parts.resource.slice('repository:'.length),
        missing,
        ...(granted ? { granted: has ?? [] } : {}),
      };
    }
    return undefined;
  }

  /**
   * What Berth may do with `scopes`, asked of the token service alone (no request to the registry, nothing
   * written): a token service issues a token with the access it allows and leaves out the rest (token spec).
   */
  async probe(registry: string, scopes: string[], signal?: AbortSignal): Promise<AccessProbe> {
    const { challenge } = await this.endpoint(registry, signal);
    if (!challenge) return { scheme: 'none' };
    const credential = await this.credential(registry);
    const user = credentialUser(credential);
    const named = user !== undefined ? { user } : {};
    if (challenge.scheme === 'basic') return { scheme: 'basic', ...named };
    // A bare bearer token is sent as it is: nothing says what it grants.
    if (credential?.kind === 'registry-token') return { scheme: 'bearer', ...named, signedIn: true };
    await this.authorization(registry, scopes, signal);
    const granted = this.granted(registry, scopes);
    return { scheme: 'bearer', ...named, signedIn: credential !== undefined, ...(granted ? { granted } : {}) };
  }

  /** Forgets endpoints, tokens and credentials of a registry (after its settings or credentials change). */
  forget(registry: string): void {
    this.endpoints.delete(registry);
    this.credentialCache.delete(registry);
    for (const key of this.tokens.keys()) if (key.startsWith(`${registry}\n`)) this.tokens.delete(key);
    for (const key of this.scopeUpgrades.keys()) if (key.startsWith(`${registry}\n`)) this.scopeUpgrades.delete(key);
  }

  private async ping(registry: string, signal?: AbortSignal): Promise<Endpoint> {
    const host = registryApiHost(registry);
    const context: ErrorContext = { registry, action: `reach ${registry}` };
    const attempt = async (scheme: 'https' | 'http') => {
      const baseUrl = new URL(`${scheme}://${host}`);
      const response = await this.transport.request({
        registry,
        url: new URL('/v2/', baseUrl),
        method: 'GET',
        action: `reach ${registry}`,
        ...(signal ? { signal } : {}),
      });
      return { baseUrl, response };
    };
    const first = isLoopbackHost(host)
      ? await this.pingLoopback(attempt, signal)
      : await this.pingRemote(attempt, host, registry, signal);
    const { baseUrl, response } = first;
    if (response.status === 200) {
      await discard(response);
      return { baseUrl };
    }
    if (response.status === 401) {
      if (response.url.origin !== baseUrl.origin) {
        await discard(response);
        throw foreignChallengeError(registry, context.action, response.url);
      }
      const challenge = preferredChallenge(parseChallenges(response.headers['www-authenticate']));
      await discard(response);
      if (!challenge) {
        throw new BerthError(
          'bad_response',
          `${registry} asks for authentication without a Basic or Bearer challenge Berth can answer.`,
          { registry },
        );
      }
      return { baseUrl, challenge };
    }
    if (response.status === 404) {
      await discard(response);
      throw new BerthError(
        'bad_response',
        `${registry} does not serve the registry API (GET /v2/ answered 404): check the address.`,
        { registry },
      );
    }
    return failure(response, context);
  }

  /**
   * Remote registries: HTTPS, then (only when marked insecure) plain HTTP, Docker's order. If HTTP gets no
   * answer, or a 400 (what a TLS server says to plain HTTP), the HTTPS failure is the one worth showing.
   */
  private async pingRemote<T extends { response: TransportResponse }>(
    attempt: (scheme: 'https' | 'http') => Promise<T>,
    host: string,
    registry: string,
    signal?: AbortSignal,
  ): Promise<T> {
    try {
      return await attempt('https');
    } catch (httpsError) {
      if (signal?.aborted || !(await this.transport.allowsPlainHttp(host, registry))) throw httpsError;
      const plain = await attempt('http').catch(() => undefined);
      if (!plain || plain.response.status === 400) {
        if (plain) await discard(plain.response);
        throw httpsError;
      }
      return plain;
    }
  }

  /**
   * Loopback registries (local, or a tunnel such as `kubectl port-forward`) are tried over plain HTTP first:
   * the ping carries no credentials, and it saves a TLS handshake per command when, as usually, the local
   * registry speaks HTTP. Anything but a registry's answer (200 or 401) means: try HTTPS.
   */
  private async pingLoopback<T extends { response: TransportResponse }>(
    attempt: (scheme: 'https' | 'http') => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const plain = await attempt('http').catch((error: unknown) => {
      if (signal?.aborted) throw error;
      return undefined;
    });
    if (plain && (plain.response.status === 200 || plain.response.status === 401)) return plain;
    try {
      const secure = await attempt('https');
      if (plain) await discard(plain.response);
      return secure;
    } catch (httpsError) {
      // A 400 over HTTP is what TLS servers answer to plain HTTP: then the TLS failure is the real story.
      if (!plain || plain.response.status === 400) {
        if (plain) await discard(plain.response);
        throw httpsError;
      }
      return plain;
    }
  }

  /** The Authorization header for `scopes`, fetching a token when needed; undefined for anonymous access. */
  async authorization(registry: string, scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const { challenge } = await this.endpoint(registry, signal);
    if (!challenge) return undefined;
    const credential = await this.credential(registry);
    if (challenge.scheme === 'basic') {
      if (credential?.kind === 'basic')
        return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
      return credential?.kind === 'registry-token' ? `Bearer ${credential.token}` : undefined;
    }
    if (credential?.kind === 'registry-token') return `Bearer ${credential.token}`;
    const wanted = this.scopeUpgrades.get(`${registry}\n${scopes.join(' ')}`) ?? scopes;
    const key = `${registry}\n${wanted.join(' ')}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.header;
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      pending = this.fetchToken(registry, challenge, wanted, credential, signal).finally(() =>
        this.pendingTokens.delete(key),
      );
      this.pendingTokens.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return token.header;
  }

  /**
   * After a 401 from the registry's own origin (the Requester refuses any other): takes its new challenge,
   * merges any scope it says is missing (`error="insufficient_scope"`), drops the cached token, and returns
   * the scopes to retry with.
   */
  async unauthorized(registry: string, scopes: string[], headers: ResponseHeaders): Promise<string[]> {
    const challenge = preferredChallenge(parseChallenges(headers['www-authenticate']));
    const original = `${registry}\n${scopes.join(' ')}`;
    this.tokens.delete(`${registry}\n${(this.scopeUpgrades.get(original) ?? scopes).join(' ')}`);
    if (!challenge) return scopes;
    const endpoint = await this.endpoint(registry);
    this.endpoints.set(registry, Promise.resolve({ baseUrl: endpoint.baseUrl, challenge }));
    // A bearer challenge names the scope the resource needs; merging it covers `insufficient_scope`.
    const merged =
      challenge.scheme === 'bearer'
        ? mergeScopes(this.scopeUpgrades.get(original) ?? scopes, challengeScopes(challenge))
        : scopes;
    if (merged.join(' ') !== scopes.join(' ')) this.scopeUpgrades.set(original, merged);
    this.tokens.delete(`${registry}\n${merged.join(' ')}`);
    return merged;
  }

  private async fetchToken(
    registry: string,
    challenge: Challenge,
    scopes: string[],
    credential: RegistryCredential | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const realmText = challenge.params['realm'];
    let realm: URL;
    try {
      realm = new URL(realmText ?? '');
    } catch {
      throw new BerthError(
        'bad_response',
        `${registry} named no valid token service in its challenge (realm ${JSON.stringify(serverText(realmText ?? ''))}).`,
        { registry },
      );
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new BerthError('bad_response', `${registry} named a token service that is not HTTP(S).`, { registry });
    }
    const service = challenge.params['service'];
    const context: ErrorContext = {
      registry,
      action: `get an access token from ${realm.host}`,
      authenticated: credential !== undefined,
    };
    const common = { registry, method: 'GET' as const, action: context.action, ...(signal ? { signal } : {}) };
    let response;
    if (credential?.kind === 'identity-token') {
      // OAuth2 refresh-token grant (https://distribution.github.io/distribution/spec/auth/oauth/).
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.token,
        client_id: CLIENT_ID,
      });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      response = await this.transport.request({
        ...common,
        method: 'POST',
        url: realm,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credential?.kind === 'basic') {
        url.searchParams.set('account', credential.username);
        headers['authorization'] =
          `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
      }
      response = await this.transport.request({ ...common, url, headers });
    }
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      throw response.status === 401
        ? httpError(401, undefined, response.headers, { ...context, action: `sign in to ${registry}` })
        : httpError(403, undefined, response.headers, {
            ...context,
            action: `access ${scopes.join(', ') || registry}`,
          });
    }
    if (response.status < 200 || response.status >= 300) return failure(response, context);
    const body = await readBody(
      response,
      TOKEN_MAX_BYTES,
      context,
      () => new BerthError('bad_response', `The token service of ${registry} sent an oversized answer.`, { registry }),
    );
    return parseTokenResponse(body, registry);
  }
}

function credentialUser(credential: RegistryCredential | undefined): string | undefined {
  return credential?.kind === 'basic' || credential?.kind === 'identity-token' ? credential.username : undefined;
}

function preferredChallenge(challenges: Challenge[]): Challenge | undefined {
  return (
    challenges.find((challenge) => challenge.scheme === 'bearer' && challenge.params['realm']) ??
    challenges.find((challenge) => challenge.scheme === 'basic')
  );
}

/**
 * The actions of `wanted` not in `granted` (`*` grants all, as distribution reads it). Without a grant list
 * (an opaque token), everything but `pull`: a refused write says nothing about reading.
 */
export function missingActions(wanted: readonly string[], granted: readonly string[] | undefined): string[] {
  if (granted) return granted.includes('*') ? [] : wanted.filter((action) => !granted.includes(action));
  const writes = wanted.filter((action) => action !== 'pull');
  return writes.length > 0 ? writes : [...wanted];
}

/** Adds `type:name:actions` scopes to a granted-access map. */
function addGrants(granted: Map<string, string[]>, scopes: string[]): void {
  for (const scope of scopes) {
    const parts = splitScope(scope);
    if (!parts) continue;
    const actions = granted.get(parts.resource) ?? [];
    granted.set(parts.resource, [...actions, ...parts.actions.filter((action) => !actions.includes(action))]);
  }
}

/**
 * What a token grants: the answer's `scope` (OAuth2, RFC 6749 §5.1, as the distribution token server sends
 * to a POST), else the JWT's `access` claim (https://distribution.github.io/distribution/spec/auth/jwt/).
 * Undefined when neither says: the token may be opaque, and then only the registry knows.
 */
export function grantedAccess(scope: unknown, token: string): GrantedAccess | undefined {
  const granted = new Map<string, string[]>();
  if (typeof scope === 'string') {
    addGrants(granted, scope.split(' ').filter(Boolean));
    return granted;
  }
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const access = (claims as { access?: unknown } | null)?.access;
  if (!Array.isArray(access)) return undefined;
  for (const entry of access.slice(0, 256) as unknown[]) {
    const { type, name, actions } = (entry ?? {}) as { type?: unknown; name?: unknown; actions?: unknown };
    if (typeof type !== 'string' || typeof name !== 'string' || !Array.isArray(actions)) continue;
    const names = actions.filter((action): action is string => typeof action === 'string');
    addGrants(granted, [`${type}:${name}:${names.join(',')}`]);
  }
  return granted;
}

/** `{token | access_token, expires_in?, issued_at?, scope?}`; anything else is a garbage answer, not a token. */
export function parseTokenResponse(body: Buffer, registry: string): CachedToken {
  const garbage = () =>
    new BerthError('bad_response', `The token service of ${registry} answered something that is not a token.`, {
      registry,
    });
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw garbage();
  }
  if (typeof json !== 'object' || json === null) throw garbage();
  const { token, access_token: accessToken, expires_in: expiresIn, scope } = json as Record<string, unknown>;
  const value = typeof accessToken === 'string' && accessToken ? accessToken : token;
  // A token goes into a header: printable ASCII without spaces only.
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,16384}$/.test(value)) throw garbage();
  const seconds =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
      ? Math.max(expiresIn, DEFAULT_TOKEN_SECONDS)
      : DEFAULT_TOKEN_SECONDS;
  const granted = grantedAccess(scope, value);
  return {
    header: `Bearer ${value}`,
    expiresAt: Date.now() + seconds * 1000 - EXPIRY_MARGIN_MS,
    ...(granted ? { granted } : {}),
  };
}
