/**
 * Journey: signatures in Chromium through `berth serve`, on the world's anonymous registry (distribution 2.8,
 * no referrers API). Two images are pushed; one is signed with a cosign key (made here with Node's crypto,
 * ../integration/trust/signer.ts), the other carries a signature naming another digest.
 * 1. Settings → the registry: the trust policy imported from the cosign public key file is listed.
 * 2. The repository's tag table: no `sha256-….sig` rows; the signed tag reads "Verified · cosign.pub", the
 *    lying one "Invalid signature" with its reason.
 * 3. The image view's Trust tab: the cosign signature, verified, signer and payload shown.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, RESULTS_DIR, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';
import { pushUniqueImage } from '../env/unique-image';
import { cosignLayer, keyPair, pushLayersManifest, signBytes, simpleSigningPayload } from '../integration/trust/signer';

const world = inject('world');
const registry = world.anonymous;
const repository = `trust-e2e-${randomBytes(4).toString('hex')}/app`;
const key = keyPair('p256');

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let registryId: string;
const digests: Record<string, string> = {};

beforeAll(async () => {
  const target = { host: registry.host };
  for (const tag of ['1.0', '1.1']) digests[tag] = (await pushUniqueImage(target, repository, tag, 1)).digest;
  const sign = async (subject: string, named: string) => {
    const payload = simpleSigningPayload(`${registry.host}/${repository}`, named);
    await pushLayersManifest(target, repository, `${subject.replace(':', '-')}.sig`, [
      cosignLayer(payload, signBytes(key.privateKey, payload)),
    ]);
  };
  await sign(digests['1.0']!, digests['1.0']!);
  await sign(digests['1.1']!, digests['1.0']!);

  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host: registry.host, name: 'world', insecure: true });
  api.close();
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

describe('signatures', () => {
  it('a policy imported from a cosign public key file, in Settings', async () => {
    await page.goto(`${serve.origin}/settings?registry=${encodeURIComponent(registryId)}#token=${serve.token}`);
    const section = page.getByRole('region', { name: 'Trust policies' });
    await section.waitFor({ timeout: 30_000 });
    await section.getByRole('button', { name: 'Add policy' }).click();
    const policy = section.getByRole('group', { name: `Trust policy ${registry.host}` });
    await policy.getByLabel('Namespace').fill(repository.split('/')[0]!);
    const dir = join(RESULTS_DIR, 'trust-e2e');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'cosign.pub'), key.publicPem);
    await policy.getByLabel('Import cosign public key').setInputFiles(join(dir, 'cosign.pub'));
    await policy.getByText('cosign.pub').waitFor();
    await section.getByRole('button', { name: 'Save trust policies' }).click();
    await section.getByText('Saved.').waitFor({ timeout: 10_000 });
    await screenshot(page, 'e2e-trust-policy');
    const api = await connectApi(serve);
    const stored = await api.call('trust.policies', {});
    api.close();
    if (!stored.ok) throw new Error(stored.error.message);
    expect(stored.value).toEqual([
      expect.objectContaining({
        registry: registry.host,
        namespace: repository.split('/')[0],
        keys: [{ name: 'cosign.pub', pem: key.publicPem }],
      }),
    ]);
  });

  it('the tag table shows a state per tag and no signature tags as rows', async () => {
    await page.goto(
      `${serve.origin}/registries/${encodeURIComponent(registryId)}/repositories/${repository}#token=${serve.token}`,
    );
    const grid = page.getByRole('grid', { name: 'Tags' });
    const signed = grid.locator('[role=row][data-row-key="1.0"] [data-trust-state]');
    await expect.poll(() => signed.getAttribute('data-trust-state'), { timeout: 30_000 }).toBe('verified');
    expect(await signed.textContent()).toBe('Verified · cosign.pub');
    const lying = grid.locator('[role=row][data-row-key="1.1"] [data-trust-state]');
    await expect.poll(() => lying.getAttribute('data-trust-state'), { timeout: 30_000 }).toBe('invalid');
    expect(await lying.getAttribute('title')).toContain(`names ${digests['1.0']}`);
    const keys = await grid
      .locator('[role=row][data-row-key]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-row-key')));
    expect(keys.sort()).toEqual(['1.0', '1.1']);
    await screenshot(page, 'e2e-trust-tags');
  });

  it('the image view’s Trust tab shows the signature, its signer and payload', async () => {
    const reference = `${registry.host}/${repository}:1.0`;
    await page.goto(`${serve.origin}/images?ref=${encodeURIComponent(reference)}#token=${serve.token}`);
    await page.getByRole('tab', { name: 'Trust' }).click();
    const card = page.getByRole('article', { name: 'cosign signature' });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getAttribute('data-state')).toBe('verified');
    expect(await card.textContent()).toContain('cosign.pub');
    await card.getByText('Signed payload').click();
    expect(await card.locator('pre.payload').textContent()).toContain(digests['1.0']);
    await screenshot(page, 'e2e-trust-tab');
  });
});
