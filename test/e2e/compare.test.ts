/**
 * Journey: compare two tags in Chromium through `berth serve` on the shared world's registry, find the known
 * added, removed and modified files, open the text diff of the modified config; then the dive-like layer
 * view of the newer tag: its layers, its efficiency, and what one layer changed.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SEED } from '../env/seed';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');
const host = world.anonymous.host;
const A = `${host}/dev/app:1.0.0`;
const B = `${host}/dev/app:1.1.0`;

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  api.close();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

const open = (path: string) => page.goto(`${serve.origin}${path}#token=${serve.token}`);
const row = (path: string) =>
  page.getByRole('grid', { name: /Changed files|Files/ }).locator(`[role=row][data-row-key="${path}"]`);

describe('compare', () => {
  it('compares two tags, finds the added, removed and modified files and opens a text diff', async () => {
    await open(`/compare?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}`);
    // A link only fills in the pair (issue 13 g): the comparison starts with the button.
    await page.getByTestId('compare-ready').waitFor();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const summary = page.getByTestId('diff-summary');
    await summary.waitFor({ timeout: 90_000 });
    const { added, removed, modified } = SEED.devApp.diff;
    expect(await summary.textContent()).toContain(`+${added.length} ~${modified.length} −${removed.length}`);

    // Every known change is in the tree with its kind (few changes: the tree opens down to them).
    for (const [kind, paths] of [
      ['added', added],
      ['removed', removed],
      ['modified', modified],
    ] as const) {
      for (const path of paths) expect(await row(path).getAttribute('data-change'), path).toBe(kind);
    }

    // Filters: only removed entries (a click on the chip), every kind again (Alt+click), then a path.
    await page.getByRole('button', { name: /^Removed/ }).click();
    const shownFiles = async () =>
      page
        .getByRole('grid', { name: 'Changed files' })
        .locator('[role=row][data-change]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key')));
    expect((await shownFiles()).sort()).toEqual([...removed].sort());
    await page.getByRole('button', { name: /^Removed/ }).click({ modifiers: ['Alt'] });
    await page.getByRole('searchbox', { name: 'Filter paths' }).fill('config.yaml');
    expect(await shownFiles()).toEqual(['/etc/app/config.yaml']);

    await row('/etc/app/config.yaml').click();
    const textDiff = page.getByTestId('text-diff');
    await textDiff.waitFor({ timeout: 30_000 });
    expect(await textDiff.locator('.textdiff-removed .textdiff-text').allTextContents()).toEqual([
      SEED.devApp.configYamlChange.before,
    ]);
    expect(await textDiff.locator('.textdiff-added .textdiff-text').allTextContents()).toEqual([
      SEED.devApp.configYamlChange.after,
    ]);
    await page.getByRole('searchbox', { name: 'Filter paths' }).fill('');
    await screenshot(page, 'e2e-compare-text-diff');

    // The other panels: layers aligned, config and history differences.
    await page.getByRole('tab', { name: /Layers/ }).click();
    expect(await page.locator('[data-alignment=shared]').count()).toBeGreaterThan(0);
    await page.getByRole('tab', { name: /Config/ }).click();
    expect(
      await page
        .getByRole('table', { name: 'Config differences' })
        .locator('tr[data-key="org.opencontainers.image.version"]')
        .textContent(),
    ).toContain('1.1.0');
    await page.getByRole('tab', { name: /History/ }).click();
    expect(
      await page.getByRole('table', { name: 'History differences' }).locator('tr[data-kind=added]').count(),
    ).toBeGreaterThan(0);
    await screenshot(page, 'e2e-compare-history');
  });

  it('shows the layers of an image, its wasted space, and what one layer changed', async () => {
    await open(`/layers?ref=${encodeURIComponent(B)}`);
    const layers = world.seed.images['dev/app:1.1.0']!.layers;
    const items = page.getByRole('listbox', { name: 'Layers' }).getByRole('option');
    await expect.poll(() => items.count(), { timeout: 90_000 }).toBe(layers.length);
    const score = page.getByTestId('efficiency-score');
    await score.waitFor({ timeout: 60_000 });
    const wasted = page.getByRole('table', { name: 'Wasted space' });
    for (const { path } of SEED.devApp.wasted110)
      expect(await wasted.locator('td', { hasText: path }).count(), path).toBeGreaterThan(0);

    // The layer that removed removed-later.txt (the third one, with the whiteouts): only its changes.
    await items.nth(2).click();
    await page.getByRole('button', { name: 'Layer changes' }).click();
    await expect
      .poll(() => row('/opt/app/removed-later.txt').getAttribute('data-change'), { timeout: 60_000 })
      .toBe('removed');
    expect(await row('/opt/app/new-feature.txt').getAttribute('data-change')).toBe('added');
    expect(await row('/opt/app/version.txt').getAttribute('data-change')).toBe('modified');
    await row('/opt/app/new-feature.txt').click();
    expect(await page.getByTestId('file-content').textContent()).toContain('the new feature of 1.1.0');
    await screenshot(page, 'e2e-layers');
  });
});
