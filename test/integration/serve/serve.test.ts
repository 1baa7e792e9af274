import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { contract } from '../../../src/shared/contract';
import { callFrameLimit } from '../../../src/main/serve/frame-limit';
import { MAX_CONNECTIONS, TOO_MANY_CONNECTIONS } from '../../../src/main/serve/server';
import { connectApi, startBerthServe, type RunningBerthServe } from '../../env/serve';

function get(
  port: number,
  path: string,
  host: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function upgradeStatus(port: number, protocols: string[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, protocols, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

/** How the server ends a connection: its close code and reason, or 'open' if it is still open after `waitMs`. */
function closeOf(ws: WebSocket, waitMs = 3_000): Promise<{ code: number; reason: string } | 'open'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), waitMs);
    ws.on('error', () => undefined); // a reset while we still write is fine: the close code is what counts
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

function openSocket(serve: RunningBerthServe): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${serve.port}/api`, ['berth.v1', `berth.token.${serve.token}`]);
}

/** A string of `length` UTF-16 units that JSON escapes at the worst rate (`\u0001`, 6 bytes a unit). */
const worst = (length: number) => '\u0001'.repeat(length);

describe('berth serve', () => {
  let serve: RunningBerthServe;
  beforeAll(async () => {
    serve = await startBerthServe();
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('prints a loopback URL with a 256-bit token', () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  it('serves the UI with a strict CSP to its own Host only', async () => {
    const page = await get(serve.port, '/', `127.0.0.1:${serve.port}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    const rebound = await get(serve.port, '/', `evil.example:${serve.port}`);
    expect(rebound.status).toBe(421);
  });

  it('answers API calls with the token', async () => {
    const api = await connectApi(serve);
    const info = await api.call('app.info', {});
    expect(info).toMatchObject({ ok: true, value: { name: 'Berth', transport: 'cli' } });
    api.close();
  });

  it('refuses the API without the token, with a wrong token, or from another origin', async () => {
    expect(await upgradeStatus(serve.port, ['berth.v1'])).toBe(401);
    expect(await upgradeStatus(serve.port, ['berth.v1', `berth.token.${'0'.repeat(64)}`])).toBe(401);
    expect(
      await upgradeStatus(serve.port, ['berth.v1', `berth.token.${serve.token}`], { origin: 'http://evil.example' }),
    ).toBe(403);
    expect(
      await upgradeStatus(serve.port, ['berth.v1', `berth.token.${serve.token}`], {
        host: `attacker.example:${serve.port}`,
      }),
    ).toBe(403);
    expect(
      await upgradeStatus(serve.port, ['berth.v1', `berth.token.${serve.token}`], {
        origin: `http://127.0.0.1:${serve.port}`,
      }),
    ).toBe(101);
  });

  it('returns invalid input and unknown requests as error data', async () => {
    const api = await connectApi(serve);
    expect(await api.call('registry.listTags', { registryId: 42 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await api.call('nope.nothing' as never, {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    api.close();
  });

  it('answers a malformed or unknown path with the app page, never a 500', async () => {
    for (const path of ['/registries/%E0%A4%A', '/%', '/registries/%ZZ/x?y=%E0', '/no/such/page']) {
      const page = await get(serve.port, path, `127.0.0.1:${serve.port}`);
      expect(page.status, path).toBe(200);
      expect(page.body, path).toContain('<div id="root">');
    }
  });

  it("drops the desktop page's meta policy, so only its own header (which allows its WebSocket) applies", async () => {
    const page = await get(serve.port, '/registries/x', `127.0.0.1:${serve.port}`);
    expect(page.body).not.toMatch(/http-equiv\s*=\s*["']?content-security-policy/i);
    expect(page.body).toMatch(/<script type="module" crossorigin src="\/assets\//);
    expect(String(page.headers['content-security-policy'])).toContain(`connect-src ws://127.0.0.1:${serve.port}`);
  });

  it('takes the largest valid call the contract allows, in one frame', async () => {
    // registries.update at every bound, each string at the worst JSON escaping rate.
    const input = {
      id: worst(128),
      name: worst(128),
      host: worst(256),
      kind: 'distribution' as const,
      insecure: false,
      caPath: worst(4096),
      environments: Array.from({ length: 32 }, () => ({ role: worst(64), namespace: worst(256) })),
      repositories: Array.from({ length: 10_000 }, () => worst(256)),
    };
    expect(contract['registries.update'].input.safeParse(input).success).toBe(true);
    const frame = JSON.stringify({ type: 'call', id: 1, name: 'registries.update', input });
    expect(frame.length).toBeGreaterThan(15_000_000);
    expect(frame.length).toBeLessThanOrEqual(callFrameLimit());
    const api = await connectApi(serve);
    const closed = new Promise((resolve) => api.ws.once('close', (code) => resolve({ closed: code })));
    // Validated and handed to the service, which knows no such registry: the whole call arrived.
    expect(await Promise.race([api.call('registries.update', input), closed])).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    api.close();
  });

  it('closes only the connection that sends a frame over the limit (1009) or invalid UTF-8 (1007)', async () => {
    const bystander = await connectApi(serve);
    const oversized = openSocket(serve);
    await new Promise((resolve) => oversized.once('open', resolve));
    const oversizedClosed = closeOf(oversized);
    oversized.send('x'.repeat(callFrameLimit() + 1));
    expect(await oversizedClosed).toMatchObject({ code: 1009 });

    const garbled = openSocket(serve);
    await new Promise((resolve) => garbled.once('open', resolve));
    const garbledClosed = closeOf(garbled);
    garbled.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await garbledClosed).toMatchObject({ code: 1007 });

    // The server and the other connection live on, and new connections are taken.
    expect(await bystander.call('app.info', {})).toMatchObject({ ok: true });
    const next = await connectApi(serve);
    expect(await next.call('app.info', {})).toMatchObject({ ok: true });
    bystander.close();
    next.close();
  });

  it('lives on when a client resets the connection of an upgrade it refuses', async () => {
    const request = `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(serve.port, '127.0.0.1', () => {
          socket.write(request);
          socket.resetAndDestroy();
          resolve();
        });
        socket.once('error', reject);
      });
    }
    const api = await connectApi(serve);
    expect(await api.call('app.info', {})).toMatchObject({ ok: true });
    api.close();
  });

  it('closes a connection that sends something other than a call', async () => {
    const api = await connectApi(serve);
    const closed = new Promise<number>((resolve) => api.ws.once('close', (code) => resolve(code)));
    api.send('not json');
    expect(await closed).toBe(1003);
  });
});

describe('berth serve connection bound', () => {
  let serve: RunningBerthServe;
  beforeAll(async () => {
    serve = await startBerthServe();
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it(`keeps ${MAX_CONNECTIONS} connections and closes the next with 1013 and a reason, until one goes`, async () => {
    const open = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => connectApi(serve)));
    const extra = closeOf(openSocket(serve));
    expect(await extra).toEqual({ code: 1013, reason: TOO_MANY_CONNECTIONS });
    for (const api of open) expect(await api.call('app.info', {})).toMatchObject({ ok: true });

    const leaving = open.pop();
    const left = new Promise((resolve) => leaving?.ws.once('close', resolve));
    leaving?.close();
    await left;
    // The server counts the connection out when its socket closes, a moment after the client sees the close.
    let outcome: { code: number; reason: string } | 'open' = { code: 0, reason: '' };
    for (let attempt = 0; attempt < 20 && outcome !== 'open'; attempt++)
      outcome = await closeOf(openSocket(serve), 500);
    expect(outcome).toBe('open');
    for (const api of open) api.close();
  });
});
