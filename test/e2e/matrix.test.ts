/**
 * Journey: the drift matrix in Chromium through `berth serve`. Two places of the world's registry hold the
 * same repository with one tag drifted; a link fills in the places, Show reads them, the matrix shows
 * exactly one different cell, and a click on it opens the compare view of the reference image and that one;
 * then a missing cell is selected and synced from its reference through the sync plan.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { startBerthServe, type RunningBerthServe } from '../env/serve';
import { tagDigest, uniqueName } from '../integration/promotion/harness';
import { placeOf, seedDrift, type TinyImage } from '../integration/sync/drift-world';

const world = inject('world');
const { anonymous, basic } = world;
const ns = uniqueName('scratch-matrix-e2e');
// The world's registries share one storage: both places are read through the anonymous registry.
const places = [anonymous, basic].map((registry) => `${anonymous.host}/${placeOf(ns, registry)}`);

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let v1: TinyImage;
let v2: TinyImage;

beforeAll(async () => {
  ({ v1, v2 } = await seedDrift(world, ns));
  serve = await startBerthServe();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

const open = (path: string) => page.goto(`${serve.origin}${path}#token=${serve.token}`);

describe('drift matrix', () => {
  it('shows the one drifted cell, and a click on it compares the two images', async () => {
    await open(`/matrix?in=${encodeURIComponent(places.join(','))}&repo=app`);
    // A link fills in the places; reading them waits for Show (issue 13 g).
    await page.getByText('Opened from a link').waitFor();
    await page.getByRole('button', { name: 'Show', exact: true }).click();

    const table = page.getByRole('table', { name: 'Drift matrix' });
    const drifted = table.locator('tr[data-row="app:drift"]');
    await drifted.waitFor({ timeout: 60_000 });
    await page.locator('.matrix-progress').waitFor({ state: 'detached', timeout: 60_000 });
    const states = await table
      .locator('tr[data-row] .matrix-cell')
      .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-state')));
    expect(states.filter((state) => state === 'different')).toHaveLength(1);
    expect(
      await table.locator('tr[data-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row'))),
    ).toEqual(['app:drift', 'app:gone', 'app:same']);
    const cell = page.getByRole('button', { name: `${places[1]} app:drift: different` });
    expect(await cell.textContent()).toContain(v2.digest.slice('sha256:'.length, 'sha256:'.length + 12));

    // Only drift: app:same goes away.
    await page.getByLabel('Only drift').check();
    expect(await table.locator('tr[data-row]').count()).toBe(2);
    await screenshot(page, 'matrix-drift');

    await cell.click();
    await page.waitForURL(/\/compare\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('a')).toBe(`${places[0]}/app:drift@${v1.digest}`);
    expect(url.searchParams.get('b')).toBe(`${places[1]}/app:drift@${v2.digest}`);
    // Both images are in the compare slots, and the comparison runs (the one file that differs).
    expect(await page.getByTestId('compare-slot-a').locator('input').inputValue()).toBe(url.searchParams.get('a'));
    expect(await page.getByTestId('compare-slot-b').locator('input').inputValue()).toBe(url.searchParams.get('b'));
    const summary = page.getByTestId('diff-summary');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.textContent()).toContain('~1');
    await screenshot(page, 'matrix-compare');
  });

  it('syncs a selected missing cell from its reference, after showing the plan', async () => {
    await page.goBack();
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    const missing = page.getByRole('button', { name: `${places[1]} app:gone: missing` });
    await missing.click();
    expect(await missing.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Sync from reference…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sync from reference' });
    await dialog.locator('li[data-action="new"]').waitFor({ timeout: 60_000 });
    expect(await dialog.locator('li[data-action]').allTextContents()).toEqual([expect.stringMatching(/^gone new/)]);
    // Nothing is written before the confirmation.
    expect(await tagDigest(anonymous, `${placeOf(ns, basic)}/app`, 'gone')).toBeNull();
    await dialog.getByRole('button', { name: 'Sync 1 tag' }).click();
    await dialog.getByRole('status').waitFor({ timeout: 60_000 });
    expect(await dialog.getByRole('status').textContent()).toMatch(/^Done/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await tagDigest(anonymous, `${placeOf(ns, basic)}/app`, 'gone')).toBe(v1.digest);
    // The matrix reads again: the cell is the same now.
    await page.getByRole('button', { name: `${places[1]} app:gone: same` }).waitFor({ timeout: 60_000 });
  });
});
