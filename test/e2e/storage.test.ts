/**
 * Journey: the storage view in Chromium through `berth serve`, on the shared world's seeded registry (its
 * 2,000-tag repository makes the first read long enough to watch): open it from the registry view, see the
 * bars fill in under the progress bar, check a namespace's bar against `storage.usage`, drill into a
 * namespace, and open a repository from its bar.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StorageUsage } from '../../src/shared/types/storage';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');
let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof connectApi>>;
let registryId: string;

beforeAll(async () => {
  // A cache of its own: the first read is cold, whatever ran before.
  serve = await startBerthServe({ BERTH_CACHE_DIR: await mkdtemp(join(tmpdir(), 'berth-storage-e2e-')) });
  api = await connectApi(serve);
  const added = await api.call('registries.add', { host: world.anonymous.host, name: 'Seeded' });
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${serve.origin}/registries/${registryId}#token=${serve.token}`);
});

afterAll(async () => {
  api?.close();
  await chromium?.close();
  await serve?.stop();
});

const rows = () => page.getByRole('list', { name: 'Storage by namespace and repository' }).getByRole('listitem');
const meter = (path: string) => page.locator(`.storage-row[data-path="${path}"]`).getByRole('meter');

describe('storage view', () => {
  it('fills the bars in while the registry is read, under a progress bar', async () => {
    await page.getByRole('button', { name: 'Storage', exact: true }).click();
    const progress = page.getByRole('progressbar', { name: 'Reading the registry' });
    await progress.waitFor({ timeout: 30_000 });
    // Rows appear from the index while the 2,000-tag repository is still being read.
    await rows().first().waitFor({ timeout: 60_000 });
    expect(await progress.count()).toBe(1);
    await screenshot(page, 'e2e-storage-filling');
    await progress.waitFor({ state: 'detached', timeout: 180_000 });
    expect(await page.getByTestId('storage-summary').textContent()).toMatch(/stored · .* unique · .* shared · dedup/);
  }, 240_000);

  it('shows one bar per top-level namespace, sized as storage.usage says', async () => {
    const usage = await api.call('storage.usage', { registryId, refresh: false });
    if (!usage.ok) throw new Error(usage.error.message);
    const value: StorageUsage = usage.value;
    const topLevel = value.namespaces.filter((entry) => !entry.name.includes('/')).map((entry) => entry.name);
    expect(topLevel).toEqual(expect.arrayContaining(['dev', 'many', 'team-a']));
    const shown = await rows().evaluateAll((items) => items.map((item) => item.getAttribute('data-path')));
    expect([...shown].sort()).toEqual([...topLevel].sort());
    const many = value.namespaces.find((entry) => entry.name === 'many')!;
    expect(Number(await meter('many').getAttribute('aria-valuenow'))).toBe(many.bytes);
    expect(many.tags).toBe(2000);
    expect(await page.getByRole('table', { name: 'Biggest layers' }).getByRole('row').count()).toBeGreaterThan(1);
    await screenshot(page, 'e2e-storage');
  });

  it('drills into a namespace, then opens a repository', async () => {
    await page.getByRole('button', { name: 'team-a', exact: true }).click();
    await page.getByRole('heading', { name: 'team-a' }).waitFor();
    expect(page.url()).toContain(`/storage/${registryId}?ns=team-a`);
    const shown = await rows().evaluateAll((items) => items.map((item) => item.getAttribute('data-path')));
    expect([...shown].sort()).toEqual(['team-a/nested', 'team-a/service-x', 'team-a/service-y']);
    // The namespace's own biggest images (its three repositories), not the registry's.
    const images = page.getByRole('table', { name: 'Biggest images' }).locator('tbody tr');
    expect(await images.count()).toBe(3);
    for (const text of await images.allTextContents()) expect(text).toMatch(/^team-a\//);
    await screenshot(page, 'e2e-storage-namespace');
    await page.getByRole('button', { name: 'team-a/service-x', exact: true }).click();
    await page.waitForURL(/\/repositories\/team-a\/service-x/);
  });
});
