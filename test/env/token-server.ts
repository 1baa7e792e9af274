/**
 * The project's own bearer-token server for a distribution registry in `auth.token` mode, following Docker's
 * token authentication spec (https://distribution.github.io/distribution/spec/auth/token/), its OAuth2 variant
 * (https://distribution.github.io/distribution/spec/auth/oauth/) and the JWT format the registry verifies
 * (https://distribution.github.io/distribution/spec/auth/jwt/).
 *
 * - GET  /token?service=S&scope=...&offline_token=true  with optional Basic auth
 * - POST /token  form: grant_type=password (username, password) | refresh_token (refresh_token), service, scope
 *   (space separated), client_id, access_type=offline
 * - GET  /_requests  the token requests received so far (scopes asked, who asked), for tests in any process;
 *   DELETE /_requests clears them.
 *
 * Tokens are RS256 JWTs whose `x5c` header carries a signing certificate issued by a CA that is the registry's
 * `rootcertbundle`. Note: distribution 2.8.2 accepts `exp`/`nbf` with a 60 s leeway, so a token with a shorter
 * lifetime is still accepted for a minute after it expires.
 */
import { createSign, randomBytes, timingSafeEqual, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { run } from './process';

export type TokenAccess = 'push' | 'pull';

export interface TokenUser {
  username: string;
  password: string;
  /** 'push': pull, push and delete on every repository plus the catalog. 'pull': pull on every repository. */
  access: TokenAccess;
}

export interface TokenServerOptions {
  users: TokenUser[];
  service: string;
  issuer: string;
  /** Directory where the CA and signing key are created (openssl). */
  dir: string;
  expiresInSeconds?: number;
  /** Repository name prefixes that anonymous clients may pull (Docker Hub style anonymous tokens). */
  anonymousPull?: string[];
}

export interface TokenRequestRecord {
  method: 'GET' | 'POST';
  grantType: 'basic' | 'anonymous' | 'password' | 'refresh_token';
  username: string | null;
  service: string | null;
  scopes: string[];
  offline: boolean;
  clientId: string | null;
  status: number;
}

export interface RunningTokenServer {
  /** The realm to put in the registry config: http://127.0.0.1:PORT/token */
  realm: string;
  url: string;
  service: string;
  issuer: string;
  /** PEM bundle the registry trusts (`auth.token.rootcertbundle`). */
  rootCertBundle: string;
  tokenRequests(): TokenRequestRecord[];
  clearTokenRequests(): void;
  close(): Promise<void>;
}

interface Signer {
  privateKeyPem: string;
  certificateDerBase64: string;
  rootCertBundle: string;
}

/** Creates a CA and a signing certificate issued by it, with the openssl CLI (node:crypto cannot issue X.509). */
async function createSigner(dir: string): Promise<Signer> {
  const ca = { key: join(dir, 'ca.key'), cert: join(dir, 'ca.pem') };
  const signer = { key: join(dir, 'signer.key'), csr: join(dir, 'signer.csr'), cert: join(dir, 'signer.pem') };
  const subject = (cn: string): string[] => ['-subj', `/CN=${cn}`];
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    '3650',
    ...subject('berth-test-token-ca'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    signer.key,
    '-out',
    signer.csr,
    ...subject('berth-test-token-signer'),
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    signer.csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    signer.cert,
    '-days',
    '3650',
  ]);
  const certificate = new X509Certificate(await readFile(signer.cert));
  return {
    privateKeyPem: await readFile(signer.key, 'utf8'),
    certificateDerBase64: certificate.raw.toString('base64'),
    rootCertBundle: ca.cert,
  };
}

interface ResourceScope {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:dev/app:pull,push` -> { type, name, actions }. The name may itself contain ':' (a port). */
export function parseScope(scope: string): ResourceScope | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  const type = scope.slice(0, first).replace(/\(.*\)$/, '');
  return {
    type,
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const signer = await createSigner(options.dir);
  const expiresIn = options.expiresInSeconds ?? 300;
  const records: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>();

  const grantedActions = (username: string | null, scope: ResourceScope): string[] => {
    const user = options.users.find((candidate) => candidate.username === username);
    if (scope.type === 'registry') return user?.access === 'push' && scope.name === 'catalog' ? ['*'] : [];
    if (scope.type !== 'repository') return [];
    let allowed: string[];
    if (user?.access === 'push') allowed = ['pull', 'push', 'delete', '*'];
    else if (user?.access === 'pull') allowed = ['pull'];
    else allowed = (options.anonymousPull ?? []).some((prefix) => scope.name.startsWith(prefix)) ? ['pull'] : [];
    return scope.actions.filter((action) => allowed.includes(action));
  };

  const issue = (
    username: string | null,
    service: string,
    scopes: string[],
  ): { token: string; issuedAt: string; scope: string } => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes
      .map(parseScope)
      .filter((scope): scope is ResourceScope => scope !== null)
      .map((scope) => ({ type: scope.type, name: scope.name, actions: grantedActions(username, scope) }))
      .filter((entry) => entry.actions.length > 0);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [signer.certificateDerBase64] };
    const claims = {
      iss: options.issuer,
      sub: username ?? '',
      aud: service,
      exp: now + expiresIn,
      nbf: now - 1,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(signer.privateKeyPem);
    return {
      token: `${signingInput}.${base64url(signature)}`,
      issuedAt: new Date(now * 1000).toISOString(),
      scope: access.map((entry) => `${entry.type}:${entry.name}:${entry.actions.join(',')}`).join(' '),
    };
  };

  const checkPassword = (username: string, password: string): boolean => {
    const user = options.users.find((candidate) => candidate.username === username);
    return user !== undefined && safeEqual(user.password, password);
  };

  const newRefreshToken = (username: string): string => {
    const token = randomBytes(24).toString('base64url');
    refreshTokens.set(token, username);
    return token;
  };

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    response.end(text);
  };

  const handleGet = (request: IncomingMessage, url: URL, response: ServerResponse): void => {
    const scopes = url.searchParams
      .getAll('scope')
      .flatMap((scope) => scope.split(' '))
      .filter(Boolean);
    const service = url.searchParams.get('service');
    const offline = url.searchParams.get('offline_token') === 'true';
    const record: TokenRequestRecord = {
      method: 'GET',
      grantType: 'anonymous',
      username: null,
      service,
      scopes,
      offline,
      clientId: url.searchParams.get('client_id'),
      status: 200,
    };
    records.push(record);
    const authorization = request.headers.authorization;
    let username: string | null = null;
    if (authorization !== undefined) {
      const match = /^Basic\s+(\S+)$/i.exec(authorization);
      const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = colon >= 0 ? decoded.slice(0, colon) : '';
      record.grantType = 'basic';
      record.username = user || null;
      if (colon < 0 || !checkPassword(user, decoded.slice(colon + 1))) {
        record.status = 401;
        send(
          response,
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] },
          {
            'www-authenticate': 'Basic realm="berth-test-token-server"',
          },
        );
        return;
      }
      username = user;
    }
    if (service !== options.service) {
      record.status = 400;
      send(response, 400, { errors: [{ code: 'DENIED', message: `unknown service ${JSON.stringify(service)}` }] });
      return;
    }
    const issued = issue(username, service, scopes);
    const body: Record<string, unknown> = {
      token: issued.token,
      access_token: issued.token,
      expires_in: expiresIn,
      issued_at: issued.issuedAt,
    };
    if (offline && username !== null) body.refresh_token = newRefreshToken(username);
    send(response, 200, body);
  };

  const handlePost = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > 64 * 1024) {
        send(response, 413, { error: 'invalid_request', error_description: 'body too large' });
        return;
      }
      chunks.push(chunk);
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const grantType = form.get('grant_type');
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const service = form.get('service');
    const offline = form.get('access_type') === 'offline';
    const record: TokenRequestRecord = {
      method: 'POST',
      grantType: grantType === 'refresh_token' ? 'refresh_token' : 'password',
      username: form.get('username'),
      service,
      scopes,
      offline,
      clientId: form.get('client_id'),
      status: 200,
    };
    records.push(record);
    const fail = (status: number, error: string, description: string): void => {
      record.status = status;
      send(response, status, { error, error_description: description });
    };
    if (service !== options.service) return fail(400, 'invalid_request', `unknown service ${JSON.stringify(service)}`);
    if (!form.get('client_id')) return fail(400, 'invalid_request', 'client_id is required');
    let username: string;
    if (grantType === 'password') {
      const user = form.get('username') ?? '';
      if (!checkPassword(user, form.get('password') ?? ''))
        return fail(401, 'invalid_grant', 'incorrect username or password');
      username = user;
    } else if (grantType === 'refresh_token') {
      const owner = refreshTokens.get(form.get('refresh_token') ?? '');
      if (owner === undefined) return fail(401, 'invalid_grant', 'unknown refresh token');
      username = owner;
      record.username = owner;
    } else {
      return fail(400, 'unsupported_grant_type', `unsupported grant_type ${JSON.stringify(grantType)}`);
    }
    const issued = issue(username, service, scopes);
    const body: Record<string, unknown> = {
      access_token: issued.token,
      scope: issued.scope,
      expires_in: expiresIn,
      issued_at: issued.issuedAt,
    };
    if (offline)
      body.refresh_token = grantType === 'refresh_token' ? form.get('refresh_token') : newRefreshToken(username);
    send(response, 200, body);
  };

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/token' && request.method === 'GET') return handleGet(request, url, response);
    if (url.pathname === '/token' && request.method === 'POST') {
      handlePost(request, response).catch((error: unknown) =>
        send(response, 500, { error: 'server_error', error_description: String(error) }),
      );
      return;
    }
    if (url.pathname === '/_requests' && request.method === 'GET') return send(response, 200, records);
    if (url.pathname === '/_requests' && request.method === 'DELETE') {
      records.length = 0;
      return send(response, 200, {});
    }
    send(response, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('token server has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    realm: `${url}/token`,
    url,
    service: options.service,
    issuer: options.issuer,
    rootCertBundle: signer.rootCertBundle,
    tokenRequests: () => records.map((entry) => ({ ...entry, scopes: [...entry.scopes] })),
    clearTokenRequests: () => {
      records.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads the token requests of a token server running in another process (e.g. the shared world's). */
export async function fetchTokenRequests(tokenServerUrl: string): Promise<TokenRequestRecord[]> {
  const response = await fetch(`${tokenServerUrl}/_requests`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`token server answered ${response.status}`);
  return (await response.json()) as TokenRequestRecord[];
}
