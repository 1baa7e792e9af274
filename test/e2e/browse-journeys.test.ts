/**
 * Journeys in Chromium through `berth serve` on the shared world's registries: sign in to the htpasswd
 * registry with a wrong then a right password; walk the namespace tree; open the 2,000-tag repository,
 * sort it by created date and filter it with a glob; open a multi-arch tag and one platform; follow a
 * digest link. Each saves a screenshot under test-results/. Test hooks are listed in
 * browse-foundation.test.ts. Run `npm run build` first when running by hand.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';

const world = inject('world');

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let anonymousId: string;

beforeAll(async () => {
  serve = await startBerthServe();
  const api = await connectApi(serve);
  const seeded = await api.call('registries.add', { host: world.anonymous.host, name: 'Seeded' });
  const htpasswd = await api.call('registries.add', { host: world.basic.host, name: 'Htpasswd' });
  api.close();
  if (!seeded.ok || !htpasswd.ok) throw new Error('could not add the world registries to Berth');
  anonymousId = seeded.value.id;
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

async function open(path: string): Promise<Page> {
  const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 860 } });
  await page.goto(`${serve.origin}${path}#token=${serve.token}`);
  return page;
}

const tagRows = (page: Page) => page.getByRole('grid', { name: 'Tags' }).locator('[role=row][data-row-key]');

describe('browse journeys', () => {
  it('signs in to the htpasswd registry: a wrong password is refused, the right one lists its repositories', async () => {
    const page = await open('/');
    const tree = page.getByRole('tree', { name: 'Registries' });
    await tree.getByRole('treeitem', { name: 'Htpasswd' }).click();
    await tree.getByRole('treeitem', { name: 'Sign in to list repositories' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign in to Htpasswd' });
    const { username, password } = world.basic.users[0]!;
    await dialog.getByLabel('Username').fill(username);
    await dialog.getByLabel('Password or token').fill(`${password}x`);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    const refused = dialog.getByTestId('sign-in-error');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.getAttribute('data-error-code')).toBe('unauthorized');
    expect(await refused.textContent()).toContain('Wrong username or password.');
    await screenshot(page, 'e2e-browse-sign-in-refused');

    await dialog.getByLabel('Password or token').fill(password);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    await tree.getByRole('treeitem', { name: 'team-a' }).waitFor({ timeout: 30_000 });
    await tree
      .getByRole('treeitem', { name: 'Htpasswd' })
      .getByRole('img', { name: 'Signed in', exact: true })
      .waitFor({ timeout: 30_000 });
    expect(await page.locator('.view-subheader').textContent()).toContain(`signed in as ${username}`);
    await screenshot(page, 'e2e-browse-signed-in');
    await page.close();
  });

  it('walks the namespace tree by keyboard to a nested repository, and a deep link reopens it', async () => {
    const page = await open('/');
    const tree = page.getByRole('tree', { name: 'Registries' });
    const seeded = tree.getByRole('treeitem', { name: 'Seeded' });
    await seeded.focus();
    await page.keyboard.press('ArrowRight');
    await tree.getByRole('treeitem', { name: 'team-a' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('ArrowRight'); // into the registry: "dev"
    await page.keyboard.press('t'); // type-ahead: "team-a"
    await page.keyboard.press('ArrowRight'); // open team-a
    await tree.getByRole('treeitem', { name: 'nested' }).waitFor();
    await page.keyboard.press('ArrowRight'); // into team-a: "nested"
    await page.keyboard.press('ArrowRight'); // open nested
    await page.keyboard.press('ArrowRight'); // into nested: "deep"
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/registries\/[^/]+\/repositories\/team-a\/nested\/deep/);
    await tagRows(page).first().waitFor({ timeout: 30_000 });
    expect(await tree.getByRole('treeitem', { name: 'deep' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).textContent()).toBe('Seededteam-anesteddeep');
    await screenshot(page, 'e2e-browse-namespace-tree');

    // The same place from its path (what a berth:// link carries), in a fresh page.
    const linked = await open(`/registries/${encodeURIComponent(anonymousId)}/repositories/team-a/nested/deep`);
    await tagRows(linked).first().waitFor({ timeout: 30_000 });
    expect(
      await linked
        .getByRole('tree', { name: 'Registries' })
        .getByRole('treeitem', { name: 'deep' })
        .getAttribute('aria-selected'),
    ).toBe('true');
    await linked.close();
    await page.close();
  });

  it('opens the 2,000-tag repository, sorts it by created date over every tag, and filters it with a glob', async () => {
    const page = await open(`/registries/${encodeURIComponent(anonymousId)}/repositories/many/tags`);
    await tagRows(page).first().waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('tag-count').textContent()).toBe('2,000 tags');
    // Virtualized: a screenful of rows in the page, not 2,000.
    expect(await tagRows(page).count()).toBeLessThan(100);

    await page.getByLabel('Sort by').selectOption('created');
    await page.locator('[data-testid=sort-status][data-complete=true]').waitFor({ timeout: 240_000 });
    const createdOfRows = async () =>
      tagRows(page).evaluateAll((rows) =>
        rows
          .map((r) => ({
            top: r.getBoundingClientRect().top,
            created: r.querySelector('[data-created]')?.getAttribute('data-created') ?? '',
          }))
          .sort((a, b) => a.top - b.top)
          .map((r) => new Date(r.created).toISOString()),
      );
    const top = await createdOfRows();
    expect(top.length).toBeGreaterThan(10);
    expect([...top].sort().reverse()).toEqual(top);

    // The end of the table is the oldest image: End scrolls there in the virtualized grid.
    await page.getByRole('grid', { name: 'Tags' }).focus();
    await page.keyboard.press('End');
    await page.getByRole('grid', { name: 'Tags' }).locator('[role=row][aria-rowindex="2001"]').waitFor();
    const bottom = await createdOfRows();
    expect(bottom[bottom.length - 1]! <= top[top.length - 1]!).toBe(true);
    expect([...bottom].sort().reverse()).toEqual(bottom);
    await screenshot(page, 'e2e-browse-many-tags-by-date');

    await page.getByLabel('Filter mode').selectOption('glob');
    await page.getByLabel('Filter tags').fill('2023-0[1-3]-*');
    expect(await page.getByTestId('tag-count').textContent()).toBe('90 of 2,000 tags');
    const shown = await tagRows(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key')!));
    expect(shown.every((t) => /^2023-0[1-3]-\d\d$/.test(t))).toBe(true);
    await screenshot(page, 'e2e-browse-many-tags-glob');
    await page.close();
  });

  it('opens a multi-arch tag, expands it and opens one platform', async () => {
    const page = await open(`/registries/${encodeURIComponent(anonymousId)}/repositories/dev/multi`);
    const row = page.getByRole('grid', { name: 'Tags' }).locator('[data-row-key="1.0"]');
    await row.getByText('Multi-arch · 2').waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: 'Expand platforms of 1.0' }).click();
    const platforms = page.locator('[data-kind=platform]');
    expect(await platforms.allTextContents()).toEqual([
      expect.stringContaining('linux/amd64'),
      expect.stringContaining('linux/arm64/v8'),
    ]);
    await screenshot(page, 'e2e-browse-multi-arch-expanded');

    await platforms.nth(1).click();
    await page
      .getByRole('group', { name: 'Platforms' })
      .getByRole('button', { name: 'linux/arm64/v8', pressed: true })
      .waitFor({ timeout: 30_000 });
    expect(page.url()).toContain('platform=linux%2Farm64%2Fv8');
    const armDigest = world.seed.platforms['dev/multi:1.0']!['linux/arm64/v8']!.digest;
    expect(await page.getByLabel('Image properties').textContent()).toContain(armDigest.slice(0, 19));
    await page.getByRole('tab', { name: /Config/ }).click();
    expect(await page.getByLabel('Config properties').textContent()).toContain('linux/arm64/v8');
    await screenshot(page, 'e2e-browse-platform-image');
    await page.close();
  });

  it('follows digest links from the manifest: a platform manifest, then its config', async () => {
    const page = await open(`/images?ref=${encodeURIComponent(`${world.anonymous.host}/dev/multi:1.0`)}`);
    await page.getByRole('tab', { name: 'Manifest' }).click();
    await page.getByRole('group', { name: 'Which manifest' }).getByRole('button', { name: 'Index' }).click();
    const amd64 = world.seed.platforms['dev/multi:1.0']!['linux/amd64']!.digest;
    await page.getByRole('region', { name: 'Manifest JSON' }).locator(`button[data-digest="${amd64}"]`).click();
    await page.waitForURL((url) => url.searchParams.get('ref') === `${world.anonymous.host}/dev/multi@${amd64}`);
    await page.getByTestId('image-digest').getByText(amd64).waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Image properties').textContent()).toContain('OCI image manifest');

    await page.getByRole('tab', { name: 'Manifest' }).click();
    const json = page.getByRole('region', { name: 'Manifest JSON' });
    const configDigest = await json.locator('button[data-digest]').first().getAttribute('data-digest');
    await json.locator('button[data-digest]').first().click();
    await page.getByRole('tab', { name: 'Config', selected: true }).waitFor();
    expect(await page.getByLabel('Config properties').textContent()).toContain(configDigest!);
    await screenshot(page, 'e2e-browse-digest-link');

    // Back returns to the index the link came from.
    await page.goBack();
    await page.getByRole('group', { name: 'Platforms' }).waitFor({ timeout: 30_000 });
    await page.close();
  });
});
