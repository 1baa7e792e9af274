/**
 * Journey: the local Docker panel in Chromium through `berth serve`, on the shared world's dockerd and
 * registry: pull a tag and watch its progress reach 100%, retag it and push it, then check through the
 * registry API that the pushed tag is there with the digest the push reported. Every name it pulls, tags or
 * pushes is under a namespace unique to this run, and the pulled image has random layers: the shared engine may
 * hold any seeded image already, and a pull of layers it has reports none.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';
import { pushUniqueImage } from '../env/unique-image';

const world = inject('world');
const registry = world.anonymous;
const scratch = `scratch/e2e-docker-${randomBytes(4).toString('hex')}/app`;
const source = `${registry.host}/${scratch}:1.0.0`;
const target = `${registry.host}/${scratch}:pushed`;

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof connectApi>>;
let image: Awaited<ReturnType<typeof pushUniqueImage>>;

beforeAll(async () => {
  serve = await startBerthServe({ DOCKER_HOST: world.dockerd.host });
  api = await connectApi(serve);
  const added = await api.call('registries.add', { host: registry.host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  // An image no engine has seen (random layers), so the pull must download every layer whatever else ran.
  image = await pushUniqueImage({ host: registry.host }, scratch, '1.0.0', 2);
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${serve.origin}/docker#token=${serve.token}`);
});

afterAll(async () => {
  // Only the names this run created; layers other tags use stay.
  for (const reference of [target, source]) await api?.call('docker.remove', { reference });
  api?.close();
  await chromium?.close();
  await serve?.stop();
});

const transfer = (kind: 'pull' | 'push', reference: string) =>
  page.locator(`[data-testid=transfer][data-kind=${kind}][data-reference="${reference}"]`);

describe('local Docker', () => {
  it('pulls a tag with per-layer progress up to 100%', async () => {
    await page.getByTestId('engine-line').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('engine-line').textContent()).toContain(world.dockerd.host);

    await page.getByLabel('Image to pull').fill(source);
    await page.getByRole('button', { name: 'Pull', exact: true }).click();
    const card = transfer('pull', source);
    await card.waitFor();
    await page
      .locator(`[data-testid=transfer][data-kind=pull][data-reference="${source}"]:not([data-phase=running])`)
      .waitFor({ timeout: 90_000 });
    expect(await card.getAttribute('data-phase')).toBe('done');
    expect(await card.getByTestId('transfer-percent').textContent()).toBe('100%');
    const overall = card.getByRole('progressbar', { name: `Pull ${source} overall` });
    expect(await overall.getAttribute('aria-valuenow')).toBe(await overall.getAttribute('aria-valuemax'));
    // One bar per layer of the image, each complete.
    const layers = card.getByRole('list', { name: 'Layers' }).getByRole('listitem');
    expect(await layers.count()).toBe(image.layers.length);
    for (const bar of await layers.getByRole('progressbar').all())
      expect(await bar.getAttribute('aria-valuenow')).toBe(await bar.getAttribute('aria-valuemax'));
    expect(await card.getByTestId('transfer-digest').textContent()).toBe(image.digest);
    await page
      .getByRole('grid', { name: 'Local images' })
      .locator(`[data-row-key="${source}"]`)
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'e2e-docker-pull');
  });

  it('retags the image and pushes it to the registry', async () => {
    await page.getByRole('button', { name: `Tag ${source}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Tag image' });
    await dialog.getByLabel(/Target/).fill(target);
    await dialog.getByRole('checkbox', { name: /Push it after tagging/ }).check();
    await dialog.getByRole('button', { name: 'Tag', exact: true }).click();
    await page
      .getByRole('grid', { name: 'Local images' })
      .locator(`[data-row-key="${target}"]`)
      .waitFor({ timeout: 30_000 });

    const card = transfer('push', target);
    await card.waitFor();
    await page
      .locator(`[data-testid=transfer][data-kind=push][data-reference="${target}"]:not([data-phase=running])`)
      .waitFor({ timeout: 90_000 });
    expect(await card.getAttribute('data-phase')).toBe('done');
    expect(await card.getByTestId('transfer-percent').textContent()).toBe('100%');
    const pushed = await card.getByTestId('transfer-digest').textContent();
    expect(pushed).toMatch(/^sha256:[a-f0-9]{64}$/);

    const response = await fetch(`${registry.url}/v2/${scratch}/manifests/pushed`, {
      method: 'HEAD',
      headers: {
        accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(pushed);
    await screenshot(page, 'e2e-docker-push');
  });

  it('shows the engine’s error whole when a pull fails', async () => {
    const missing = `${registry.host}/${scratch}:does-not-exist`;
    await page.getByLabel('Image to pull').fill(missing);
    await page.getByRole('button', { name: 'Pull', exact: true }).click();
    const card = transfer('pull', missing);
    await page
      .locator(`[data-testid=transfer][data-kind=pull][data-reference="${missing}"][data-phase=failed]`)
      .waitFor({ timeout: 60_000 });
    const error = await card.locator('.engine-error').textContent();
    expect(error).toContain('does-not-exist');
    await screenshot(page, 'e2e-docker-error');
  });
});
