import { BerthError } from '../../shared/errors';
import { isLoopbackHost } from '../../shared/reference';

/** TLS material for a tcp engine, as file paths (DOCKER_CERT_PATH or a context's tls folder). */
export interface EngineTls {
  /** Verify the engine's certificate against `caFile` (DOCKER_TLS_VERIFY; a context's !SkipTLSVerify). */
  verify: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Where an engine listens, parsed from a Docker host string. */
export type EngineEndpoint =
  | { kind: 'unix'; host: string; socketPath: string }
  | { kind: 'npipe'; host: string; socketPath: string }
  | { kind: 'tcp'; host: string; hostname: string; port: number; basePath: string; tls?: EngineTls };

const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;

function invalidHost(host: string, why: string): BerthError {
  return new BerthError('invalid_input', `"${host.slice(0, 200)}" is not a Docker host: ${why}`);
}

/**
 * Parses a Docker host string the way the Docker CLI reads DOCKER_HOST (docker/cli opts.ParseHost):
 * `unix:///path`, `npipe:////./pipe/name`, `tcp://host[:port][/base]`, plus `http(s)://` and a bare absolute
 * socket path for convenience. `tls` applies to tcp only; `https://` forces TLS on.
 */
export function parseEngineHost(input: string, tls?: EngineTls): EngineEndpoint {
  const host = input.trim();
  if (host.length === 0) throw invalidHost(input, 'it is empty');
  if (host.startsWith('/')) return { kind: 'unix', host: `unix://${host}`, socketPath: host };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host)?.[1]?.toLowerCase();
  if (scheme === undefined)
    throw invalidHost(input, 'use unix:///path/docker.sock, npipe:////./pipe/docker_engine or tcp://host:port');
  const rest = host.slice(scheme.length + 3);
  switch (scheme) {
    case 'unix': {
      if (!rest.startsWith('/'))
        throw invalidHost(input, 'a unix socket path must be absolute (unix:///var/run/docker.sock)');
      return { kind: 'unix', host: `unix://${rest}`, socketPath: rest };
    }
    case 'npipe': {
      // `npipe:////./pipe/docker_engine` names the Windows pipe `\\.\pipe\docker_engine`.
      if (!/^[/\\]{2}[^/\\]+[/\\]pipe[/\\][^/\\]+$/.test(rest))
        throw invalidHost(input, 'expected npipe:////./pipe/NAME');
      return { kind: 'npipe', host: `npipe://${rest.replace(/\\/g, '/')}`, socketPath: rest.replace(/\//g, '\\') };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const url = parseUrl(input, `http://${rest}`);
      const effectiveTls = scheme === 'https' ? (tls ?? { verify: true }) : tls;
      const port = url.port === '' ? (effectiveTls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT) : Number(url.port);
      const basePath = url.pathname.replace(/\/+$/, '');
      const hostname = url.hostname;
      return {
        kind: 'tcp',
        host: `tcp://${hostname}:${port}${basePath}`,
        hostname,
        port,
        basePath,
        ...(effectiveTls ? { tls: effectiveTls } : {}),
      };
    }
    case 'ssh':
      throw new BerthError(
        'unsupported',
        `Berth cannot reach ${host} over ssh (the Docker CLI runs ssh for that). Forward the remote socket instead, ` +
          'e.g. `ssh -NL /tmp/remote-docker.sock:/var/run/docker.sock user@host`, and use unix:///tmp/remote-docker.sock.',
      );
    default:
      throw invalidHost(input, `unknown scheme "${scheme}://"; use unix://, npipe:// or tcp://`);
  }
}

function parseUrl(input: string, text: string): URL {
  try {
    const url = new URL(text);
    if (url.username || url.password || url.search || url.hash)
      throw invalidHost(input, 'no credentials, query or fragment in a Docker host');
    if (url.hostname === '') throw invalidHost(input, 'the host name is missing');
    return url;
  } catch (error) {
    if (error instanceof BerthError) throw error;
    throw invalidHost(input, 'not a valid tcp://host:port');
  }
}

/** The socket a person would check or fix permissions on, or `host:port`: for messages. */
export function describeEndpoint(endpoint: EngineEndpoint): string {
  return endpoint.kind === 'tcp' ? `${endpoint.hostname}:${endpoint.port}` : endpoint.socketPath;
}

/**
 * A tcp engine without TLS on an address other than loopback (127.0.0.0/8, ::1, localhost): everything sent
 * to it, registry passwords in X-Registry-Auth included, crosses the network in clear, and anyone who reaches
 * the port controls the engine (https://docs.docker.com/engine/security/protect-access/).
 */
export function isPlainRemote(endpoint: EngineEndpoint): boolean {
  return endpoint.kind === 'tcp' && endpoint.tls === undefined && !isLoopbackHost(endpoint.hostname);
}

/** How to stop sending in clear: for the messages that refuse to. */
export const PROTECT_ENGINE_ADVICE =
  'Protect the engine with TLS (dockerd --tlsverify on tcp://HOST:2376) and give Berth its certificates with DOCKER_TLS_VERIFY=1 and ' +
  'DOCKER_CERT_PATH (the folder with ca.pem, cert.pem and key.pem), or a Docker context with TLS; or forward its socket over SSH ' +
  '(`ssh -NL /tmp/remote-docker.sock:/var/run/docker.sock user@host`, then unix:///tmp/remote-docker.sock). ' +
  'See https://docs.docker.com/engine/security/protect-access/.';
