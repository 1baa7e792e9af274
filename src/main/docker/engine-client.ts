import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { Pool, type buildConnector, type Dispatcher } from 'undici';
import { BerthError } from '../../shared/errors';
import type { LocalImage, LocalImageDetails, LocalImageHistoryStep } from '../../shared/types/docker';
import { bulkRequest, type BulkResponse } from './bulk-response';
import type { EngineEndpoint, EngineTls } from './endpoint';
import { connectionError, engineError, notDocker } from './engine-errors';
import { readJsonMessages, type JsonMessage } from './json-messages';
import { abortError } from '../util/async';

/** The newest Engine API Berth is written against; it speaks min(this, the engine's). */
export const NEWEST_API_VERSION = '1.47';
/** The oldest it accepts (Docker 1.13): every endpoint and field used here exists since. */
export const OLDEST_API_VERSION = '1.25';

const QUICK = { headersTimeout: 15_000, bodyTimeout: 60_000 };
/**
 * Pull, push and export streams: the engine may think a while before its first line (resolving a manifest),
 * and a layer may sit "Waiting"; five silent minutes mean the engine is stuck, not slow.
 */
const STREAMING = { headersTimeout: 300_000, bodyTimeout: 300_000 };
const MAX_ERROR_BODY = 64 * 1024;
const MAX_JSON_BODY = 64 * 1024 * 1024;

export interface EngineVersion {
  product?: string;
  version: string;
  apiVersion: string;
  minApiVersion?: string;
  os: string;
  arch: string;
}

interface RequestOptions {
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeouts?: typeof QUICK;
  /** What is running, for "the engine closed the connection during the push of X". */
  during?: string;
  /** `/_ping` is addressed without a version prefix, as version negotiation needs. */
  unversioned?: boolean;
  /** Return error statuses instead of throwing (`/_ping`, where a 404 means "not an engine"). */
  anyStatus?: boolean;
  /** A large body read at the pace of its reader (see bulk-response.ts): image exports. */
  bulk?: boolean;
}

/** Compares dotted API versions numerically ("1.9" < "1.41"). */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Engine paths take names as they are (the router matches `{name:.*}`); refuse anything that is not a name. */
function imagePath(name: string, suffix = ''): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(name) || name.split('/').includes('..') || name.length > 1024) {
    throw new BerthError('invalid_input', `"${name.slice(0, 120)}" is not an image name or ID`);
  }
  return `/images/${name}${suffix}`;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function asNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function asOptionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function unixSecondsToIso(value: unknown): string {
  return new Date(asNumber(value) * 1000).toISOString();
}

/** Repo tags and digests without the engine's `<none>` placeholders for dangling images. */
function realNames(values: unknown): string[] {
  return asStrings(values).filter((name) => !name.startsWith('<none>'));
}

async function readBounded(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new BerthError(
        'too_large',
        `The Docker engine sent more than ${limit} bytes where a short answer was expected.`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function loadTls(endpoint: EngineEndpoint, tls: EngineTls): Promise<Record<string, unknown>> {
  const read = async (file: string | undefined, what: string) => {
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (error) {
      // Only the CA of a verified connection must exist; client certificates are optional, as in the Docker CLI.
      const required = what === 'CA certificate' && tls.verify;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined;
      throw new BerthError(
        'config_invalid',
        `Cannot read the ${what} ${file} for the Docker engine at ${endpoint.host}.`,
        undefined,
        { cause: error },
      );
    }
  };
  const [ca, cert, key] = await Promise.all([
    read(tls.caFile, 'CA certificate'),
    read(tls.certFile, 'client certificate'),
    read(tls.keyFile, 'client key'),
  ]);
  return { rejectUnauthorized: tls.verify, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

/**
 * A Docker Engine API client over undici: unix socket, Windows named pipe, or TCP with optional TLS
 * (https://docs.docker.com/engine/api/v1.41/). The API version is negotiated once from `/_ping`, as the
 * Docker CLI does: the lower of the engine's and Berth's newest.
 */
export class EngineClient {
  private negotiated: Promise<string> | undefined;

  private constructor(
    readonly endpoint: EngineEndpoint,
    private readonly pool: Pool,
    private readonly platform: NodeJS.Platform,
  ) {}

  /** `connector` replaces undici's own (TLS settings included): tests use it to see every connection attempt. */
  static async open(
    endpoint: EngineEndpoint,
    platform: NodeJS.Platform = process.platform,
    connector?: buildConnector.connector,
  ): Promise<EngineClient> {
    // Several connections: a pull stream holds one for minutes while the UI keeps listing images.
    const common = { connections: 8, keepAliveTimeout: 10_000 };
    let pool: Pool;
    if (endpoint.kind === 'tcp') {
      const secure = endpoint.tls !== undefined;
      const host = endpoint.hostname.replace(/^\[|\]$/g, '');
      // SNI carries names only (RFC 6066); an IP address is checked against the certificate's IP SANs.
      const connect =
        connector ??
        (secure ? { ...(await loadTls(endpoint, endpoint.tls!)), ...(isIP(host) ? {} : { servername: host }) } : {});
      pool = new Pool(`${secure ? 'https' : 'http'}://${endpoint.hostname}:${endpoint.port}`, { ...common, connect });
    } else {
      pool = new Pool('http://localhost', {
        ...common,
        socketPath: endpoint.socketPath,
        ...(connector ? { connect: connector } : {}),
      });
    }
    return new EngineClient(endpoint, pool, platform);
  }

  /** `graceful` lets running requests finish (the engine was switched); otherwise they are cut (shutdown). */
  async close({ graceful }: { graceful: boolean }): Promise<void> {
    await (graceful ? this.pool.close() : this.pool.destroy());
  }

  /** `GET /_ping`: proves the peer is an engine and tells its API version. */
  async ping(signal?: AbortSignal): Promise<{ apiVersion: string; os?: string }> {
    const response = await this.send('GET', '/_ping', { signal, unversioned: true, anyStatus: true });
    const text = await readBounded(response.body, MAX_ERROR_BODY).catch(() => '');
    const header = response.headers['api-version'];
    const apiVersion = Array.isArray(header) ? header[0] : header;
    if (response.statusCode !== 200 || !apiVersion || !/^\d+\.\d+$/.test(apiVersion)) {
      const why =
        response.statusCode !== 200
          ? `GET /_ping returned HTTP ${response.statusCode}`
          : `GET /_ping returned ${JSON.stringify(text.slice(0, 40))} without an API-Version header`;
      throw notDocker(this.endpoint, why);
    }
    const os = response.headers.ostype;
    return { apiVersion, ...(typeof os === 'string' ? { os } : {}) };
  }

  /** The API version used in request paths; negotiated once per client, retried after a failure. */
  apiVersion(signal?: AbortSignal): Promise<string> {
    this.negotiated ??= this.ping(signal).then(({ apiVersion }) => {
      if (compareApiVersions(apiVersion, OLDEST_API_VERSION) < 0) {
        throw new BerthError(
          'unsupported',
          `The Docker engine at ${this.endpoint.host} speaks API ${apiVersion}, which is too old: Berth needs API ${OLDEST_API_VERSION} or newer (Docker 1.13+). Upgrade the engine.`,
          { host: this.endpoint.host, apiVersion },
        );
      }
      return compareApiVersions(apiVersion, NEWEST_API_VERSION) < 0 ? apiVersion : NEWEST_API_VERSION;
    });
    this.negotiated.catch(() => (this.negotiated = undefined));
    return this.negotiated;
  }

  async version(signal?: AbortSignal): Promise<EngineVersion> {
    const body = (await this.json('GET', '/version', { signal })) as Record<string, unknown>;
    const components = Array.isArray(body.Components) ? (body.Components as { Name?: unknown }[]) : [];
    const platformName = asOptionalString((body.Platform as { Name?: unknown } | undefined)?.Name);
    const component = asOptionalString(components[0]?.Name);
    // Docker names its component "Engine" (the edition is in Platform.Name); Podman says "Podman Engine".
    const product =
      component === 'Engine'
        ? platformName?.startsWith('Docker')
          ? platformName
          : 'Docker Engine'
        : (component ?? platformName);
    const minApiVersion = asOptionalString(body.MinAPIVersion);
    return {
      ...(product ? { product } : {}),
      version: asOptionalString(body.Version) ?? 'unknown',
      apiVersion: asOptionalString(body.ApiVersion) ?? (await this.apiVersion(signal)),
      ...(minApiVersion ? { minApiVersion } : {}),
      os: asOptionalString(body.Os) ?? 'unknown',
      arch: asOptionalString(body.Arch) ?? 'unknown',
    };
  }

  async listImages(signal?: AbortSignal): Promise<LocalImage[]> {
    const body = await this.json('GET', '/images/json', { signal });
    if (!Array.isArray(body))
      throw new BerthError(
        'bad_response',
        'The Docker engine answered the image list with something that is not a list.',
      );
    const images = body.map((image: Record<string, unknown>) => ({
      id: String(image.Id ?? ''),
      repoTags: realNames(image.RepoTags),
      repoDigests: realNames(image.RepoDigests),
      size: asNumber(image.Size),
      created: unixSecondsToIso(image.Created),
    }));
    // Newest first, as `docker images` shows them (the engine returns them in no particular order).
    return images.sort(
      (a, b) => b.created.localeCompare(a.created) || (a.repoTags[0] ?? '').localeCompare(b.repoTags[0] ?? ''),
    );
  }

  async inspectImage(name: string, signal?: AbortSignal): Promise<LocalImageDetails> {
    const [image, history] = await Promise.all([
      this.json('GET', imagePath(name, '/json'), { signal }) as Promise<Record<string, unknown>>,
      this.json('GET', imagePath(name, '/history'), { signal }),
    ]);
    const config = (image.Config ?? {}) as Record<string, unknown>;
    const labels = (config.Labels ?? {}) as Record<string, unknown>;
    const variant = asOptionalString(image.Variant);
    const author = asOptionalString(image.Author);
    const workingDir = asOptionalString(config.WorkingDir);
    const user = asOptionalString(config.User);
    return {
      id: String(image.Id ?? ''),
      repoTags: realNames(image.RepoTags),
      repoDigests: realNames(image.RepoDigests),
      size: asNumber(image.Size),
      created: typeof image.Created === 'string' ? image.Created : unixSecondsToIso(image.Created),
      os: asOptionalString(image.Os) ?? 'unknown',
      architecture: asOptionalString(image.Architecture) ?? 'unknown',
      ...(variant ? { variant } : {}),
      ...(author ? { author } : {}),
      env: asStrings(config.Env),
      entrypoint: Array.isArray(config.Entrypoint) ? asStrings(config.Entrypoint) : null,
      cmd: Array.isArray(config.Cmd) ? asStrings(config.Cmd) : null,
      ...(workingDir ? { workingDir } : {}),
      ...(user ? { user } : {}),
      labels: Object.fromEntries(
        Object.entries(labels).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      ),
      exposedPorts: Object.keys((config.ExposedPorts ?? {}) as object),
      layers: asStrings((image.RootFS as { Layers?: unknown } | undefined)?.Layers),
      history: (Array.isArray(history) ? history : []).map((step: Record<string, unknown>): LocalImageHistoryStep => {
        const comment = asOptionalString(step.Comment);
        return {
          id: String(step.Id ?? '<missing>'),
          created: unixSecondsToIso(step.Created),
          createdBy: typeof step.CreatedBy === 'string' ? step.CreatedBy : '',
          size: asNumber(step.Size),
          ...(comment ? { comment } : {}),
          tags: realNames(step.Tags),
        };
      }),
    };
  }

  /** `POST /images/create`: the engine pulls `fromImage` at `tag` (a tag or a digest) and streams progress. */
  async pull(
    fromImage: string,
    tag: string,
    registryAuth: string,
    signal?: AbortSignal,
  ): Promise<AsyncGenerator<JsonMessage>> {
    const during = `pull of ${fromImage}${tag.includes(':') ? '@' : ':'}${tag}`;
    const response = await this.send('POST', '/images/create', {
      query: { fromImage, tag },
      headers: { 'x-registry-auth': registryAuth },
      signal,
      timeouts: STREAMING,
      during,
    });
    return this.messages(response, during, signal);
  }

  /** `POST /images/{name}/push`: pushes one tag (without `tag` the engine would push every tag of the repository). */
  async push(
    name: string,
    tag: string,
    registryAuth: string,
    signal?: AbortSignal,
  ): Promise<AsyncGenerator<JsonMessage>> {
    const during = `push of ${name}:${tag}`;
    const response = await this.send('POST', imagePath(name, '/push'), {
      query: { tag },
      headers: { 'x-registry-auth': registryAuth },
      signal,
      timeouts: STREAMING,
      during,
    });
    return this.messages(response, during, signal);
  }

  async tag(source: string, repository: string, tag: string, signal?: AbortSignal): Promise<void> {
    const response = await this.send('POST', imagePath(source, '/tag'), { query: { repo: repository, tag }, signal });
    await readBounded(response.body, MAX_ERROR_BODY);
  }

  /** `DELETE /images/{name}`: returns what was untagged and deleted. `force` also removes images used by stopped containers. */
  async removeImage(name: string, force: boolean, signal?: AbortSignal): Promise<string[]> {
    const body = await this.json('DELETE', imagePath(name), { query: { force: String(force) }, signal });
    const items = Array.isArray(body) ? (body as Record<string, unknown>[]) : [];
    return items.flatMap((item) =>
      [asOptionalString(item.Untagged), asOptionalString(item.Deleted)].filter((v): v is string => v !== undefined),
    );
  }

  /**
   * `GET /images/{name}/get`: the image as a `docker save` tarball, streamed. Connection errors surface on the
   * returned stream as BerthErrors; destroying it ends the transfer.
   */
  async exportImage(name: string, signal?: AbortSignal): Promise<Readable> {
    const response = await this.send('GET', imagePath(name, '/get'), {
      signal,
      timeouts: STREAMING,
      during: `export of ${name}`,
      bulk: true,
    });
    return response.body;
  }

  private async json(method: Dispatcher.HttpMethod, path: string, options: RequestOptions): Promise<unknown> {
    const response = await this.send(method, path, options);
    const text = await readBounded(response.body, MAX_JSON_BODY).catch((error: unknown) => {
      throw this.failure(error, options.signal, options.during);
    });
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new BerthError(
        'bad_response',
        `The Docker engine answered ${method} ${path} with something that is not JSON.`,
      );
    }
  }

  /** Sends a request; an HTTP error status becomes the engine's own message with a code. */
  private async send(
    method: Dispatcher.HttpMethod,
    path: string,
    options: RequestOptions,
  ): Promise<Dispatcher.ResponseData | BulkResponse> {
    const version = options.unversioned ? '' : `/v${await this.apiVersion(options.signal)}`;
    const base = this.endpoint.kind === 'tcp' ? this.endpoint.basePath : '';
    const query = new URLSearchParams(
      Object.entries(options.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const search = query.size > 0 ? `?${query.toString()}` : '';
    const request = {
      method,
      path: `${base}${version}${path}${search}`,
      headers: { ...options.headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(options.timeouts ?? QUICK),
    };
    const fail = (error: unknown) => this.failure(error, options.signal, options.during);
    let response: Dispatcher.ResponseData | BulkResponse;
    if (options.bulk) {
      response = await bulkRequest(this.pool, request, fail, options.signal);
    } else {
      try {
        response = await this.pool.request({ ...request, ...(options.signal ? { signal: options.signal } : {}) });
      } catch (error) {
        throw fail(error);
      }
    }
    if (response.statusCode < 400 || options.anyStatus) return response;
    const text = await readBounded(response.body, MAX_ERROR_BODY).catch(() => '');
    let message = text;
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // Not JSON: keep the text, the engine's words are still the best explanation.
    }
    if (response.statusCode === 400 && /client version [\d.]+ is too old/i.test(message)) {
      throw new BerthError(
        'unsupported',
        `The Docker engine at ${this.endpoint.host} no longer speaks API ${version.slice(2)}: ${message}. Update Berth.`,
      );
    }
    throw engineError(message, response.statusCode, { host: this.endpoint.host });
  }

  private async *messages(
    response: { body: Readable },
    during: string,
    signal?: AbortSignal,
  ): AsyncGenerator<JsonMessage> {
    try {
      yield* readJsonMessages(response.body);
    } catch (error) {
      throw this.failure(error, signal, during);
    } finally {
      // Ending early (an error message, a cancel) must close the connection: that is what stops the engine.
      if (!response.body.destroyed) response.body.destroy();
    }
  }

  private failure(error: unknown, signal: AbortSignal | undefined, during?: string): BerthError {
    if (signal?.aborted) return abortError(signal, `Cancelled${during ? ` the ${during}` : ''}`);
    return connectionError(error, this.endpoint, this.platform, during);
  }
}
