/**
 * Journey: promotion on the lanes board, in Chromium through `berth serve`, on the shared world's anonymous
 * registry. The lane's prod stage is a namespace unique to this run, so the seeded tags are only read.
 * 1. Drag dev/app:1.0.0 from the dev lane onto prod, confirm: prod's tag has the source's digest (checked
 *    through the registry API), the board and the history show it.
 * 2. With the keyboard (Space, Right, Enter), move dev/app:1.1.0 onto prod: the lane's tag rewrite sends it
 *    to the same prod tag, which holds another digest now: the dialog warns, Promote stays disabled, Cancel
 *    leaves prod's tag as it was.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');
const registry = world.anonymous;
const prodNamespace = `prod-e2e-${randomBytes(4).toString('hex')}`;
const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** The digest a tag has, straight from the registry (OCI distribution spec: HEAD manifests, Docker-Content-Digest). */
async function registryDigest(repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES },
  });
  if (response.status === 404) return null;
  expect(response.status).toBe(200);
  return response.headers.get('docker-content-digest');
}

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host: registry.host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  const registryId = added.value.id;
  const lanes = await api.call('promotion.setLanes', {
    lanes: [
      {
        name: 'release',
        stages: [
          { name: 'dev', registryId, namespace: 'dev/' },
          { name: 'prod', registryId, namespace: `${prodNamespace}/` },
        ],
        // prod carries the major version only: 1.0.0 and 1.1.0 both land on prod's `1`.
        tagRewrites: [{ from: '^(\\d+)\\.\\d+\\.\\d+$', to: '$1', toStage: 'prod' }],
      },
    ],
  });
  if (!lanes.ok) throw new Error(lanes.error.message);
  api.close();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${serve.origin}/lanes#token=${serve.token}`);
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

describe('drag to promote', () => {
  it('drags a tag from the dev lane to prod, confirms, and prod gets the source digest', async () => {
    const sourceDigest = world.seed.manifests['dev/app:1.0.0']!.digest;
    const card = page.getByTestId('lane-tag-dev-dev/app:1.0.0');
    await card.waitFor({ timeout: 30_000 });
    await expect.poll(() => card.getAttribute('data-digest'), { timeout: 30_000 }).toBe(sourceDigest);
    expect(await page.getByTestId('lane-stage-prod').textContent()).toContain('No repositories here yet');

    await card.dragTo(page.getByTestId('lane-stage-prod'));
    await page.locator('[data-testid=promote-dialog-body][data-phase=plan]').waitFor({ timeout: 30_000 });
    const dialog = page.getByRole('dialog', { name: 'Promote' });
    expect(await dialog.textContent()).toContain(`${registry.host}/${prodNamespace}/app:1`);
    // Same registry: every blob is mounted, no byte is copied.
    expect(await page.getByTestId('plan-copied').count()).toBe(0);
    expect(await page.getByTestId('plan-mounted').textContent()).toMatch(/^[1-9]\d* blobs? · /);
    expect(await page.getByTestId('overwrite-warning').count()).toBe(0);

    await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.locator('[data-testid=promote-dialog-body][data-phase=done]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('promotion-digest').textContent()).toBe(sourceDigest);
    expect(await registryDigest(`${prodNamespace}/app`, '1')).toBe(sourceDigest);
    await screenshot(page, 'e2e-promote-drag-done');

    await dialog.getByRole('button', { name: 'Done' }).click();
    // The board shows the new prod tag, marked as the same digest as in dev.
    const prodCard = page.getByTestId(`lane-tag-prod-${prodNamespace}/app:1`);
    await prodCard.waitFor({ timeout: 30_000 });
    await expect.poll(() => prodCard.getAttribute('data-digest'), { timeout: 30_000 }).toBe(sourceDigest);
    expect(await prodCard.textContent()).toContain('dev');
    await screenshot(page, 'e2e-promote-board');
  });

  it('refuses to overwrite prod’s tag with another digest unless told to, and Cancel leaves it', async () => {
    const before = await registryDigest(`${prodNamespace}/app`, '1');
    expect(before).toBe(world.seed.manifests['dev/app:1.0.0']!.digest);

    // The keyboard equivalent of the drag: Space picks the card up, Right chooses prod, Enter drops.
    const card = page.getByTestId('lane-tag-dev-dev/app:1.1.0');
    await card.focus();
    await page.keyboard.press('Space');
    expect(await card.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');

    await page.locator('[data-testid=promote-dialog-body][data-phase=plan]').waitFor({ timeout: 30_000 });
    const warning = page.getByTestId('overwrite-warning');
    expect(await warning.textContent()).toContain(
      `${registry.host}/${prodNamespace}/app:1 already exists with another digest.`,
    );
    const promote = page.getByRole('button', { name: 'Replace and promote' });
    expect(await promote.isDisabled()).toBe(true);
    await screenshot(page, 'e2e-promote-overwrite-refused');

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog', { name: 'Promote' }).waitFor({ state: 'detached' });
    expect(await registryDigest(`${prodNamespace}/app`, '1')).toBe(before);
  });

  it('records the promotion in the history, linking source and target', async () => {
    await page.goto(`${serve.origin}/history?q=${prodNamespace}#token=${serve.token}`);
    const table = page.getByRole('table', { name: 'Promotion history' });
    await table.waitFor({ timeout: 30_000 });
    const row = table.locator('tbody tr[data-outcome=success]', { hasText: `${prodNamespace}/app:1` });
    await row.waitFor();
    expect(await row.getByRole('link', { name: `${registry.host}/dev/app:1.0.0` }).count()).toBe(1);
    expect(await row.getByRole('link', { name: `${registry.host}/${prodNamespace}/app:1` }).count()).toBe(1);
    await screenshot(page, 'e2e-promote-history');
  });
});
