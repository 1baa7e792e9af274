/**
 * Journey: lineage in Chromium through `berth serve`. Images seeded under a scratch namespace of the world's
 * registry: base:1, app:1 and worker:1 built on it; the namespace is indexed, then base:1 moves to a rebuild
 * with another layer (as after a base-image fix). The namespace's Needs rebuild list names app:1 and
 * worker:1 with the old and new base digests; app:1's Lineage tab shows the chain of bases, the stale badge
 * and its compare link; base's Lineage tab lists what is built on it; the tag table marks app:1 stale.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { pushLayeredImage, type SeededImage } from '../env/lineage-images';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');
const host = world.anonymous.host;
const target = { host };
const ns = `scratch/lineage-e2e-${randomBytes(4).toString('hex')}`;
const ref = (name: string) => `${host}/${ns}/${name}`;

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let registryId: string;
let oldBase: SeededImage;
let newBase: SeededImage;

beforeAll(async () => {
  serve = await startBerthServe({ BERTH_CACHE_DIR: await mkdtemp(join(tmpdir(), 'berth-lineage-e2e-')) });
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host, name: 'Seeded' });
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;

  await pushLayeredImage(target, `${ns}/root`, '1', [{ name: 'e2e-os' }]);
  oldBase = await pushLayeredImage(target, `${ns}/base`, '1', [{ name: 'e2e-os' }, { name: 'e2e-runtime-1' }]);
  await pushLayeredImage(target, `${ns}/app`, '1', [
    { name: 'e2e-os' },
    { name: 'e2e-runtime-1' },
    { name: 'e2e-app' },
  ]);
  await pushLayeredImage(target, `${ns}/worker`, '1', [
    { name: 'e2e-os' },
    { name: 'e2e-runtime-1' },
    { name: 'e2e-worker' },
  ]);
  // Indexed before the base moves: the old base digest is then only known from the index.
  const indexed = await api.call('lineage.refresh', { scopes: [`${host}/${ns}`] });
  if (!indexed.ok) throw new Error(indexed.error.message);
  newBase = await pushLayeredImage(target, `${ns}/base`, '1', [{ name: 'e2e-os' }, { name: 'e2e-runtime-2' }]);
  api.close();

  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

const open = (path: string) => page.goto(`${serve.origin}${path}#token=${serve.token}`);

describe('lineage', () => {
  it('lists the images of the namespace that need a rebuild, from the registry view', async () => {
    await open(`/registries/${registryId}?ns=${encodeURIComponent(ns)}`);
    await page.getByRole('button', { name: 'Needs rebuild', exact: true }).click();
    const table = page.getByRole('table', { name: 'Needs rebuild' });
    await table.waitFor({ timeout: 60_000 });
    await page
      .getByRole('progressbar', { name: 'Reading layer chains', exact: true })
      .waitFor({ state: 'detached', timeout: 60_000 });
    const rows = table.locator('tbody tr');
    expect(await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-reference')))).toEqual([
      ref('app:1'),
      ref('worker:1'),
    ]);
    const appRow = table.locator(`tr[data-reference="${ref('app:1')}"]`);
    const cells = await appRow.locator('td').allTextContents();
    expect(cells[1]).toBe(`${ns}/base:1`);
    expect(cells[2]).toBe(oldBase.digest.slice(0, 19));
    expect(cells[3]).toBe(newBase.digest.slice(0, 19));
    await screenshot(page, 'e2e-lineage-needs-rebuild');
  }, 120_000);

  it("shows an image's bases upward, its stale badge and a compare link to the old and new base", async () => {
    await open(`/images?ref=${encodeURIComponent(ref('app:1'))}`);
    await page.getByRole('tab', { name: 'Lineage' }).click({ timeout: 90_000 });
    const panel = page.getByRole('region', { name: 'Lineage' });
    await panel.getByTestId('lineage-stale').waitFor({ timeout: 60_000 });
    expect(await panel.getByTestId('lineage-base').textContent()).toContain(
      `Built on ${ref('base:1')} (2 of 3 layers)`,
    );
    expect(await panel.getByRole('list', { name: 'Bases upward' }).getByRole('listitem').allTextContents()).toEqual([
      `${ref('app:1')} (3 layers)`,
      `${ref('base:1')} (2 layers)`,
      `${ref('root:1')} (1 layer)`,
    ]);
    await screenshot(page, 'e2e-lineage-panel');
    await panel.getByRole('button', { name: 'Compare old and new base' }).click();
    await page.waitForURL(/\/compare\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('a')).toBe(`${host}/${ns}/base@${oldBase.digest}`);
    expect(url.searchParams.get('b')).toBe(ref('base:1'));
  }, 120_000);

  it('lists the images built on a base in its Lineage tab', async () => {
    await open(`/images?ref=${encodeURIComponent(ref('root:1'))}`);
    await page.getByRole('tab', { name: 'Lineage' }).click({ timeout: 90_000 });
    const built = page.getByRole('region', { name: 'Lineage' }).getByRole('list', { name: 'Built on this image' });
    await built.waitFor({ timeout: 60_000 });
    await page
      .getByRole('progressbar', { name: 'Reading layer chains', exact: true })
      .waitFor({ state: 'detached', timeout: 60_000 });
    const names = (await built.getByRole('listitem').allTextContents()).map((text) => text.split(' ')[0]);
    expect(names).toEqual([ref('app:1'), ref('base:1'), ref('worker:1')]);
  }, 120_000);

  it('marks the stale tag in the tag table', async () => {
    await open(`/registries/${registryId}/repositories/${ns}/app`);
    const row = page.getByRole('grid', { name: 'Tags' }).locator('[role=row][data-row-key="1"]');
    await row.getByTestId('stale-badge').waitFor({ timeout: 60_000 });
    expect(await row.getByTestId('stale-badge').getAttribute('title')).toContain(ref('base:1'));
  }, 120_000);
});
