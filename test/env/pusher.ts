/**
 * A deliberately small, independent registry writer used only to seed test registries: the ground truth the
 * product's own client is tested against, so it shares no code with src/main.
 * Protocol: OCI distribution spec, "Pushing blobs" (POST then monolithic PUT) and "Pushing manifests"
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push), with the registry's Basic or
 * Bearer challenge answered as Docker's token spec describes.
 */
import { TEST_ENV_USER_AGENT } from './registry';
import { sha256 } from './layers';

export interface PushTarget {
  /** `127.0.0.1:PORT` (plain HTTP: test registries only). */
  host: string;
  username?: string;
  password?: string;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (one challenge, as distribution sends). */
function parseChallenge(header: string): Challenge {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const pattern = /([a-zA-Z_]+)="([^"]*)"/g;
  for (let match = pattern.exec(header); match; match = pattern.exec(header))
    params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme, params };
}

export class SeedPusher {
  private readonly base: string;
  private readonly basicHeader: string | null;
  /** Bearer tokens by scope string; basic credentials are sent from the first request once a 401 asks for them. */
  private readonly tokens = new Map<string, Promise<string>>();
  private scheme: 'none' | 'basic' | 'bearer' = 'none';

  constructor(target: PushTarget) {
    this.base = `http://${target.host}`;
    this.basicHeader =
      target.username !== undefined
        ? `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`
        : null;
  }

  /** Uploads a blob unless the repository already has it. */
  async pushBlob(
    repository: string,
    data: Buffer,
    options: { skipExistsCheck?: boolean } = {},
  ): Promise<{ digest: string; size: number }> {
    const digest = sha256(data);
    if (!options.skipExistsCheck) {
      const head = await this.request(repository, 'HEAD', `/v2/${repository}/blobs/${digest}`);
      if (head.status === 200) return { digest, size: data.length };
    }
    const start = await this.request(repository, 'POST', `/v2/${repository}/blobs/uploads/`);
    const location = start.headers.get('location');
    if (start.status !== 202 || !location)
      throw new Error(`blob upload to ${repository} not started: ${start.status} ${await start.text()}`);
    const uploadUrl = new URL(location, this.base);
    uploadUrl.searchParams.set('digest', digest);
    const put = await this.request(repository, 'PUT', uploadUrl.pathname + uploadUrl.search, {
      body: data,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (put.status !== 201)
      throw new Error(`blob ${digest} upload to ${repository} failed: ${put.status} ${await put.text()}`);
    return { digest, size: data.length };
  }

  /**
   * Links a blob `from` another repository of the registry into `repository` in one request ("Mounting a
   * blob from another repository", https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository).
   */
  async mountBlob(repository: string, digest: string, from: string): Promise<void> {
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const response = await this.request(repository, 'POST', `/v2/${repository}/blobs/uploads/?${query}`);
    if (response.status !== 201)
      throw new Error(`mounting ${digest} from ${from} into ${repository} failed: ${response.status}`);
    await response.arrayBuffer();
  }

  /** PUTs manifest bytes under a tag or digest; checks that the registry computed the same digest. */
  async pushManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256(bytes);
    const response = await this.request(repository, 'PUT', `/v2/${repository}/manifests/${reference}`, {
      body: bytes,
      headers: { 'content-type': mediaType },
    });
    if (response.status !== 201)
      throw new Error(`manifest ${repository}:${reference} rejected: ${response.status} ${await response.text()}`);
    const echoed = response.headers.get('docker-content-digest');
    if (echoed !== null && echoed !== digest)
      throw new Error(`registry stored ${repository}:${reference} as ${echoed}, expected ${digest}`);
    return digest;
  }

  private async request(
    repository: string,
    method: string,
    path: string,
    init: { body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const send = async (authorization: string | null): Promise<Response> => {
      const headers: Record<string, string> = { 'user-agent': `${TEST_ENV_USER_AGENT}/seed`, ...init.headers };
      if (authorization !== null) headers.authorization = authorization;
      return fetch(this.base + path, {
        method,
        headers,
        body: init.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      });
    };
    const scope = `repository:${repository}:pull,push`;
    const firstAuthorization = await this.authorizationFor(scope);
    let response = await send(firstAuthorization);
    if (response.status !== 401) return response;
    await response.arrayBuffer();
    const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
    if (challenge.scheme === 'basic') {
      if (this.basicHeader === null)
        throw new Error(`${this.base} asks for credentials; pass --username and --password`);
      this.scheme = 'basic';
    } else if (challenge.scheme === 'bearer') {
      this.scheme = 'bearer';
      // A refused token (expired) is dropped; without one, concurrent requests share the first token fetch.
      if (firstAuthorization !== null) this.tokens.delete(scope);
    } else {
      throw new Error(
        `${this.base} answered 401 with an unsupported challenge: ${response.headers.get('www-authenticate')}`,
      );
    }
    response = await send(await this.authorizationFor(scope, challenge));
    if (response.status === 401) throw new Error(`${this.base} refused the credentials for ${scope}`);
    return response;
  }

  private async authorizationFor(scope: string, challenge?: Challenge): Promise<string | null> {
    if (this.scheme === 'basic') return this.basicHeader;
    if (this.scheme !== 'bearer') return null;
    let token = this.tokens.get(scope);
    if (token === undefined) {
      if (challenge === undefined) return null;
      token = this.fetchToken(challenge, scope);
      this.tokens.set(scope, token);
      token.catch(() => this.tokens.delete(scope));
    }
    return `Bearer ${await token}`;
  }

  private async fetchToken(challenge: Challenge, scope: string): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new Error(`bearer challenge from ${this.base} has no realm`);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = { 'user-agent': `${TEST_ENV_USER_AGENT}/seed` };
    if (this.basicHeader !== null) headers.authorization = this.basicHeader;
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`token request to ${realm} failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`token response from ${realm} has no token`);
    return token;
  }
}

/** Runs `task` over `items` with at most `limit` in flight; rejects on the first failure. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
