/**
 * Journey: every view at the common window sizes (1024x700, 1280x800, 1920x1080), in one Chromium page through
 * `berth serve` on the shared world's registry and dockerd. Each view is opened once and the window resized
 * under it; at each size the view's primary controls (header and toolbar buttons, tabs, filters, row actions)
 * and its column headers must lie inside the window, unclipped by any scrolling ancestor, and nothing may scroll
 * sideways (no horizontally scrolled page, table or panel; code and file contents excepted). Two layout jumps are
 * checked too: an invalid regex in the tag filter must not move the tag table's header, and the Compare summary
 * ("N files shown") must not resize the path filter. A screenshot per view and size lands in test-results/
 * (layout-<view>-<width>x<height>.png) for a person to look at.
 */
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');
const host = world.anonymous.host;
const scratch = `scratch/layout-${randomBytes(4).toString('hex')}`;
const A = `${host}/dev/app:1.0.0`;
const B = `${host}/dev/app:1.1.0`;
// Long names on purpose: the Docker table and the history must give way without scrolling sideways.
const promoted = `${host}/${scratch}/promoted-application-with-a-long-name:1.0.0-release-candidate`;
const localName = `${host}/${scratch}/a-rather-long-repository-name-for-the-layout-check:1.0.0-with-a-long-tag`;

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof connectApi>>;
let registryId: string;

beforeAll(async () => {
  serve = await startBerthServe({ DOCKER_HOST: world.dockerd.host });
  api = await connectApi(serve);
  const added = await api.call('registries.add', { host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;
  // A history entry with long references, and a lane whose last stage holds it.
  const promotion = await api.call('promotion.execute', { source: A, target: promoted });
  if (!promotion.ok) throw new Error(promotion.error.message);
  const lanes = await api.call('promotion.setLanes', {
    lanes: [
      {
        name: 'release',
        stages: [
          { name: 'dev', registryId, namespace: 'dev/' },
          { name: 'test', registryId, namespace: 'test/' },
          { name: 'prod', registryId, namespace: `${scratch}/` },
        ],
        tagRewrites: [],
      },
    ],
  });
  if (!lanes.ok) throw new Error(lanes.error.message);
  // A local image under a long name (the shared engine may hold the seeded tag already; only the new name is ours).
  const pulled = await api.call('docker.pull', { reference: A });
  if (!pulled.ok) throw new Error(pulled.error.message);
  const tagged = await api.call('docker.tag', { source: A, target: localName });
  if (!tagged.ok) throw new Error(tagged.error.message);
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: SIZES[0] });
}, 180_000);

afterAll(async () => {
  await api?.call('docker.remove', { reference: localName });
  api?.close();
  await chromium?.close();
  await serve?.stop();
});

const open = (path: string) => page.goto(`${serve.origin}${path}#token=${serve.token}`);

/** Controls every view keeps in reach: the title bar, the view's header and toolbars, tabs and column headers. */
const COMMON = [
  '.titlebar button',
  'main .view-header :is(button, input, select)',
  'main [role=toolbar] :is(button, input, select)',
  'main [role=tab]',
  'main [role=columnheader]',
  'main thead th',
  'main [aria-current=location]',
];

/** The few browser objects the in-page checks use (this file is typechecked without the DOM library). */
interface PageElement {
  tagName: string;
  className: string;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  scrollLeft: number;
  parentElement: PageElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number; height: number };
  matches(selector: string): boolean;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
interface PageWindow {
  innerWidth: number;
  innerHeight: number;
  document: { scrollingElement: PageElement } & Pick<PageElement, 'querySelector' | 'querySelectorAll'>;
  getComputedStyle(element: PageElement): { overflowX: string; lineHeight: string };
  requestAnimationFrame(callback: () => void): number;
}

/**
 * What is wrong with the layout now: elements of `COMMON` and of `required` (CSS selectors; each of `required`
 * must match) outside the window or clipped sideways by an ancestor, a column header whose text is cut, and any
 * element that scrolls sideways. Code and file contents (pre, JSON, file previews) may scroll sideways.
 */
async function layoutProblems(required: string[]): Promise<string[]> {
  return page.evaluate(
    ([common, required]) => {
      const w = globalThis as unknown as PageWindow;
      const problems: string[] = [];
      const name = (el: PageElement) =>
        `${el.tagName.toLowerCase()}${el.getAttribute('aria-label') ? `[${el.getAttribute('aria-label')}]` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
      const scrolling = w.document.scrollingElement;
      if (scrolling.scrollWidth > w.innerWidth) problems.push(`page is ${scrolling.scrollWidth}px wide`);
      for (const selector of [...common, ...required]) {
        const elements = [...w.document.querySelectorAll(selector)];
        if (elements.length === 0 && required.includes(selector)) problems.push(`nothing matches ${selector}`);
        for (const el of elements) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue; // visually-hidden labels and the like
          if (r.left < -0.5 || r.right > w.innerWidth + 0.5 || r.top < -0.5 || r.bottom > w.innerHeight + 0.5) {
            problems.push(`${name(el)} lies outside the window (${Math.round(r.left)}..${Math.round(r.right)})`);
            continue;
          }
          for (let parent = el.parentElement; parent; parent = parent.parentElement) {
            if (w.getComputedStyle(parent).overflowX === 'visible') continue;
            const p = parent.getBoundingClientRect();
            if (r.left < p.left - 0.5 || r.right > p.right + 0.5) {
              problems.push(`${name(el)} is cut by ${parent.tagName.toLowerCase()}.${parent.className}`);
              break;
            }
          }
          // A column header's label and the current place must show whole (cells may cut text on purpose).
          if (
            el.matches('[role=columnheader], th, [aria-current=location]') &&
            [el, ...el.querySelectorAll(':not(.visually-hidden)')].some((e) => e.scrollWidth > e.clientWidth)
          )
            problems.push(`${name(el)}: its text is cut`);
        }
      }
      for (const el of w.document.querySelectorAll('main *')) {
        if (el.closest('pre, .json, .filecontent-body, .textdiff-body, .hexdump, .preview-pane')) continue;
        const { overflowX } = w.getComputedStyle(el);
        if (overflowX !== 'auto' && overflowX !== 'scroll') continue;
        if (el.scrollWidth > el.clientWidth + 1)
          problems.push(
            `${el.tagName.toLowerCase()}.${el.className} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`,
          );
      }
      return problems;
    },
    [COMMON, required] as const,
  );
}

/** Resizes the window to each size, lets the layout settle, checks it and saves a screenshot. */
async function atEverySize(view: string, required: string[], extra?: (size: string) => Promise<string[]>) {
  const problems: string[] = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    const label = `${size.width}x${size.height}`;
    // Two frames: ResizeObservers and the virtualizer re-render after the resize.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const w = globalThis as unknown as PageWindow;
          w.requestAnimationFrame(() => w.requestAnimationFrame(resolve));
        }),
    );
    problems.push(...(await layoutProblems(required)).map((p) => `${label}: ${p}`));
    if (extra) problems.push(...(await extra(label)).map((p) => `${label}: ${p}`));
    await screenshot(page, `layout-${view}-${label}`);
  }
  expect(problems).toEqual([]);
}

const box = async (locator: Locator) => (await locator.boundingBox())!;

describe('layout at 1024x700, 1280x800 and 1920x1080', () => {
  it('home', async () => {
    await open('/');
    await page.getByRole('region', { name: 'Registries overview' }).getByRole('article').first().waitFor();
    await atEverySize('home', ['.sidebar-nav .nav-link']);
  });

  it('registry', async () => {
    await open(`/registries/${encodeURIComponent(registryId)}`);
    await page.getByLabel('Filter repositories').waitFor({ timeout: 30_000 });
    await atEverySize('registry', ['main .view-header .view-actions > *']);
  });

  it('repository: the tag table, and an invalid regex does not move its header', async () => {
    await open(`/registries/${encodeURIComponent(registryId)}/repositories/dev/app`);
    const grid = page.getByRole('grid', { name: 'Tags' });
    await grid.locator('[role=row][data-row-key]').first().waitFor({ timeout: 30_000 });
    const header = grid.getByRole('columnheader').first();
    const chooser = page.getByRole('button', { name: /^Columns/ });
    await atEverySize('repository', ['main .filter-box'], async () => {
      const before = await box(header);
      await page.getByLabel('Filter mode').selectOption('regex');
      await page.getByLabel('Filter tags').fill('([unclosed');
      await page.locator('.toolbar-error').waitFor();
      const after = await box(header);
      await page.getByLabel('Filter tags').fill('');
      await page.getByLabel('Filter mode').selectOption('substring');
      const problems = after.y === before.y ? [] : [`the tag table header moved from ${before.y} to ${after.y}`];
      // Key columns always show; a column that gives way is one checkbox away in the chooser.
      const shown = await grid.getByRole('columnheader').allTextContents();
      await chooser.click();
      const offered = page.getByRole('group', { name: 'Columns' }).getByRole('checkbox', { checked: false });
      const hidden = await offered.evaluateAll((boxes) =>
        boxes.map((b) => (b.parentElement?.textContent ?? '').trim()),
      );
      await chooser.click();
      for (const key of ['Tag', 'Digest', 'Created', 'Size'])
        if (!shown.includes(key)) problems.push(`the ${key} column is hidden`);
      for (const column of ['Type', 'Signature', 'Vulns'])
        if (shown.includes(column) === hidden.includes(column))
          problems.push(
            `the ${column} column is ${shown.includes(column) ? 'shown and offered' : 'neither shown nor offered'}`,
          );
      // The signed tag keeps its signature state in sight (its column, or a mark in the tag cell).
      await grid
        .locator('[role=row][data-row-key="1.0.0"] [data-trust-state="unverified"]')
        .waitFor({ timeout: 30_000 });
      return problems;
    });
  });

  for (const tab of ['Overview', 'Config', 'Layers', 'Manifest', 'Referrers']) {
    it(`image: ${tab}`, async () => {
      if (tab === 'Overview') await open(`/images?ref=${encodeURIComponent(A)}`);
      await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click({ timeout: 30_000 });
      await page.getByRole('tabpanel').waitFor();
      await page.waitForFunction(
        () => !(globalThis as unknown as PageWindow).document.querySelector('main [role=tabpanel] .state-loading'),
        null,
        { timeout: 30_000 },
      );
      await atEverySize(`image-${tab.toLowerCase()}`, []);
    });
  }

  it('compare with a result: the file tree columns, and the summary does not resize the filter', async () => {
    await open(`/compare?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}`);
    await page.getByTestId('compare-ready').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.getByTestId('diff-summary').waitFor({ timeout: 90_000 });
    const filter = page.getByRole('searchbox', { name: 'Filter paths' });
    await atEverySize('compare', ['main .tree-filter'], async () => {
      const before = await box(filter);
      // Fewer files shown: the summary text gets shorter, the filter box must keep its place and size.
      await filter.fill('config.yaml');
      await page
        .getByRole('grid', { name: 'Changed files' })
        .locator('[data-row-key="/etc/app/config.yaml"]')
        .waitFor();
      const after = await box(filter);
      await filter.fill('');
      return after.width === before.width && after.x === before.x && after.y === before.y
        ? []
        : [`the path filter moved or resized: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
    });
  });

  it('layers and files', async () => {
    await open(`/layers?ref=${encodeURIComponent(B)}`);
    await page.getByRole('listbox', { name: 'Layers' }).getByRole('option').first().waitFor({ timeout: 90_000 });
    await page.getByTestId('efficiency-score').waitFor({ timeout: 60_000 });
    await page
      .getByRole('grid', { name: 'Files' })
      .locator('[role=row][data-row-key]')
      .first()
      .waitFor({ timeout: 60_000 });
    await atEverySize('layers', ['main .tree-filter', 'main .layer-item-top']);
  });

  it('lanes with a lane: tag cards keep their date on one line', async () => {
    await open('/lanes');
    const card = page.getByTestId('lane-tag-dev-dev/app:1.0.0');
    await card.waitFor({ timeout: 30_000 });
    await page.locator(`[data-testid^="lane-tag-prod-${scratch}/"][data-digest]`).first().waitFor({ timeout: 30_000 });
    await atEverySize('lanes', ['main .stage-header', 'main .tag-card-slot .menu-anchor'], () =>
      page.evaluate(() => {
        const w = globalThis as unknown as PageWindow;
        const problems: string[] = [];
        for (const text of w.document.querySelectorAll('.tag-card-meta > *')) {
          const lines = Math.round(
            text.getBoundingClientRect().height / parseFloat(w.getComputedStyle(text).lineHeight),
          );
          if (lines > 1) problems.push(`"${text.textContent}" on a lane card takes ${lines} lines`);
        }
        return problems;
      }),
    );
  });

  it('local Docker with images: every row action in reach', async () => {
    await open('/docker');
    const grid = page.getByRole('grid', { name: 'Local images' });
    await grid.locator(`[data-row-key="${localName}"]`).waitFor({ timeout: 30_000 });
    await atEverySize('docker', ['main .pull-form > *', 'main [role=grid] [role=row][data-row-key] .row-actions > *']);

    // Below the smallest size the columns no longer fit: the table scrolls sideways, header and rows together.
    await page.setViewportSize({ width: 800, height: 600 });
    const offsets = await grid.evaluate((table) => {
      const w = globalThis as unknown as PageWindow;
      const t = table as unknown as PageElement;
      // The grid scrolls itself (or, in another layout, an element inside it).
      const scroller = [t, ...t.querySelectorAll('*')].find(
        (e) => ['auto', 'scroll'].includes(w.getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1,
      );
      if (!scroller) return null;
      scroller.scrollLeft = scroller.scrollWidth;
      const lefts = (row: PageElement | null) =>
        [...(row?.querySelectorAll('[role=columnheader], [role=gridcell]') ?? [])].map((cell) =>
          Math.round(cell.getBoundingClientRect().left),
        );
      return {
        header: lefts(t.querySelector('[role=row][aria-rowindex="1"]')),
        row: lefts(t.querySelector('[role=row][data-row-key]')),
      };
    });
    await screenshot(page, 'layout-docker-800x600-scrolled');
    expect(offsets, 'the table scrolls sideways at 800px').not.toBeNull();
    expect(offsets!.header.length).toBeGreaterThan(0);
    expect(offsets!.header).toEqual(offsets!.row);
  });

  it('history with entries', async () => {
    await open('/history');
    await page
      .getByRole('table', { name: 'Promotion history' })
      .locator('tbody tr')
      .first()
      .waitFor({ timeout: 30_000 });
    const table = page.getByRole('table', { name: 'Promotion history' });
    const chooser = page.getByRole('button', { name: /^Columns/ });
    await atEverySize('history', ['main .history-search', 'main .kind-toggles > *'], async () => {
      // Key columns always show; a column that gives way is one checkbox away in the chooser.
      const shown = await table.locator('thead th').allTextContents();
      let hidden: string[] = [];
      if ((await chooser.count()) > 0) {
        await chooser.click();
        const offered = page.getByRole('group', { name: 'Columns' }).getByRole('checkbox', { checked: false });
        hidden = await offered.evaluateAll((boxes) => boxes.map((b) => (b.parentElement?.textContent ?? '').trim()));
        await chooser.click();
      }
      const problems = ['When', 'Outcome', 'Source', 'Target', 'Digest']
        .filter((key) => !shown.includes(key))
        .map((key) => `the ${key} column is hidden`);
      const all = [...shown, ...hidden].sort();
      if (JSON.stringify(all) !== JSON.stringify(['By', 'Digest', 'Outcome', 'Source', 'Target', 'Transfer', 'When']))
        problems.push(`shown ${shown.join(', ')} and hidden ${hidden.join(', ')} are not every column`);
      return problems;
    });
  });

  it('settings', async () => {
    await open(`/settings?registry=${encodeURIComponent(registryId)}`);
    await page.getByRole('list', { name: 'Settings sections' }).waitFor({ timeout: 30_000 });
    await atEverySize('settings', ['main .settings-nav button', 'main .settings-card-header button']);
  });
});
