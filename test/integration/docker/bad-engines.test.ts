import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDockerService, type DockerService, type TransferSnapshot } from '../../../src/main/docker';
import { BerthError } from '../../../src/shared/errors';
import { answerPing, startFakeHttpEngine, startNonHttpSocket, streamLines, type FakeEngine } from './fake-engine';
import { failure } from '../../env/failure';

const PUSH_START = [
  { status: 'The push refers to repository [127.0.0.1:5999/team/app]' },
  { status: 'Preparing', progressDetail: {}, id: 'aaaaaaaaaaaa' },
  { status: 'Pushing', progressDetail: { current: 1024, total: 8192 }, id: 'aaaaaaaaaaaa' },
];

let home: string;
let engine: FakeEngine | undefined;
let docker: DockerService | undefined;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'berth-docker-home-'));
});

afterEach(async () => {
  await docker?.close();
  await engine?.close();
  docker = undefined;
  engine = undefined;
  await rm(home, { recursive: true, force: true });
});

function service(host: string): DockerService {
  let chosen: string | undefined;
  docker = createDockerService({
    env: { DOCKER_HOST: host, HOME: home },
    homeDir: home,
    choice: { get: () => chosen, set: (value) => (chosen = value) },
    // A credential is at hand, so the push starts without asking the (absent) registry.
    resolveCredential: async () => ({ kind: 'basic', username: 'alice', password: 'secret' }),
    probeRegistry: async () => {
      throw new Error('a push with a credential does not ask the registry first');
    },
  });
  return docker;
}

describe('a socket path that does not exist', () => {
  it('reports the engine as not running, with how to start it', async () => {
    const host = `unix://${join(home, 'missing', 'docker.sock')}`;
    const docker = service(host);
    const error = await failure(docker.images());
    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toBe(
      `No Docker engine at ${host}: the socket ${join(home, 'missing', 'docker.sock')} does not exist. ` +
        'Start it with `sudo systemctl start docker` (Podman: `systemctl --user start podman.socket`), or open Docker Desktop, or choose another engine.',
    );
    const info = await docker.engine();
    expect(info).toMatchObject({ host, source: 'env', reachable: false, message: error.message });
  });
});

describe('a socket that is not Docker', () => {
  it('says so when an HTTP server answers /_ping with something else', async () => {
    engine = await startFakeHttpEngine((_req, res) => res.end('hello from a web app'));
    const error = await failure(service(engine.host).images());
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      `${engine.host} answered, but not as a Docker engine (GET /_ping returned "hello from a web app" without an API-Version header). Point Berth at a Docker or Podman API socket.`,
    );
    expect(engine.requests).toEqual(['GET /_ping']);
  });

  it('says so when the peer does not speak HTTP at all', async () => {
    engine = await startNonHttpSocket();
    const error = await failure(service(engine.host).images());
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      `${engine.host} answered, but not as a Docker engine (it does not speak HTTP). Point Berth at a Docker or Podman API socket.`,
    );
  });

  it('says so on a 404 for /_ping', async () => {
    engine = await startFakeHttpEngine((_req, res) => {
      res.statusCode = 404;
      res.end('not found');
    });
    const info = await service(engine.host).engine();
    expect(info.reachable).toBe(false);
    expect(info.message).toBe(
      `${engine.host} answered, but not as a Docker engine (GET /_ping returned HTTP 404). Point Berth at a Docker or Podman API socket.`,
    );
  });
});

describe('an engine whose API is too old', () => {
  it('refuses it with the versions involved', async () => {
    engine = await startFakeHttpEngine((req, res) => answerPing(req, res, '1.12') || res.end());
    const error = await failure(service(engine.host).images());
    expect(error.code).toBe('unsupported');
    expect(error.message).toBe(
      `The Docker engine at ${engine.host} speaks API 1.12, which is too old: Berth needs API 1.25 or newer (Docker 1.13+). Upgrade the engine.`,
    );
  });
});

describe('an engine that closes the stream mid-push', () => {
  it('fails the push (not a success) when the connection drops', async () => {
    engine = await startFakeHttpEngine((req, res) => {
      if (answerPing(req, res)) return;
      streamLines(res, PUSH_START);
      setTimeout(() => res.socket?.destroy(), 100);
    });
    const seen: TransferSnapshot[] = [];
    const error = await failure(
      service(engine.host).push('127.0.0.1:5999/team/app:1.0', { onProgress: (p) => seen.push(p) }),
    );
    expect(error.code).toBe('engine_unavailable');
    expect(error.message).toBe(
      `The Docker engine at ${engine.host} closed the connection during the push of 127.0.0.1:5999/team/app:1.0; it may have stopped or restarted.`,
    );
    expect(engine.requests).toEqual(['GET /_ping', 'POST /v1.41/images/127.0.0.1:5999/team/app/push?tag=1.0']);
    expect(seen.some((p) => p.done)).toBe(false);
  });

  it('fails the push when the stream ends cleanly before the engine confirmed it', async () => {
    engine = await startFakeHttpEngine((req, res) => {
      if (answerPing(req, res)) return;
      streamLines(res, PUSH_START);
      res.end();
    });
    const error = await failure(service(engine.host).push('127.0.0.1:5999/team/app:1.0'));
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      'The Docker engine ended the push of 127.0.0.1:5999/team/app:1.0 without confirming it; the push may be incomplete. Try again.',
    );
  });

  it('fails the push on the stream error field, after a 200', async () => {
    engine = await startFakeHttpEngine((req, res) => {
      if (answerPing(req, res)) return;
      streamLines(res, [
        ...PUSH_START,
        {
          errorDetail: { message: 'denied: requested access to the resource is denied' },
          error: 'denied: requested access to the resource is denied',
        },
      ]);
      res.end();
    });
    const error = await failure(service(engine.host).push('127.0.0.1:5999/team/app:1.0'));
    expect(error.code).toBe('denied');
    expect(error.message).toBe('Docker engine: denied: requested access to the resource is denied');
  });
});

describe('cancel', () => {
  it('closes the connection, which is what stops the engine', async () => {
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    engine = await startFakeHttpEngine((req, res) => {
      if (answerPing(req, res)) return;
      streamLines(res, PUSH_START);
      const timer = setInterval(() => res.write(`${JSON.stringify(PUSH_START[2])}\r\n`), 50);
      res.on('close', () => {
        clearInterval(timer);
        closed();
      });
    });
    const controller = new AbortController();
    const pushing = service(engine.host).push('127.0.0.1:5999/team/app:1.0', {
      signal: controller.signal,
      onProgress: () => controller.abort(new BerthError('cancelled', 'Cancelled by the user')),
    });
    const error = await failure(pushing);
    expect(error.code).toBe('cancelled');
    await connectionClosed;
  });
});

describe('an image name that is not valid', () => {
  it.each([
    ['pull', 'Team/App:1.0', /repository names must be lower-case/],
    ['pull', 'app:bad tag!', /is not a valid tag/],
    ['push', 'app@sha256:1234', /is not a digest/],
    ['tag', '', /it is empty/],
  ])('refuses %s of %j before asking the engine', async (operation, name, message) => {
    engine = await startFakeHttpEngine((req, res) => answerPing(req, res) || res.end('[]'));
    const docker = service(engine.host);
    const run =
      operation === 'pull' ? docker.pull(name) : operation === 'push' ? docker.push(name) : docker.tag('alpine', name);
    const error = await failure(run);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(message);
    expect(engine.requests).toEqual([]);
  });

  it('refuses a push by digest: the engine pushes tags', async () => {
    engine = await startFakeHttpEngine((req, res) => answerPing(req, res) || res.end('[]'));
    const error = await failure(service(engine.host).push(`127.0.0.1:5999/team/app@sha256:${'a'.repeat(64)}`));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/Push needs a tag, not a digest/);
    expect(engine.requests).toEqual([]);
  });
});

describe('an image export', () => {
  /** An engine whose export sends `chunks` of 64 KiB as fast as it is read, then `finish`es as told. */
  function exportingEngine(chunks: number, finish: (res: ServerResponse) => void, onClose?: () => void) {
    return startFakeHttpEngine((req, res) => {
      if (answerPing(req, res)) return;
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      let sent = 0;
      const more = () => {
        while (sent < chunks) {
          sent++;
          if (!res.write(Buffer.alloc(64 * 1024, sent % 251))) return void res.once('drain', more);
        }
        finish(res);
      };
      res.on('close', () => onClose?.());
      more();
    });
  }

  async function drain(stream: NodeJS.ReadableStream): Promise<{ bytes: number; error?: BerthError }> {
    let bytes = 0;
    try {
      for await (const chunk of stream) bytes += (chunk as Buffer).length;
      return { bytes };
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      return { bytes, error };
    }
  }

  it('streams every byte, past the points where the reader holds it back', async () => {
    // 48 MiB: several times the export's buffer, so the engine is paused and resumed on the way.
    engine = await exportingEngine(768, (res) => res.end());
    const stream = await service(engine.host).exportImage('team/app:1.0');
    let bytes = 0;
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      // A slow reader now and then: the buffer fills up to its limit and the engine is paused.
      if (bytes % (8 * 1024 * 1024) < 64 * 1024) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(bytes).toBe(768 * 64 * 1024);
    expect(engine.requests).toEqual(['GET /_ping', 'GET /v1.41/images/team/app:1.0/get']);
  });

  it('fails the stream with a BerthError when the engine drops the connection midway', async () => {
    engine = await exportingEngine(16, (res) => res.socket?.destroy());
    const { bytes, error } = await drain(await service(engine.host).exportImage('team/app:1.0'));
    expect(bytes).toBeLessThanOrEqual(16 * 64 * 1024);
    expect(error?.code).toBe('engine_unavailable');
    expect(error?.message).toBe(
      `The Docker engine at ${engine.host} closed the connection during the export of team/app:1.0; it may have stopped or restarted.`,
    );
  });

  it("gives the engine's error for an image it does not have, before any stream", async () => {
    engine = await startFakeHttpEngine((req, res) => {
      if (answerPing(req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'reference does not exist' }));
    });
    const error = await failure(service(engine.host).exportImage('team/app:1.0'));
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/reference does not exist/);
  });

  it('closes the connection when the reader stops early, and on cancel', async () => {
    for (const stop of ['destroy', 'abort'] as const) {
      let closed!: () => void;
      const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
      // Endless: only a closed connection ends it.
      engine = await exportingEngine(
        Number.MAX_SAFE_INTEGER,
        () => undefined,
        () => closed(),
      );
      const controller = new AbortController();
      const stream = await service(engine.host).exportImage('team/app:1.0', controller.signal);
      let bytes = 0;
      const reading = (async () => {
        for await (const chunk of stream) {
          bytes += (chunk as Buffer).length;
          if (bytes < 4 * 1024 * 1024) continue;
          if (stop === 'destroy') stream.destroy();
          else controller.abort(new BerthError('cancelled', 'Cancelled by the user'));
        }
      })();
      const outcome = await reading.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (stop === 'abort') expect(outcome).toMatchObject({ code: 'cancelled', message: 'Cancelled by the user' });
      await connectionClosed;
      await docker?.close();
      await engine.close();
      engine = undefined;
    }
  });
});
