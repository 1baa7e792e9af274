/**
 * The HTTP layer under the registry client, on undici: one connection pool per (proxy, TLS settings),
 * per-registry concurrency limits, timeouts, retries with backoff on 429/502/503/504 honouring
 * `Retry-After`, and redirects followed here rather than by the HTTP library, so that the registry's
 * Authorization header is never carried to another origin (blob storage, a hostile redirect; see
 * CVE-2023-45143 / CVE-2024-24758 in undici's own redirect handling).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { BerthError } from '../../shared/errors';
import { isLoopbackHost, registryApiHost } from '../../shared/reference';
import {
  httpError,
  isTransientNetworkError,
  networkError,
  parseRetryAfter,
  headerValue,
  type ErrorContext,
} from './errors';
import { Semaphore } from '../util/async';
import { proxyFor, type ProxyEnv } from './proxy';

export interface HostOptions {
  /** Plain HTTP allowed, and TLS certificates not verified (Docker's `insecure-registries`). */
  insecure: boolean;
  /** PEM bundle trusted in addition to the system's roots. */
  caPath?: string;
}

export type HostOptionsResolver = (registry: string) => HostOptions | Promise<HostOptions>;

export interface Timeouts {
  connectMs: number;
  /** Until the response headers arrive. */
  headersMs: number;
  /** Longest silence between two body chunks. */
  bodyMs: number;
}

export interface RetryPolicy {
  /** Total tries for an idempotent request (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the caller gets a rate_limited error instead. */
  maxDelayMs: number;
}

export interface TransportOptions {
  hostOptions: HostOptionsResolver;
  env: ProxyEnv;
  userAgent: string;
  maxConcurrencyPerHost: number;
  timeouts: Timeouts;
  retry: RetryPolicy;
  maxRedirects: number;
  /** Sees every final response's headers (Docker Hub's rate-limit headers are read here). */
  onResponse?: (registry: string, headers: ResponseHeaders) => void;
}

export type ResponseHeaders = Record<string, string | string[] | undefined>;
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TransportRequest {
  /** The registry this request is for: its concurrency slot, TLS settings and name in messages. */
  registry: string;
  url: URL;
  method: Method;
  headers?: Record<string, string>;
  /** A factory for streams, so a retried request can send its body again. */
  body?: Buffer | string | (() => Readable);
  signal?: AbortSignal;
  /** For messages: "pull the manifest of library/alpine:3.20". */
  action: string;
  /** Follow 3xx redirects (GET and HEAD only). */
  followRedirects?: boolean;
}

export type ResponseBody = Dispatcher.ResponseData['body'];

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  /** Where the answer came from after redirects. */
  url: URL;
  /**
   * Must be read to the end (readBody, a stream consumer), discarded or destroyed: the registry's
   * concurrency slot is held until it closes.
   */
  body: ResponseBody;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export class Transport {
  /** Bounded requests in flight per registry. */
  private readonly limiters = new Map<string, Semaphore>();
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly caBundles = new Map<string, Promise<string>>();

  constructor(private readonly options: TransportOptions) {}

  /** Settings of the host a URL points at: the registry's own when it is the registry's API host. */
  private hostOptionsFor(urlHost: string, registry: string): HostOptions | Promise<HostOptions> {
    return this.options.hostOptions(urlHost === registryApiHost(registry) ? registry : urlHost);
  }

  /** Plain HTTP is allowed only for loopback hosts and hosts marked insecure; HTTPS everywhere else. */
  async allowsPlainHttp(urlHost: string, registry: string): Promise<boolean> {
    if (isLoopbackHost(urlHost)) return true;
    return (await this.hostOptionsFor(urlHost, registry)).insecure;
  }

  /**
   * Sends a request and returns once headers arrive. Retries idempotent requests on 429/502/503/504 and
   * on connections that drop before an answer; follows redirects when asked. Non-2xx answers are returned,
   * not thrown (the caller knows what a 404 means for it); network failures throw BerthErrors.
   */
  async request(request: TransportRequest): Promise<TransportResponse> {
    const idempotent =
      request.method === 'GET' ||
      request.method === 'HEAD' ||
      (request.method === 'PUT' && typeof request.body !== 'function');
    const { attempts, baseDelayMs, maxDelayMs } = this.options.retry;
    const context: ErrorContext = { registry: request.registry, action: request.action };
    for (let attempt = 1; ; attempt++) {
      const last = !idempotent || attempt >= attempts;
      let response: TransportResponse;
      try {
        response = await this.requestFollowingRedirects(request);
      } catch (error) {
        if (last || request.signal?.aborted || !isTransientNetworkError(error))
          throw networkError(error, context, request.signal);
        await sleep(backoff(attempt, baseDelayMs, maxDelayMs), undefined, { signal: request.signal }).catch(() => {
          throw networkError(error, context, request.signal);
        });
        continue;
      }
      if (last || !RETRYABLE_STATUS.has(response.status)) return response;
      const retryAfter = parseRetryAfter(headerValue(response.headers, 'retry-after'));
      if (retryAfter !== undefined && retryAfter * 1000 > maxDelayMs) return response;
      await discard(response);
      await sleep(retryAfter !== undefined ? retryAfter * 1000 : backoff(attempt, baseDelayMs, maxDelayMs), undefined, {
        signal: request.signal,
      }).catch(() => {
        throw networkError(new Error('aborted'), context, request.signal);
      });
    }
  }

  private async requestFollowingRedirects(request: TransportRequest): Promise<TransportResponse> {
    const origin = request.url.origin;
    let url = request.url;
    let method = request.method;
    let headers = { ...request.headers };
    const follow = request.followRedirects ?? (method === 'GET' || method === 'HEAD');
    // A request cancelled before it starts takes no slot and sends nothing.
    const release = await this.limiter(request.registry).acquire(request.signal, `Cancelled: ${request.action}`);
    try {
      for (let hop = 0; ; hop++) {
        await this.checkScheme(url, request.registry);
        const response = await this.dispatch(url, method, headers, request);
        const location = headerValue(response.headers, 'location');
        if (!follow || !REDIRECT_STATUS.has(response.status) || !location) {
          this.options.onResponse?.(request.registry, response.headers);
          response.body.once('close', release);
          if (response.body.destroyed) release();
          return response;
        }
        await discard(response);
        if (hop >= this.options.maxRedirects) {
          throw new BerthError(
            'bad_response',
            `Could not ${request.action}: ${request.registry} redirected more than ${this.options.maxRedirects} times.`,
            {
              registry: request.registry,
            },
          );
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new BerthError(
            'bad_response',
            `Could not ${request.action}: ${request.registry} redirected to an invalid address.`,
            { registry: request.registry },
          );
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new BerthError(
            'bad_response',
            `Could not ${request.action}: ${request.registry} redirected to a ${next.protocol} address.`,
            { registry: request.registry },
          );
        }
        if (next.origin !== origin) headers = withoutCredentials(headers);
        if (response.status === 303) method = 'GET';
        url = next;
      }
    } catch (error) {
      release();
      throw error;
    }
  }

  private async dispatch(
    url: URL,
    method: Method,
    headers: Record<string, string>,
    request: TransportRequest,
  ): Promise<TransportResponse> {
    const dispatcher = await this.dispatcherFor(url, request.registry);
    const { headersMs, bodyMs } = this.options.timeouts;
    const body = typeof request.body === 'function' ? request.body() : request.body;
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method,
      headers: { 'user-agent': this.options.userAgent, ...headers },
      ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      headersTimeout: headersMs,
      bodyTimeout: bodyMs,
    });
    return { status: response.statusCode, headers: response.headers, url, body: response.body };
  }

  private async checkScheme(url: URL, registry: string): Promise<void> {
    if (url.protocol === 'https:') return;
    if (url.protocol === 'http:' && (await this.allowsPlainHttp(url.host, registry))) return;
    throw new BerthError(
      'tls',
      `Refusing plain HTTP to ${url.host} (for ${registry}): only loopback addresses and registries marked insecure may be reached without TLS.`,
      { registry },
    );
  }

  private limiter(registry: string): Semaphore {
    let limiter = this.limiters.get(registry);
    if (!limiter) {
      limiter = new Semaphore(this.options.maxConcurrencyPerHost);
      this.limiters.set(registry, limiter);
    }
    return limiter;
  }

  private async dispatcherFor(url: URL, registry: string): Promise<Dispatcher> {
    // TLS settings belong to the host being connected to: a registry's CA does not apply to its blob storage.
    const hostOptions = await this.hostOptionsFor(url.host, registry);
    const proxy = proxyFor(url, this.options.env);
    const key = `${proxy ?? ''}\n${hostOptions.caPath ?? ''}\n${hostOptions.insecure}`;
    let dispatcher = this.dispatchers.get(key);
    if (!dispatcher) {
      const tls = {
        ...(hostOptions.caPath ? { ca: [...rootCertificates, await this.caBundle(hostOptions.caPath, registry)] } : {}),
        ...(hostOptions.insecure ? { rejectUnauthorized: false } : {}),
      };
      const { connectMs } = this.options.timeouts;
      const shared = { connections: this.options.maxConcurrencyPerHost, keepAliveTimeout: 30_000 };
      dispatcher = proxy
        ? new ProxyAgent({
            uri: proxy,
            requestTls: { ...tls, timeout: connectMs },
            proxyTls: { timeout: connectMs },
            ...shared,
          })
        : new Agent({ connect: { ...tls, timeout: connectMs }, ...shared });
      this.dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  private caBundle(path: string, registry: string): Promise<string> {
    let bundle = this.caBundles.get(path);
    if (!bundle) {
      bundle = readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        this.caBundles.delete(path);
        throw new BerthError(
          'config_invalid',
          `The CA file for ${registry} (${path}) cannot be read: ${error.code ?? error.message}.`,
          { registry },
        );
      });
      this.caBundles.set(path, bundle);
    }
    return bundle;
  }

  async close(): Promise<void> {
    const dispatchers = [...this.dispatchers.values()];
    this.dispatchers.clear();
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.destroy().catch(() => undefined)));
  }
}

/** Exponential backoff with full jitter, capped. */
function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower !== 'authorization' && lower !== 'cookie' && lower !== 'proxy-authorization') kept[name] = value;
  }
  return kept;
}

/**
 * Reads a whole body, refusing more than `maxBytes` (checked against Content-Length first, then as it
 * streams). A connection that drops or stalls mid-body becomes a BerthError for `context`.
 */
export async function readBody(
  response: TransportResponse,
  maxBytes: number,
  context: ErrorContext,
  onTooLarge: () => BerthError,
): Promise<Buffer> {
  const declared = Number(headerValue(response.headers, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw onTooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw onTooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    response.body.destroy();
    throw networkError(error, context);
  }
  return Buffer.concat(chunks, total);
}

/** Throws the BerthError for a non-success answer, after reading (a bounded part of) its error body. */
export async function failure(response: TransportResponse, context: ErrorContext): Promise<never> {
  let body: Buffer | undefined;
  try {
    body = await readBody(response, 64 * 1024, context, () => new BerthError('too_large', 'error body too large'));
  } catch {
    body = undefined;
  }
  throw httpError(response.status, body, response.headers, context);
}

/** Frees a response whose body is not wanted: small bodies are drained (keeping the connection), large ones cut. */
export async function discard(response: TransportResponse): Promise<void> {
  await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}
