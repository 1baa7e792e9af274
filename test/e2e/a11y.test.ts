/**
 * Accessibility: an axe-core scan of every view, in the light and the dark theme (the app follows the
 * system's prefers-color-scheme, so the page emulates each), reports no serious or critical violation
 * (WCAG 2.x A/AA rules and axe's best practices: contrast, names, roles). Each view is scanned with real
 * content: the world's registry added, a compare with its result, a lane, a promotion in the history and
 * an image in the local Docker engine. Run `npm run build` first when running by hand.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';
import { pushUniqueImage } from '../env/unique-image';

const world = inject('world');
const registry = world.anonymous;
const run = randomBytes(4).toString('hex');
const A = `${registry.host}/dev/app:1.0.0`;
const B = `${registry.host}/dev/app:1.1.0`;
const prodNamespace = `prod-e2e-a11y-${run}`;
const local = `${registry.host}/scratch/e2e-a11y-${run}/app:1.0.0`;

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let api: Awaited<ReturnType<typeof connectApi>>;
let registryId: string;

beforeAll(async () => {
  serve = await startBerthServe({ DOCKER_HOST: world.dockerd.host });
  api = await connectApi(serve);
  const added = await api.call('registries.add', { host: registry.host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;
  const lanes = await api.call('promotion.setLanes', {
    lanes: [
      {
        name: 'release',
        stages: [
          { name: 'dev', registryId, namespace: 'dev/' },
          { name: 'prod', registryId, namespace: `${prodNamespace}/` },
        ],
        tagRewrites: [],
      },
    ],
  });
  if (!lanes.ok) throw new Error(lanes.error.message);
  // One promotion, so the history has a row and the lane's prod column a tag.
  const promoted = await api.call('promotion.execute', {
    source: A,
    target: `${registry.host}/${prodNamespace}/app:1.0.0`,
    operationId: randomUUID(),
  });
  if (!promoted.ok) throw new Error(promoted.error.message);
  // An image of this run's own in the engine, so the Docker view lists images.
  await pushUniqueImage({ host: registry.host }, local.slice(registry.host.length + 1, -':1.0.0'.length), '1.0.0', 1);
  const pulled = await api.call('docker.pull', { reference: local, operationId: randomUUID() });
  if (!pulled.ok) throw new Error(pulled.error.message);
  chromium = await launchChromium();
});

afterAll(async () => {
  await api?.call('docker.remove', { reference: local });
  api?.close();
  await chromium?.close();
  await serve?.stop();
});

const open = (page: Page, path: string) => page.goto(`${serve.origin}${path}#token=${serve.token}`);

interface ViewCheck {
  name: string;
  /** Opens the view and waits until its content (not a loading state) is on screen. */
  show(page: Page): Promise<void>;
}

const imageTab = (tab: string): ViewCheck => ({
  name: `image, ${tab} tab`,
  async show(page) {
    await open(page, `/images?ref=${encodeURIComponent(B)}`);
    await page.getByRole('tab', { name: tab }).click({ timeout: 60_000 });
    await page.locator('.tab-content, [role=tabpanel]').first().waitFor();
    if (tab === 'Referrers') await page.locator('[role=tabpanel] .state').first().waitFor({ timeout: 30_000 });
  },
});

const VIEWS: ViewCheck[] = [
  {
    name: 'home',
    async show(page) {
      await open(page, '/');
      await page.getByRole('heading', { name: 'Registries' }).waitFor({ timeout: 30_000 });
      await page.locator('.card').first().waitFor();
    },
  },
  {
    name: 'registry',
    async show(page) {
      await open(page, `/registries/${encodeURIComponent(registryId)}`);
      await page.getByRole('grid', { name: 'Repositories' }).locator('[role=row][data-row-key]').first().waitFor({
        timeout: 30_000,
      });
    },
  },
  {
    name: 'repository',
    async show(page) {
      await open(page, `/registries/${encodeURIComponent(registryId)}/repositories/dev/app`);
      const rows = page.getByRole('grid', { name: 'Tags' }).locator('[role=row][data-row-key]');
      await rows.first().waitFor({ timeout: 30_000 });
      await page.locator('.cell-pending').first().waitFor({ state: 'detached', timeout: 30_000 });
    },
  },
  imageTab('Overview'),
  imageTab('Config'),
  imageTab('Layers'),
  imageTab('Manifest'),
  imageTab('Referrers'),
  {
    name: 'compare with a result',
    async show(page) {
      await open(page, `/compare?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}`);
      await page.getByRole('button', { name: 'Compare', exact: true }).click();
      await page.getByTestId('diff-summary').waitFor({ timeout: 90_000 });
    },
  },
  {
    name: 'layers',
    async show(page) {
      await open(page, `/layers?ref=${encodeURIComponent(B)}`);
      await page.getByTestId('efficiency-score').waitFor({ timeout: 90_000 });
      await page.getByRole('listbox', { name: 'Layers' }).getByRole('option').nth(1).click();
      await page.getByRole('grid', { name: 'Files' }).locator('[role=row][data-row-key]').first().waitFor({
        timeout: 60_000,
      });
    },
  },
  {
    name: 'lanes with a lane',
    async show(page) {
      await open(page, '/lanes');
      await page.getByTestId(`lane-tag-prod-${prodNamespace}/app:1.0.0`).waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'Docker with images',
    async show(page) {
      await open(page, '/docker');
      await page.getByRole('grid', { name: 'Local images' }).locator(`[data-row-key="${local}"]`).waitFor({
        timeout: 30_000,
      });
    },
  },
  {
    name: 'history',
    async show(page) {
      await open(page, '/history');
      await page.getByText(`${prodNamespace}/app:1.0.0`).first().waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'settings',
    async show(page) {
      await open(page, `/settings?registry=${encodeURIComponent(registryId)}`);
      await page.getByRole('heading', { name: 'Settings' }).waitFor({ timeout: 30_000 });
      await page.getByRole('heading', { name: 'world' }).waitFor();
    },
  },
];

/** One line per violation and element, so a failure says what to fix and where. */
function describeViolations(violations: Awaited<ReturnType<AxeBuilder['analyze']>>['violations']): string[] {
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.impact} ${violation.id}: ${violation.help} at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ')}`,
    ),
  );
}

describe.each(['light', 'dark'] as const)('accessibility in the %s theme', (theme) => {
  let context: Awaited<ReturnType<typeof chromium.browser.newContext>>;
  let page: Page;

  beforeAll(async () => {
    // A context of its own: axe runs its final step in a new page of the page's context.
    context = await chromium.browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: theme });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  it.each(VIEWS.map((view) => [view.name, view] as const))(
    '%s has no serious or critical violation',
    async (name, view) => {
      await view.show(page);
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (serious.length > 0) await screenshot(page, `e2e-a11y-${theme}-${name.replace(/\W+/g, '-')}`);
      expect(describeViolations(serious)).toEqual([]);
      // The scan ran over the view, not a blank page.
      expect(results.passes.length).toBeGreaterThan(10);
    },
  );
});
