/**
 * Scale (issue 19, part 6): the UI in Debian's Chromium through `berth serve`, against the scale seed
 * (test/env/seed-scale.ts: 5,000 repositories, one with 10,000 tags). Per round, a fresh `berth serve`
 * (empty caches) and window:
 *   - opening the registry's page, and then the 10,000-tag repository's page: first rows on screen, in ms
 *     since the navigation started (goal < 1 s);
 *   - scrolling each list from top to bottom (600 px per frame) and typing into its filter box (80 ms
 *     between keys): the longest task Chromium reports as a long task (PerformanceObserver 'longtask',
 *     https://w3c.github.io/longtasks/), goal: none over 100 ms;
 *   - after both pages: the resident memory (VmRSS) of the `berth serve` process, goal < 300 MiB.
 * There is no reference tool for a UI: the reference column is the goal.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../env/browser';
import { SCALE, startScaleRegistry } from '../env/seed-scale';
import { connectApi, startBerthServe } from '../env/serve';
import { median } from './registry';
import { row, type BenchContext, type BenchRow } from './types';

const ROUNDS = 3;
const FIRST_ROWS_GOAL_MS = 1000;
const LONG_TASK_GOAL_MS = 100;
const RSS_GOAL_MIB = 300;

/** Installed before the page's own scripts: the first frame after `selector` has a row, in ms since navigation. */
const firstRowsScript = (grid: string): string => `(() => {
  const selector = '[role=grid][aria-label=${grid}] [role=row][data-row-key]';
  window.__berthFirstRows = 0;
  const observer = new MutationObserver(() => {
    if (!document.querySelector(selector)) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__berthFirstRows = performance.now(); });
  });
  observer.observe(document, { subtree: true, childList: true });
})()`;

/** Scrolls the grid to its bottom one step per frame; resolves with the long tasks seen meanwhile. */
const scrollScript = (grid: string): string => `(async () => {
  const scroller = document.querySelector('[role=grid][aria-label=${grid}]');
  const tasks = [];
  const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) tasks.push(entry.duration); });
  observer.observe({ type: 'longtask' });
  let maxRowsInDom = 0;
  await new Promise((resolve) => {
    const step = () => {
      maxRowsInDom = Math.max(maxRowsInDom, scroller.querySelectorAll('[role=row][data-row-key]').length);
      scroller.scrollTop += 600;
      if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) resolve();
      else requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  // Let the last frames render and their long tasks be reported.
  await new Promise((resolve) => setTimeout(resolve, 500));
  observer.disconnect();
  return { tasks, maxRowsInDom, atBottom: scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1 };
})()`;

const LONG_TASKS_START = `(() => {
  window.__berthLongTasks = [];
  window.__berthLongTaskObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__berthLongTasks.push(entry.duration);
  });
  window.__berthLongTaskObserver.observe({ type: 'longtask' });
})()`;
const LONG_TASKS_STOP = `(() => { window.__berthLongTaskObserver.disconnect(); return window.__berthLongTasks; })()`;

async function firstRows(page: Page, url: string, grid: string): Promise<number> {
  await page.addInitScript(firstRowsScript(grid));
  await page.goto(url);
  const deadline = Date.now() + 120_000;
  let at = 0;
  while (!(at = (await page.evaluate('window.__berthFirstRows')) as number)) {
    if (Date.now() > deadline) throw new Error(`no rows in grid ${grid} within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return at;
}

async function longestWhileScrolling(page: Page, grid: string, log: (message: string) => void): Promise<number> {
  const result = (await page.evaluate(scrollScript(grid))) as {
    tasks: number[];
    maxRowsInDom: number;
    atBottom: boolean;
  };
  if (!result.atBottom) throw new Error(`grid ${grid} did not scroll to its bottom`);
  log(`scale: scrolled ${grid}: ${result.tasks.length} long tasks, at most ${result.maxRowsInDom} rows in the DOM`);
  return Math.max(0, ...result.tasks);
}

async function longestWhileTyping(page: Page, filterLabel: string, text: string): Promise<number> {
  const box = page.getByLabel(filterLabel, { exact: true });
  await box.click();
  await page.evaluate(LONG_TASKS_START);
  await box.pressSequentially(text, { delay: 80 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const tasks = (await page.evaluate(LONG_TASKS_STOP)) as number[];
  return Math.max(0, ...tasks);
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no VmRSS for process ${pid}`);
  return kib / 1024;
}

export async function benchScale(ctx: BenchContext): Promise<BenchRow[]> {
  ctx.log('scale: starting the scale registry (5,000 repositories, 10,000 tags; seeded once, then from a snapshot)');
  const { registry, seed } = await startScaleRegistry();
  ctx.log(`scale: registry ready in ${seed.durationMs} ms`);
  const chromium = await launchChromium();
  const samples = {
    catalogRows: [] as number[],
    tagRows: [] as number[],
    catalogScroll: [] as number[],
    tagScroll: [] as number[],
    catalogFilter: [] as number[],
    tagFilter: [] as number[],
    rss: [] as number[],
  };
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const configDir = join(ctx.tmpDir, 'scale', `round-${round}`);
      const serve = await startBerthServe({
        ...ctx.env,
        BERTH_CONFIG_DIR: configDir,
        BERTH_CACHE_DIR: join(configDir, 'cache'),
      });
      try {
        const api = await connectApi(serve);
        const added = await api.call('registries.add', { host: registry.host, name: 'Scale' });
        api.close();
        if (!added.ok) throw new Error(`could not add the scale registry: ${added.error.message}`);
        const base = `${serve.origin}/registries/${encodeURIComponent(added.value.id)}`;

        const catalogPage = await chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
        samples.catalogRows.push(await firstRows(catalogPage, `${base}#token=${serve.token}`, 'Repositories'));
        samples.catalogScroll.push(await longestWhileScrolling(catalogPage, 'Repositories', ctx.log));
        samples.catalogFilter.push(await longestWhileTyping(catalogPage, 'Filter repositories', 'repo-49'));
        await catalogPage.close();

        const tagsPage = await chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
        const tagsUrl = `${base}/repositories/${SCALE.bigRepository}#token=${serve.token}`;
        samples.tagRows.push(await firstRows(tagsPage, tagsUrl, 'Tags'));
        samples.tagScroll.push(await longestWhileScrolling(tagsPage, 'Tags', ctx.log));
        samples.tagFilter.push(await longestWhileTyping(tagsPage, 'Filter tags', 'v9.9'));
        samples.rss.push(await rssMiB(serve.pid));
        await tagsPage.close();
        ctx.log(
          `scale round ${round}: first rows ${samples.catalogRows.at(-1)!.toFixed(0)} / ${samples.tagRows.at(-1)!.toFixed(0)} ms, ` +
            `longest task scrolling ${samples.catalogScroll.at(-1)!.toFixed(0)} / ${samples.tagScroll.at(-1)!.toFixed(0)} ms, ` +
            `filtering ${samples.catalogFilter.at(-1)!.toFixed(0)} / ${samples.tagFilter.at(-1)!.toFixed(0)} ms, ` +
            `serve RSS ${samples.rss.at(-1)!.toFixed(0)} MiB`,
        );
      } finally {
        await serve.stop();
      }
    }
  } finally {
    await chromium.close();
    await registry.dispose();
  }
  const goal = (text: string) => `no reference tool: reference = the goal (${text}); median of ${ROUNDS}`;
  return [
    row(
      'scale: open 5,000-repository registry -> first rows',
      median(samples.catalogRows),
      FIRST_ROWS_GOAL_MS,
      goal('< 1 s, ms since navigation'),
    ),
    row(
      'scale: open 10,000-tag repository -> first rows',
      median(samples.tagRows),
      FIRST_ROWS_GOAL_MS,
      goal('< 1 s, ms since navigation'),
    ),
    row(
      'scale: scroll 5,000 repositories top to bottom: longest long task',
      median(samples.catalogScroll),
      LONG_TASK_GOAL_MS,
      goal('none over 100 ms; 0 = no long task'),
    ),
    row(
      'scale: scroll 10,000 tags top to bottom: longest long task',
      median(samples.tagScroll),
      LONG_TASK_GOAL_MS,
      goal('none over 100 ms; 0 = no long task'),
    ),
    row(
      'scale: type a repository filter: longest long task',
      median(samples.catalogFilter),
      LONG_TASK_GOAL_MS,
      goal('none over 100 ms; 0 = no long task'),
    ),
    row(
      'scale: type a tag filter: longest long task',
      median(samples.tagFilter),
      LONG_TASK_GOAL_MS,
      goal('none over 100 ms; 0 = no long task'),
    ),
    row('scale: berth serve RSS after both (MiB, not ms)', median(samples.rss), RSS_GOAL_MIB, goal('< 300 MiB')),
  ];
}
