/**
 * Journey: the compare view's Packages tab in Chromium through `berth serve`: two images of the world's
 * registry whose package databases differ, shown as packages added, removed, upgraded and downgraded in each
 * ecosystem's own version order (1.9 -> 1.10 is an upgrade, epoch 2 -> epoch 1 a downgrade), then filtered.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { TreeBuilder } from '../env/layers';
import { treeLayer } from '../env/package-fixtures';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';
import { pushLayersImage } from '../env/unique-image';

const world = inject('world');
const host = world.anonymous.host;
const repository = `scratch/packages-e2e-${randomBytes(4).toString('hex')}`;
const A = `${host}/${repository}:1`;
const B = `${host}/${repository}:2`;

const stanza = (name: string, version: string) =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`;
const status = (packages: [string, string][]) => packages.map(([name, version]) => stanza(name, version)).join('\n');
const npm = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  const image = (dpkg: [string, string][], leftPad: string, extra?: string) => {
    const tree = new TreeBuilder()
      .file('/etc/os-release', 'ID=debian\nVERSION_ID="12"\n')
      .file('/var/lib/dpkg/status', status(dpkg))
      .file('/app/node_modules/left-pad/package.json', npm('left-pad', leftPad));
    if (extra) tree.file(`/app/node_modules/${extra}/package.json`, npm(extra, '1.0.0'));
    return treeLayer(tree);
  };
  await pushLayersImage({ host }, repository, '1', [
    await image(
      [
        ['base-files', '12.4'],
        ['libssl3', '3.0.11-1~deb12u1'],
        ['tzdata', '2:2024a-0'],
        ['old-tool', '1.0-1'],
      ],
      '1.9.0',
    ),
  ]);
  await pushLayersImage({ host }, repository, '2', [
    await image(
      [
        ['base-files', '12.4'],
        ['libssl3', '3.0.11-1~deb12u2'],
        ['tzdata', '1:2025b-0'],
        ['new-tool', '0.1-1'],
      ],
      '1.10.0',
      'is-odd',
    ),
  ]);
  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  api.close();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

describe('compare: Packages tab', () => {
  it('shows the packages added, removed, upgraded and downgraded between two images', async () => {
    await page.goto(
      `${serve.origin}/compare?a=${encodeURIComponent(A)}&b=${encodeURIComponent(B)}#token=${serve.token}`,
    );
    await page.getByTestId('compare-ready').waitFor();
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.getByTestId('diff-summary').waitFor({ timeout: 90_000 });
    await page.getByRole('tab', { name: /Packages/ }).click();
    const table = page.getByRole('table', { name: 'Package changes' });
    await table.waitFor({ timeout: 90_000 });
    const rows = () =>
      table
        .locator('tbody tr')
        .evaluateAll((list) =>
          list.map((tr) =>
            [
              tr.getAttribute('data-change'),
              ...[...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent),
            ].join(' '),
          ),
        );
    expect(await rows()).toEqual([
      'upgraded deb libssl3 3.0.11-1~deb12u1 3.0.11-1~deb12u2',
      'added deb new-tool  0.1-1',
      'removed deb old-tool 1.0-1 ',
      'downgraded deb tzdata 2:2024a-0 1:2025b-0',
      'added npm is-odd  1.0.0',
      'upgraded npm left-pad 1.9.0 1.10.0',
    ]);
    expect(await page.getByTestId('package-summary').textContent()).toBe(
      '2 added · 1 removed · 2 upgraded · 1 downgraded',
    );
    await screenshot(page, 'e2e-compare-packages');

    await page.getByRole('searchbox', { name: 'Filter packages' }).fill('tool');
    expect(await rows()).toEqual(['added deb new-tool  0.1-1', 'removed deb old-tool 1.0-1 ']);
  });
});
