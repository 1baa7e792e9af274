import { describe, expect, it } from 'vitest';
import { parseEngineHost } from '../../../src/main/docker/endpoint';
import { connectionError, engineError } from '../../../src/main/docker/engine-errors';

const socket = parseEngineHost('unix:///var/run/docker.sock');
const tcp = parseEngineHost('tcp://build.example:2376', { verify: true });

function errno(code: string): Error {
  return Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code });
}

describe('connectionError', () => {
  it('says the socket is absent and how to start the engine', () => {
    const error = connectionError(errno('ENOENT'), socket, 'linux');
    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toMatch(/the socket \/var\/run\/docker\.sock does not exist/);
    expect(error.message).toMatch(/systemctl start docker/);
    expect(connectionError(errno('ENOENT'), socket, 'darwin').message).toMatch(/Docker Desktop/);
  });

  it('names the docker group on permission denied (the one case root cannot reproduce live)', () => {
    const error = connectionError(errno('EACCES'), socket, 'linux');
    expect(error.code).toBe('denied');
    expect(error.message).toBe(
      'Permission denied on /var/run/docker.sock. Add your user to the docker group (`sudo usermod -aG docker $USER`), then log out and back in; or choose a rootless engine.',
    );
  });

  it('tells a stopped engine from a refused tcp port', () => {
    expect(connectionError(errno('ECONNREFUSED'), socket, 'linux').message).toMatch(/is not running/);
    expect(connectionError(errno('ECONNREFUSED'), tcp, 'linux').message).toMatch(
      /Nothing is listening at build\.example:2376/,
    );
  });

  it('finds the errno under undici wrappers', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { code: 'UND_ERR_SOCKET', cause: errno('ECONNRESET') });
    expect(connectionError(wrapped, socket, 'linux', 'push of app:1').message).toMatch(
      /closed the connection during the push of app:1/,
    );
  });

  it('reports TLS failures with where the certificates come from', () => {
    const error = connectionError(errno('DEPTH_ZERO_SELF_SIGNED_CERT'), tcp, 'linux');
    expect(error.code).toBe('tls');
    expect(error.message).toMatch(/DOCKER_CERT_PATH/);
  });
});

describe('engineError', () => {
  it.each([
    ['unauthorized: authentication required', 'unauthorized'],
    ['Get "https://r/v2/": no basic auth credentials', 'unauthorized'],
    ['denied: requested access to the resource is denied', 'denied'],
    ['manifest for 127.0.0.1:5000/x:nope not found: manifest unknown: manifest unknown', 'not_found'],
    ['toomanyrequests: You have reached your pull rate limit', 'rate_limited'],
    ['Get "https://r/v2/": x509: certificate signed by unknown authority', 'tls'],
    ['Get "https://r/v2/": dial tcp 10.0.0.1:443: connect: connection refused', 'unreachable'],
    ['something else entirely', 'bad_response'],
  ])('classifies %j as %s', (message, code) => {
    const error = engineError(message);
    expect(error.code).toBe(code);
    expect(error.message).toBe(`Docker engine: ${message}`);
  });

  it('lets a 4xx status decide, and does not read digests as status codes', () => {
    expect(engineError('conflict: unable to delete (must be forced)', 409).code).toBe('conflict');
    expect(engineError('No such image: x:1', 404).code).toBe('not_found');
    expect(engineError(`pushing sha256:${'0'.repeat(30)}404${'0'.repeat(31)} failed`).code).toBe('bad_response');
  });
});
