/**
 * Journeys: open the UI, add the world's anonymous registry from the empty state and see it in the sidebar
 * with its namespaces; open the page without its token and get a clear message and no API access.
 * Run `npm run build` first when running by hand (e2e uses the built renderer and CLI).
 *
 * Where things are, for journeys that start in the browse views (roles and test ids that stay stable):
 * - Title bar: button "Search repositories and tags" (Ctrl/Cmd+K or "/"), button "Settings".
 * - Sidebar: nav "Sidebar"; tree "Registries" with treeitems named after registries, namespaces and
 *   repositories (data-testid `registry-<id>`, `namespace-<id>-<path>`, `repository-<id>-<path>`); a status
 *   dot `[data-status=reachable|unreachable|checking]` and `[data-testid=rate-limit]` inside registry items;
 *   button "Add registry"; links Compare / Promotion lanes / Local Docker / History / Settings.
 * - Repository view: grid "Tags"; rows `[role=row][data-row-key=<tag>][data-kind=tag|platform]
 *   [data-reference=<host/repo:tag>]`, draggable (text/plain and application/x-berth-reference carry the
 *   reference); input "Filter tags", select "Filter mode" (substring|glob|regex), select "Sort by"
 *   (name|semver|created|size), checkbox "Group by digest", `[data-testid=tag-count]`,
 *   `[data-testid=sort-status][data-complete=true]` once a date/size sort covers every tag.
 * - Image view: breadcrumb; tablist "Image" (Overview, Config, Layers, Manifest, Referrers); group
 *   "Platforms" (buttons, aria-pressed); `[data-testid=image-digest]`; manifest region "Manifest JSON" with
 *   digest buttons `[data-digest]`; buttons "Files" (layers route) and "Compare" (compare route, a = this).
 * - Status bar: status "Operations", entries `[data-operation-kind]`.
 * - States: `[data-testid=loading-state]`, `[data-testid=empty-state]`, `[data-testid=error-state]
 *   [data-error-code]`; the page without a token shows `[data-testid=connection-problem]`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { SEED } from '../env/seed';
import { startBerthServe, type RunningBerthServe } from '../env/serve';
import { underSeededNamespaces } from '../env/world';

const world = inject('world');

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  serve = await startBerthServe();
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

async function newPage(): Promise<Page> {
  return chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
}

describe('first start', () => {
  it('adds the seeded registry from the empty state and shows it in the sidebar with its namespaces', async () => {
    const page = await newPage();
    await page.goto(serve.url);
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    expect(await empty.textContent()).toContain('Connect a registry');
    await screenshot(page, 'e2e-browse-first-start');

    await empty.getByRole('button', { name: 'Add registry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add registry' });
    await dialog.getByLabel('Host').fill(world.anonymous.host);
    await dialog.getByLabel('Name').fill('Seeded registry');
    await dialog.getByRole('button', { name: 'Add registry' }).click();

    const tree = page.getByRole('tree', { name: 'Registries' });
    const registry = tree.getByRole('treeitem', { name: 'Seeded registry' });
    await registry.waitFor();
    await tree.getByRole('treeitem', { name: 'team-a' }).waitFor({ timeout: 30_000 });
    const [rootLabel, ...namespaces] = await tree
      .getByRole('treeitem')
      .evaluateAll((items) => items.map((i) => i.getAttribute('aria-label') ?? ''));
    expect(rootLabel).toBe('Seeded registry');
    expect(underSeededNamespaces(namespaces, SEED.repositories)).toEqual(['dev', 'many', 'prod', 'team-a', 'test']);
    await registry.locator('[data-status=reachable]').waitFor({ timeout: 30_000 });
    // The main pane shows the registry; its namespaces are listed too.
    const listing = page.getByRole('grid', { name: 'Repositories' });
    // The shared world's registry holds every test's namespaces by now, and the grid renders only the rows
    // in view: filter to the one this test is about.
    await page.getByLabel('Filter repositories').fill('team-a');
    await listing.locator('[data-row-key="team-a"]').waitFor();
    expect(await listing.locator('[data-row-key="team-a"]').textContent()).toContain('3 repositories');
    await screenshot(page, 'e2e-browse-seeded-registry');
    await page.close();
  });

  it('opened without its token, the page says how to get in and never reaches the API', async () => {
    const page = await newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${serve.origin}/registries/x`);
    const problem = page.getByTestId('connection-problem');
    await problem.waitFor();
    const text = await problem.textContent();
    expect(text).toContain('This page needs its access link');
    expect(text).toContain('berth serve');
    expect(text).toContain('#token=');
    // Nothing of the app is shown, and no connection to the API was even tried.
    expect(await page.getByRole('tree', { name: 'Registries' }).count()).toBe(0);
    expect(sockets).toEqual([]);
    await screenshot(page, 'e2e-browse-no-token');

    // A wrong token: the server refuses the WebSocket, and the page says so the same way.
    await page.goto(`${serve.origin}/#token=${'0'.repeat(64)}`);
    await page.getByTestId('connection-problem').waitFor();
    expect(await page.getByTestId('connection-problem').textContent()).toContain('Berth refused the connection');
    await page.close();
  });
});
