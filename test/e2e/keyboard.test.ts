/**
 * A keyboard-only journey in Chromium through `berth serve`, asserting where focus is after each step: Enter on
 * a tag row lands on the image view's heading, a breadcrumb on that view's heading; a dialog closed with
 * Escape gives focus back to the control that opened it (a button, a menu item's menu button, a shortcut);
 * Ctrl+K reopens search with the previous query selected, so typing replaces it. Run `npm run build` first
 * when running by hand.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');
const host = world.anonymous.host;

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let registryId: string;

beforeAll(async () => {
  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host, name: 'world', insecure: true });
  api.close();
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1280, height: 860 } });
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

// Expressions as strings: this file is typechecked without the DOM library.
/** What has focus, as a person would name it: its role or tag, and its text or label. */
const FOCUSED = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return 'body';
  const name = element.getAttribute('aria-label') ?? element.textContent?.trim() ?? '';
  return (element.getAttribute('role') ?? element.tagName.toLowerCase()) + ': ' + name;
})()`;
const focused = () => page.evaluate<string>(FOCUSED);

// The function runs in the page: the document is typed by hand there, as this file has no DOM library.
const isFocused = (locator: Locator) =>
  locator.evaluate(
    (element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
  );

describe('keyboard journey', () => {
  it('moves focus to the new view’s heading after Enter on a tag row and after a breadcrumb', async () => {
    await page.goto(
      `${serve.origin}/registries/${encodeURIComponent(registryId)}/repositories/dev/app#token=${serve.token}`,
    );
    const grid = page.getByRole('grid', { name: 'Tags' });
    await grid.locator('[role=row][data-row-key]').first().waitFor({ timeout: 30_000 });
    await grid.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/images\?ref=/);
    const tag = new URL(page.url()).searchParams.get('ref')!.split(':').pop()!;
    const imageHeading = page.getByRole('heading', { name: `:${tag}`, exact: true });
    await imageHeading.waitFor();
    await expect.poll(focused).toBe(`h2: :${tag}`);
    expect(await isFocused(imageHeading)).toBe(true);

    // Shift+Tab from the heading reaches the crumb before it: the repository. Enter opens it.
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('button: app');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/repositories\/dev\/app$/);
    await expect.poll(focused).toBe('h2: app');

    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('button: dev');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?ns=dev$/);
    await expect.poll(focused).toBe('h2: dev');
    await screenshot(page, 'e2e-keyboard-breadcrumb');
  });

  it('gives focus back to the button that opened a dialog when Escape closes it', async () => {
    // On from the registry view at dev/: Tab from the heading reaches "Add repository".
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button: Add repository');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Add a repository/ });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(focused).toBe('button: Add repository');
  });

  it('gives focus back to the menu button when the dialog a menu item opened closes', async () => {
    await page.goto(`${serve.origin}/images?ref=${encodeURIComponent(`${host}/dev/app:1.0.0`)}#token=${serve.token}`);
    const menuButton = page.getByRole('button', { name: 'Promote to…' });
    await menuButton.waitFor({ timeout: 30_000 });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    await page.keyboard.press('End');
    expect(await focused()).toBe('menuitem: Another repository or registry…');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Promote' });
    await dialog.waitFor();
    // The target is for the user to type, not the source itself.
    expect(await dialog.getByRole('textbox', { name: /Target/ }).inputValue()).toBe('');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(focused).toBe('button: Promote to…');
  });

  it('reopens search with the previous query selected, and Escape gives focus back', async () => {
    const menuButton = page.getByRole('button', { name: 'Promote to…' });
    expect(await isFocused(menuButton)).toBe(true);
    await page.keyboard.press('Control+K');
    const box = page.getByRole('combobox', { name: 'Search repositories and tags' });
    await box.waitFor();
    await page.keyboard.type('app');
    // The query is kept once searched (debounced).
    await page.getByRole('listbox', { name: 'Results' }).getByRole('option').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
    await expect.poll(focused).toBe('button: Promote to…');

    await page.keyboard.press('Control+K');
    await box.waitFor();
    expect(await box.inputValue()).toBe('app');
    const selection = await box.evaluate((input) => {
      const field = input as unknown as { selectionStart: number | null; selectionEnd: number | null };
      return [field.selectionStart, field.selectionEnd];
    });
    expect(selection).toEqual([0, 3]);
    await page.keyboard.type('multi');
    expect(await box.inputValue()).toBe('multi');
    await screenshot(page, 'e2e-keyboard-search');
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
  });
});
