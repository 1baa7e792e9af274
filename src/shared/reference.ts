/**
 * Image references with Docker's rules (github.com/distribution/reference, `ParseNormalizedNamed`):
 * `[host[:port]/]path[:tag][@digest]`, where a first path component is a host only when it contains a `.`
 * or a `:`, is `localhost`, or has an upper-case letter; otherwise the image is on Docker Hub (`docker.io`)
 * and a single-component name gets `library/`. Pure: the renderer uses it too.
 */
import { BerthError } from './errors';
import type { Platform } from './types/registry';

/** The name Docker gives Docker Hub in references and credentials. */
export const DOCKER_HUB = 'docker.io';
/** The host that actually serves Docker Hub's registry API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
  'hub.docker.com',
]);

const MAX_NAME_LENGTH = 255;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:.]+(?:%[\w.-]+)?\]$/;
const ANCHORED_ID = /^[a-f0-9]{64}$/;
/** `os/arch[/variant]` as written on command lines and in the API: `linux/arm64`, `linux/arm/v7`. */
export const PLATFORM_PATTERN = /^[a-z0-9_.-]+\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?$/;
/** Digest algorithms with a known encoded length, checked as the OCI image spec asks. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** A repository in a registry: `docker.io` + `library/alpine`. */
export interface RepositoryName {
  /** Registry host as users write it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`), lower-cased. */
  registry: string;
  repository: string;
}

/** A parsed, normalised image reference. When both are present the digest decides what is fetched. */
export interface ImageReference extends RepositoryName {
  tag?: string;
  digest?: string;
}

function invalid(input: string, why: string): BerthError {
  return new BerthError(
    'invalid_input',
    `"${input.length > 120 ? `${input.slice(0, 120)}…` : input}" is not a valid image reference: ${why}`,
  );
}

/** True for a `host[:port]` Docker would accept as a registry domain. */
export function isValidRegistryHost(host: string): boolean {
  let name = host;
  const ipv6 = /^(\[[^\]]+\])(?::(\d+))?$/.exec(host);
  if (ipv6) return IPV6_HOST.test(ipv6[1]!) && (ipv6[2] === undefined || isPort(ipv6[2]));
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    if (!isPort(host.slice(colon + 1))) return false;
    name = host.slice(0, colon);
  }
  return name.length > 0 && name.split('.').every((component) => DOMAIN_COMPONENT.test(component));
}

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

/**
 * A registry as a user names it (`docker.io`, `https://ghcr.io/`, `index.docker.io`, `127.0.0.1:5000`) in
 * its canonical form: no scheme, no path, lower-case, Docker Hub's aliases folded into `docker.io`.
 */
export function normalizeRegistryHost(input: string): string {
  const trimmed = input.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const host = trimmed.split('/')[0]!.toLowerCase();
  if (!isValidRegistryHost(host)) {
    throw new BerthError(
      'invalid_input',
      `"${input.slice(0, 120)}" is not a registry host: use host or host:port, e.g. ghcr.io or 127.0.0.1:5000`,
    );
  }
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** The host whose API serves a registry: Docker Hub's registry is `registry-1.docker.io`. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** Loopback hosts may be spoken to over plain HTTP without being marked insecure (as Docker does). */
export function isLoopbackHost(host: string): boolean {
  const name = hostName(host);
  return name === 'localhost' || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name);
}

/** `host[:port]` without the port, and without IPv6 brackets. */
export function hostName(host: string): string {
  const ipv6 = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (ipv6) return ipv6[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** `sha256:<64 hex>` (or another registered algorithm with its exact length). */
export function isDigest(value: string): boolean {
  if (!DIGEST.test(value)) return false;
  const [algorithm, encoded] = value.split(':') as [string, string];
  const length = DIGEST_HEX_LENGTH[algorithm];
  return length === undefined ? encoded.length >= 32 : encoded.length === length && /^[a-f0-9]+$/.test(encoded);
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

function splitDomain(name: string): { registry: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isHost =
    slash !== -1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  if (!isHost) return { registry: DOCKER_HUB, remainder: name };
  return { registry: first, remainder: name.slice(slash + 1) };
}

function parseName(input: string, name: string): RepositoryName {
  const { registry: rawRegistry, remainder } = splitDomain(name);
  if (!isValidRegistryHost(rawRegistry)) throw invalid(input, `"${rawRegistry}" is not a valid registry host`);
  const registry = DOCKER_HUB_ALIASES.has(rawRegistry.toLowerCase()) ? DOCKER_HUB : rawRegistry.toLowerCase();
  if (remainder.length === 0) throw invalid(input, 'the repository name is missing');
  if (remainder !== remainder.toLowerCase()) throw invalid(input, 'repository names must be lower-case');
  const repository = registry === DOCKER_HUB && !remainder.includes('/') ? `library/${remainder}` : remainder;
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(
        input,
        `"${component}" is not a valid path component (lower-case letters, digits and single . _ __ or - separators)`,
      );
    }
  }
  if (`${registry}/${repository}`.length > MAX_NAME_LENGTH)
    throw invalid(input, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  return { registry, repository };
}

/**
 * Parses and normalises an image reference the way `docker pull` does:
 * `alpine` -> docker.io/library/alpine, `ghcr.io/o/r:1.0`, `127.0.0.1:5000/a/b@sha256:...`.
 * A reference without tag or digest gets neither (callers pick `latest` where Docker would).
 */
export function parseReference(input: string): ImageReference {
  const text = input.trim();
  if (text.length === 0) throw invalid(input, 'it is empty');
  if (text.includes('://')) throw invalid(input, 'leave out the scheme (write host/path:tag, not https://host/path)');
  if (ANCHORED_ID.test(text)) throw invalid(input, 'a 64-hex image ID is not a name; use name@sha256:<hex>');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid(input, `"${digest}" is not a digest (expected sha256:<64 hex>)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isTag(tag))
      throw invalid(
        input,
        `"${tag}" is not a valid tag (letters, digits, _ . -; at most 128; not starting with . or -)`,
      );
  }
  const name = parseName(input, rest);
  return { ...name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * Checks a reference built from parts (API input, promotion targets) with the same rules as parsing, so no
 * name, tag or digest can smuggle path segments or queries into a registry URL.
 */
export function checkReference<T extends RepositoryName & { tag?: string; digest?: string }>(ref: T): T {
  const text = formatReference(ref);
  const parsed = parseReference(text);
  if (
    parsed.registry !== ref.registry ||
    parsed.repository !== ref.repository ||
    parsed.tag !== ref.tag ||
    parsed.digest !== ref.digest
  ) {
    throw invalid(text, 'it is not in normal form (registry host, lower-case path, tag, digest)');
  }
  return ref;
}

/** A repository name without tag or digest (`berth tags REPOSITORY`). */
export function parseRepository(input: string): RepositoryName {
  const parsed = parseReference(input);
  if (parsed.tag !== undefined || parsed.digest !== undefined) {
    throw new BerthError(
      'invalid_input',
      `"${input}" names an image, not a repository: leave out the :tag and @digest`,
    );
  }
  return { registry: parsed.registry, repository: parsed.repository };
}

/** Full form: `docker.io/library/alpine:3.20@sha256:...`. */
export function formatReference(ref: ImageReference | RepositoryName): string {
  const { tag, digest } = ref as ImageReference;
  return `${ref.registry}/${ref.repository}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
}

/** The short form Docker prints: `alpine:3.20`, `user/app`, other registries in full. */
export function familiarReference(ref: ImageReference | RepositoryName): string {
  const full = formatReference(ref);
  if (ref.registry !== DOCKER_HUB) return full;
  const path = full.slice(DOCKER_HUB.length + 1);
  return path.startsWith('library/') && !ref.repository.slice('library/'.length).includes('/')
    ? path.slice('library/'.length)
    : path;
}

/** What a registry request addresses: the digest when known, else the tag, else `latest`. */
export function referenceTarget(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function withTag(ref: RepositoryName, tag: string): ImageReference {
  if (!isTag(tag)) throw new BerthError('invalid_input', `"${tag.slice(0, 140)}" is not a valid tag`);
  return { registry: ref.registry, repository: ref.repository, tag };
}

export function withDigest(ref: RepositoryName & { tag?: string }, digest: string): ImageReference {
  if (!isDigest(digest)) throw new BerthError('invalid_input', `"${digest.slice(0, 140)}" is not a digest`);
  return {
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    digest,
  };
}

/** `linux/arm64`, `linux/arm/v7`: a platform as PLATFORM_PATTERN reads it, for the UI, the CLI and messages. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
