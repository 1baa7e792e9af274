import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectApi, startBerthServe, type RunningBerthServe } from '../../env/serve';

function get(port: number, path: string, host: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
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
    expect(await upgradeStatus(serve.port, ['berth.v1', `berth.token.${serve.token}`], { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(serve.port, ['berth.v1', `berth.token.${serve.token}`], { host: `attacker.example:${serve.port}` })).toBe(403);
    expect(await upgradeStatus(serve.port, ['berth.v1', `berth.token.${serve.token}`], { origin: `http://127.0.0.1:${serve.port}` })).toBe(101);
  });

  it('returns invalid input and unknown requests as error data', async () => {
    const api = await connectApi(serve);
    expect(await api.call('registry.listTags', { registryId: 42 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await api.call('nope.nothing' as never, {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    api.close();
  });

  it('closes a connection that sends something other than a call', async () => {
    const api = await connectApi(serve);
    const closed = new Promise<number>((resolve) => api.ws.once('close', (code) => resolve(code)));
    api.send('not json');
    expect(await closed).toBe(1003);
  });
});
