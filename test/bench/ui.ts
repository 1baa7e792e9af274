/**
 * The UI in Debian's Chromium through `berth serve` on loopback, against the seeded registry:
 *   - from clicking the 2,000-tag repository in the sidebar to its first rows on screen (target 1 s);
 *   - from that click to the whole-repository date sort being complete, with an empty tag-details cache
 *     (target 10 s), with the cache warm in a new window (target 1 s), and reopening the repository in
 *     the same window (target 1 s);
 *   - the renderer's JavaScript, gzipped (no target; reported in KiB).
 * Times are taken inside the page (performance.now at the click, and at the first animation frame after
 * the rows or the completed sort are in the DOM), so Playwright's round trips do not count. There is no
 * reference tool for a UI, so the reference column is the target.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchChromium } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';
import { row, type BenchContext, type BenchRow } from './types';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = 3;
const FIRST_ROWS_TARGET_MS = 1000;
const COLD_SORT_TARGET_MS = 10_000;
const WARM_SORT_TARGET_MS = 1000;

interface Marks {
  click?: number;
  rows?: number;
  sorted?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Records, in the page, the click and the first frame after the tag rows / the complete date sort appear.
 * Page scripts are strings: this file is type-checked for Node, without DOM types.
 */
const ARM_MARKS = `(() => {
  const marks = {};
  window.__berthBench = marks;
  document.addEventListener('click', () => { if (marks.click === undefined) marks.click = performance.now(); }, { capture: true, once: true });
  const observer = new MutationObserver(() => {
    if (marks.click === undefined) return;
    if (marks.rows === undefined && document.querySelector('[role=grid][aria-label=Tags] [role=row][data-row-key]')) {
      marks.rows = -1;
      requestAnimationFrame(() => { marks.rows = performance.now(); });
    }
    if (marks.sorted === undefined && document.querySelector('[data-testid=sort-status][data-sort=created][data-complete=true]')) {
      marks.sorted = -1;
      requestAnimationFrame(() => { marks.sorted = performance.now(); });
    }
    if (marks.rows !== undefined && marks.sorted !== undefined) observer.disconnect();
  });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-complete'] });
})()`;

const MARKS_DONE = 'window.__berthBench.rows > 0 && window.__berthBench.sorted > 0';

async function armMarks(page: Page): Promise<void> {
  await page.evaluate(ARM_MARKS);
}

/** Polls with evaluate (the page's CSP forbids the string eval that waitForFunction would need). */
async function readMarks(page: Page, timeoutMs: number): Promise<Required<Marks>> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(MARKS_DONE))) {
    if (Date.now() > deadline) throw new Error(`the tag table did not finish within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (await page.evaluate('window.__berthBench')) as Required<Marks>;
}

/**
 * In a fresh window: choose the date sort on a small repository, open namespace `many`, then click
 * `many/tags` and time the first rows and the complete date sort.
 */
async function openManyTags(
  page: Page,
  serve: RunningBerthServe,
  registryId: string,
  timeoutMs: number,
): Promise<{ firstRows: number; sorted: number }> {
  await page.goto(
    `${serve.origin}/registries/${encodeURIComponent(registryId)}/repositories/dev/app#token=${serve.token}`,
  );
  await page.getByRole('grid', { name: 'Tags' }).locator('[data-row-key]').first().waitFor({ timeout: 60_000 });
  await page.getByLabel('Sort by').selectOption('created');
  const tree = page.getByRole('tree', { name: 'Registries' });
  await tree.getByRole('treeitem', { name: 'many' }).click();
  const repository = tree.getByRole('treeitem', { name: 'tags' });
  await repository.waitFor({ timeout: 60_000 });
  await armMarks(page);
  await repository.click();
  const marks = await readMarks(page, timeoutMs);
  return { firstRows: marks.rows - marks.click, sorted: marks.sorted - marks.click };
}

/** In the same window: leave for another repository, click many/tags again. */
async function reopenManyTags(page: Page, timeoutMs: number): Promise<number> {
  const tree = page.getByRole('tree', { name: 'Registries' });
  await tree.getByRole('treeitem', { name: 'dev' }).click();
  await tree.getByRole('treeitem', { name: 'app' }).click();
  await page.getByRole('grid', { name: 'Tags' }).locator('[data-row-key="1.0.0"]').waitFor({ timeout: 60_000 });
  await armMarks(page);
  await tree.getByRole('treeitem', { name: 'tags' }).click();
  const marks = await readMarks(page, timeoutMs);
  return marks.sorted - marks.click;
}

async function startServeWithRegistry(
  ctx: BenchContext,
  name: string,
): Promise<{ serve: RunningBerthServe; registryId: string }> {
  // Each serve gets empty config and cache folders: a cold tag-details cache.
  const configDir = join(ctx.tmpDir, 'ui', name);
  await mkdir(configDir, { recursive: true });
  const serve = await startBerthServe({
    ...ctx.env,
    BERTH_CONFIG_DIR: configDir,
    BERTH_CACHE_DIR: join(configDir, 'cache'),
  });
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host: ctx.registry.host, name: 'Bench' });
  api.close();
  if (!added.ok) throw new Error(`could not add the bench registry: ${added.error.message}`);
  return { serve, registryId: added.value.id };
}

async function rendererGzipKiB(): Promise<number> {
  const assets = join(root, 'out', 'renderer', 'assets');
  const scripts = (await readdir(assets)).filter((f) => f.endsWith('.js'));
  let bytes = 0;
  for (const file of scripts) bytes += gzipSync(await readFile(join(assets, file)), { level: 9 }).length;
  return bytes / 1024;
}

export async function benchUi(ctx: BenchContext): Promise<BenchRow[]> {
  const chromium = await launchChromium();
  const firstRows: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const reopen: number[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const { serve, registryId } = await startServeWithRegistry(ctx, `round-${round}`);
      try {
        const coldPage = await chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
        const coldRun = await openManyTags(coldPage, serve, registryId, 300_000);
        firstRows.push(coldRun.firstRows);
        cold.push(coldRun.sorted);
        reopen.push(await reopenManyTags(coldPage, 60_000));
        await coldPage.close();

        const warmPage = await chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
        const warmRun = await openManyTags(warmPage, serve, registryId, 120_000);
        firstRows.push(warmRun.firstRows);
        warm.push(warmRun.sorted);
        await warmPage.close();
        ctx.log(
          `ui round ${round}: first rows ${coldRun.firstRows.toFixed(0)} / ${warmRun.firstRows.toFixed(0)} ms, date sort cold ${coldRun.sorted.toFixed(0)} ms, warm ${warmRun.sorted.toFixed(0)} ms, reopen ${reopen[reopen.length - 1]!.toFixed(0)} ms`,
        );
      } finally {
        await serve.stop();
      }
    }
  } finally {
    await chromium.close();
  }
  const targetNote = (target: number) =>
    `no reference tool: reference = the ${target / 1000} s target; median of ${ROUNDS}`;
  const kib = await rendererGzipKiB();
  return [
    row(
      'ui: click 2,000-tag repository -> first rows on screen',
      median(firstRows),
      FIRST_ROWS_TARGET_MS,
      `${targetNote(FIRST_ROWS_TARGET_MS)} (cold and warm windows)`,
    ),
    row(
      'ui: click -> whole-repository date sort complete (cold cache)',
      median(cold),
      COLD_SORT_TARGET_MS,
      targetNote(COLD_SORT_TARGET_MS),
    ),
    row(
      'ui: click -> whole-repository date sort complete (warm disk cache, new window)',
      median(warm),
      WARM_SORT_TARGET_MS,
      targetNote(WARM_SORT_TARGET_MS),
    ),
    row(
      'ui: reopen in the same window -> date sort complete',
      median(reopen),
      WARM_SORT_TARGET_MS,
      targetNote(WARM_SORT_TARGET_MS),
    ),
    row('ui: renderer JavaScript gzipped (KiB, not ms)', kib, 0, 'size in KiB in the berth column; no target'),
  ];
}
