/**
 * Journey (issue 13 h): the `berth serve` token leaves the address bar at start-up and never comes back.
 * Chromium opens the printed link, browses to a repository and back through the app's own navigation:
 * no address in the history carries the token; a reload of the tab still connects (the token is kept in
 * sessionStorage for the tab). Run `npm run build` first when running by hand (e2e uses the built app).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let registryId: string;

beforeAll(async () => {
  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host: world.anonymous.host, name: 'Seeded' });
  api.close();
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

describe('the serve token', () => {
  it('is gone from the address bar and every history entry, and a reload still connects', async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(serve.url);
    const tree = page.getByRole('tree', { name: 'Registries' });
    await tree.getByRole('treeitem', { name: 'Seeded' }).waitFor({ timeout: 30_000 });
    // Expressions as strings: this file is typechecked without the DOM library.
    const href = () => page.evaluate<string>('location.href');
    const historyLength = () => page.evaluate<number>('history.length');
    expect(await href()).toBe(`${serve.origin}/`);
    // Taking the token out replaced the entry the link made: no entry with the token stays behind it.
    const entries = await historyLength();

    // To a repository through the app: registry, namespace, repository (each a pushState).
    await tree.getByRole('treeitem', { name: 'Seeded' }).click();
    const listing = page.getByRole('grid', { name: 'Repositories' });
    await listing.locator('[data-row-key="dev"]').click({ timeout: 30_000 });
    await listing.locator('[data-row-key="dev/app"]').click({ timeout: 30_000 });
    await page.getByRole('grid', { name: 'Tags' }).waitFor({ timeout: 30_000 });
    const repository = `${serve.origin}/registries/${encodeURIComponent(registryId)}/repositories/dev/app`;
    expect(await href()).toBe(repository);
    expect(await historyLength()).toBe(entries + 3);

    // Every entry, walked back to the first and forward again.
    const visited: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goBack();
      visited.push(await href());
    }
    expect(visited).toEqual([
      `${serve.origin}/registries/${encodeURIComponent(registryId)}?ns=dev`,
      `${serve.origin}/registries/${encodeURIComponent(registryId)}`,
      `${serve.origin}/`,
    ]);
    for (let i = 0; i < 3; i++) {
      await page.goForward();
      visited.push(await href());
    }
    expect(visited.at(-1)).toBe(repository);
    expect(visited.filter((url) => url.includes('token') || url.includes(serve.token))).toEqual([]);

    // A reload finds the token kept for this tab and connects: the sidebar and the tags load again.
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.reload();
    await tree.getByRole('treeitem', { name: 'Seeded' }).waitFor({ timeout: 30_000 });
    await page
      .getByRole('grid', { name: 'Tags' })
      .locator('[role=row][data-row-key]')
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('connection-problem').count()).toBe(0);
    expect(sockets).toEqual([`ws://127.0.0.1:${serve.port}/api`]);
    expect(await href()).toBe(repository);
    await screenshot(page, 'e2e-serve-token-reload');
    await page.close();
  });
});
