/**
 * The page `berth serve` sends, in Chromium: the built page carries the desktop window's meta policy, which
 * allows no network; served, it must still reach the API with no Content-Security-Policy violation. And when
 * the server has no connection to spare, the page says so. Run `npm run build` first when running by hand.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS, TOO_MANY_CONNECTIONS } from '../../src/main/serve/server';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
});

async function newPage(): Promise<Page> {
  return chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
}

describe('the served page', () => {
  let serve: RunningBerthServe;
  beforeAll(async () => {
    serve = await startBerthServe();
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('reaches the API over its WebSocket with no Content-Security-Policy violation', async () => {
    const page = await newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) violations.push(message.text());
    });
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    // Injected by the browser before the page's own scripts, so no policy of the page can block it.
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));",
    });
    const sockets: { url: string; received: number }[] = [];
    page.on('websocket', (ws) => {
      const socket = { url: ws.url(), received: 0 };
      sockets.push(socket);
      ws.on('framereceived', () => socket.received++);
    });

    await page.goto(`${serve.origin}/registries/x/repositories/a/b#token=${serve.token}`);
    // A fresh config: the app answered app.info and registries.list, and shows its empty state.
    await page.getByTestId('empty-state').or(page.getByTestId('connection-problem')).waitFor();
    expect(violations).toEqual([]);
    expect(await page.getByTestId('empty-state').count()).toBe(1);
    expect(sockets.map((s) => s.url)).toEqual([`ws://127.0.0.1:${serve.port}/api`]);
    expect(sockets[0]?.received).toBeGreaterThanOrEqual(2);
    await page.close();
  });
});

describe('a server with no connection to spare', () => {
  let serve: RunningBerthServe;
  beforeAll(async () => {
    serve = await startBerthServe();
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('tells the page why it cannot connect', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => connectApi(serve)));
    const page = await newPage();
    await page.goto(serve.url);
    const problem = page.getByTestId('connection-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain(TOO_MANY_CONNECTIONS);
    await screenshot(page, 'e2e-serve-too-many-connections');
    await page.close();
    for (const api of held) api.close();
  });
});
