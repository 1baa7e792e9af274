/**
 * Journey: the Sync view in Chromium through `berth serve`, between two of the world's registries
 * (anonymous source, basic-auth target through a Docker login). Create a rule with a `prod-*` filter in the
 * form, dry run it: the plan lists the matching tags as `new` and nothing is written yet (registry API); run
 * it: the result says synced and the target holds exactly those tags with the source's digests.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { TreeBuilder } from '../env/layers';
import { makeTempDir } from '../env/process';
import { startBerthServe, type RunningBerthServe } from '../env/serve';
import { pushTreeImage } from '../env/unique-image';
import { writeDockerConfig } from '../integration/promotion/harness';

const world = inject('world');
const source = world.anonymous;
const target = world.basic;
const alice = target.users[0]!;
const namespace = `scratch-e2e-sync-${randomBytes(4).toString('hex')}`;
const mirror = `scratch-e2e-mirror-${randomBytes(4).toString('hex')}`;
const digests = new Map<string, string>();

async function targetDigest(repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${target.url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      authorization: `Basic ${Buffer.from(`${alice.username}:${alice.password}`).toString('base64')}`,
      accept: 'application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return response.status === 200 ? response.headers.get('docker-content-digest') : null;
}

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  const base = new TreeBuilder().file('/base.txt', `base ${namespace}\n`);
  for (const tag of ['prod-1', 'prod-2', 'dev-1'])
    digests.set(
      tag,
      (await pushTreeImage({ host: source.host }, `${namespace}/app`, tag, [base, new TreeBuilder().file('/t', tag)]))
        .digest,
    );
  const dir = await makeTempDir('berth-e2e-sync-');
  serve = await startBerthServe({
    HOME: dir,
    DOCKER_CONFIG: await writeDockerConfig(dir, [target]),
    BERTH_CACHE_DIR: join(dir, 'cache'),
  });
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${serve.origin}/sync#token=${serve.token}`);
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

describe('Sync view', () => {
  it('creates a rule, shows the dry run before writing, then runs it', async () => {
    await page.getByTestId('sync-view').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'New rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New sync rule' });
    await dialog.getByLabel('Name').fill('prod mirror');
    await dialog.getByLabel('Source').fill(`${source.host}/${namespace}/`);
    await dialog.getByLabel('Target').fill(`${target.host}/${mirror}/`);
    await dialog.getByLabel('Tags').fill('prod-*');
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await dialog.waitFor({ state: 'detached' });

    const rule = page.locator('[data-testid=sync-rule][data-rule="prod mirror"]');
    await rule.getByRole('button', { name: 'Dry run' }).click();
    const plan = page.locator('[data-testid=sync-plan][data-phase=plan]');
    await plan.waitFor({ timeout: 30_000 });
    const rows = plan.getByRole('table', { name: 'Sync plan' }).locator('tbody tr');
    expect(
      await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-tag'), tr.getAttribute('data-action')])),
    ).toEqual([
      ['prod-1', 'new'],
      ['prod-2', 'new'],
    ]);
    // Shown before anything is written.
    expect(await targetDigest(`${mirror}/app`, 'prod-1')).toBeNull();
    await screenshot(page, 'sync-dry-run');

    await plan.getByRole('button', { name: 'Run sync' }).click();
    const done = page.locator('[data-testid=sync-plan][data-phase=done]');
    await done.waitFor({ timeout: 60_000 });
    expect(await done.getByTestId('sync-result').textContent()).toMatch(/^Synced\./);
    for (const tag of ['prod-1', 'prod-2']) expect(await targetDigest(`${mirror}/app`, tag)).toBe(digests.get(tag));
    expect(await targetDigest(`${mirror}/app`, 'dev-1')).toBeNull();
    await screenshot(page, 'sync-done');
  });
});
