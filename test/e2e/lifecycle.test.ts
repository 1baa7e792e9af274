/**
 * Journey: deleting from the tag table, in Chromium through `berth serve`, on a repository of this run in
 * the shared world's anonymous registry.
 * 1. Select tags (click, shift-click for a range, ctrl-click on a row, "Select all matching" the filter), open "Delete…" with
 *    "delete the images" on: the dialog lists the blast radius (the alias that goes along, the orphaned
 *    signature); Delete removes exactly those tags (checked through the registry API).
 * 2. "Retention…": the preview lists kept and removed tags with their rules and the bytes freed.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';
import { pushImage, registryTags } from '../integration/lifecycle/delete-support';

const world = inject('world');
const registry = world.anonymous;
const repository = `scratch-e2e-${randomBytes(4).toString('hex')}/app`;
const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let signatureTag: string;

beforeAll(async () => {
  const target = { host: registry.host };
  const old = await pushImage(target, repository, ['0.1', 'old-alias'], { created: days(50) });
  await pushImage(target, repository, ['0.2'], { created: days(40) });
  await pushImage(target, repository, ['0.3'], { created: days(30) });
  await pushImage(target, repository, ['1.0', 'latest'], { created: days(1) });
  signatureTag = `${old.digest.replace(':', '-')}.sig`;
  await pushImage(target, repository, [signatureTag]);
  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host: registry.host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  api.close();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(
    `${serve.origin}/registries/${encodeURIComponent(added.value.id)}/repositories/${repository}#token=${serve.token}`,
  );
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

describe('delete from the tag table', () => {
  it('multi-selects, shows the blast radius, and deletes exactly those tags', async () => {
    const grid = page.getByRole('grid', { name: 'Tags' });
    await grid.getByRole('checkbox', { name: 'Select 0.1' }).waitFor({ timeout: 30_000 });
    await grid.getByRole('checkbox', { name: 'Select 0.1' }).click();
    expect(await page.getByTestId('selection-count').textContent()).toBe('1 selected');
    await grid.getByRole('checkbox', { name: 'Select 0.1' }).click();
    expect(await page.getByTestId('selection-count').textContent()).toBe('No tag selected');

    // The filter "0.*" matches 0.1, 0.2, 0.3: select them all, then drop 0.3 again.
    await page.getByLabel('Filter mode').selectOption('glob');
    await page.getByLabel('Filter tags').fill('0.*');
    await expect.poll(() => grid.getByRole('checkbox').count(), { timeout: 10_000 }).toBe(3);
    await grid.getByRole('checkbox', { name: 'Select 0.1' }).click();
    await grid.getByRole('checkbox', { name: 'Select 0.3' }).click({ modifiers: ['Shift'] });
    expect(await page.getByTestId('selection-count').textContent()).toBe('3 selected');
    await page.getByRole('button', { name: 'Clear selection' }).click();
    // Ctrl-click on a row toggles it instead of opening the tag.
    await grid.locator('[data-row-key="0.2"] .tag-name').click({ modifiers: ['Control'] });
    expect(await page.getByTestId('selection-count').textContent()).toBe('1 selected');
    await grid.locator('[data-row-key="0.2"] .tag-name').click({ modifiers: ['Control'] });
    expect(await page.getByTestId('selection-count').textContent()).toBe('No tag selected');
    await page.getByRole('button', { name: 'Select all matching' }).click();
    expect(await page.getByTestId('selection-count').textContent()).toBe('3 selected');
    await grid.getByRole('checkbox', { name: 'Select 0.3' }).click();
    expect(await page.getByTestId('selection-count').textContent()).toBe('2 selected');

    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete tags' });
    await dialog.getByRole('checkbox', { name: 'Delete the images (digests) with every tag on them' }).check();
    const radius = dialog.getByRole('list', { name: 'Blast radius' });
    await radius.waitFor({ timeout: 30_000 });
    expect(await radius.textContent()).toContain(
      `Deletes its signature with it: ${registry.host}/${repository}:${signatureTag}`,
    );
    const plan = dialog.getByRole('list', { name: 'Plan' });
    expect(await plan.textContent()).toContain('0.1, old-alias');
    await screenshot(page, 'lifecycle-delete-dialog');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('status').waitFor({ timeout: 30_000 });
    expect(await dialog.getByRole('status').textContent()).toContain('2 images deleted');
    expect(await plan.locator('li[data-state="pending"]').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Done' }).click();
    // The deleted image's signature tag followed it, as the radius said before Delete.
    expect(await registryTags(registry, repository)).toEqual(['0.3', '1.0', 'latest']);
  });

  it('previews retention with the rule behind each tag', async () => {
    await page.getByRole('button', { name: 'Retention…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retention' });
    await dialog.getByLabel('Keep the last').fill('1');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const removed = dialog.getByRole('list', { name: 'Removed' });
    // bytesFreed reads every repository of the registry (the whole shared world here) through the index.
    await removed.waitFor({ timeout: 100_000 });
    expect(
      await removed.locator('li').evaluateAll((items) => items.map((item) => item.getAttribute('data-tag'))),
    ).toEqual(['0.3']);
    const kept = dialog.getByRole('list', { name: 'Kept' });
    expect(await kept.textContent()).toContain('keep-last 1 by created');
    expect(await dialog.getByTestId('plan-hash').textContent()).toMatch(/^[a-f0-9]{12}$/);
    expect(await dialog.getByTestId('bytes-freed').textContent()).not.toBe('');
    await screenshot(page, 'lifecycle-retention-preview');
    // The previewed rules become this repository's stored policy, and the dialog starts from it next time.
    await dialog.getByLabel('Keep pulled within (days)').fill('30');
    await dialog.getByRole('button', { name: "Save as this repository's policy" }).click();
    await dialog.getByTestId('policy-saved').waitFor({ timeout: 10_000 });
    const api = await connectApi(serve);
    const stored = await api.call('retention.policies', {});
    api.close();
    expect(stored).toMatchObject({
      ok: true,
      value: [{ scope: `${registry.host}/${repository}`, policy: { keepLast: 1, pulledWithinDays: 30 } }],
    });
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await registryTags(registry, repository)).toContain('0.3');
    await page.getByRole('button', { name: 'Retention…' }).click();
    const again = page.getByRole('dialog', { name: 'Retention' });
    await expect.poll(() => again.getByLabel('Keep pulled within (days)').inputValue()).toBe('30');
    expect(await again.getByLabel('Keep the last').inputValue()).toBe('1');
    await again.getByRole('button', { name: 'Done' }).click();
  });
});
