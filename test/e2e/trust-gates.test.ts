/**
 * Journey: a lane stage's gates block a promotion, then an override with a reason lets it through, in
 * Chromium through `berth serve` on the world's anonymous registry. The image is signed and carries a cosign
 * vuln attestation (made here with Node's crypto, ../integration/trust/signer.ts) reporting a HIGH
 * vulnerability; prod demands a verified signature and nothing at or above high.
 * 1. Drag the dev tag onto prod: the dialog shows the signature gate passed and the vulnerability gate failed,
 *    Promote is disabled and nothing is written.
 * 2. Give a reason: "Override and promote" runs it; prod's tag has the source digest, with its signature
 *    tag carried along; the audit log records the reason and the overridden gate.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, screenshot } from '../env/browser';
import { connectApi, startBerthServe, type RunningBerthServe } from '../env/serve';
import { keyPair } from '../integration/trust/signer';
import { pushSignedImage } from '../integration/promotion/signed-image';

const world = inject('world');
const registry = world.anonymous;
const namespace = `gates-e2e-${randomBytes(4).toString('hex')}`;
const MANIFEST_TYPES =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
const REASON = 'Accepted by security review SEC-7: not reachable in this service';

async function registryDigest(repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES },
  });
  return response.status === 200 ? response.headers.get('docker-content-digest') : null;
}

let serve: RunningBerthServe;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let digest: string;
let registryId: string;

beforeAll(async () => {
  const repository = `${namespace}/dev/app`;
  const key = keyPair('p256');
  ({ digest } = await pushSignedImage({
    host: registry.host,
    repository,
    tag: '1.0',
    signer: key,
    attester: key,
    findings: [{ id: 'CVE-2023-4911', pkg: 'libc6', severity: 'HIGH' }],
  }));

  serve = await startBerthServe();
  const api = await connectApi(serve);
  const added = await api.call('registries.add', { host: registry.host, name: 'world', insecure: true });
  if (!added.ok) throw new Error(added.error.message);
  registryId = added.value.id;
  const policies = await api.call('trust.savePolicy', {
    policy: {
      name: 'ci',
      registry: registry.host,
      namespace: `${namespace}/`,
      required: true,
      keys: [{ name: 'ci', pem: key.publicPem }],
      identities: [],
      trustedRoots: [],
      notationCAs: [],
      checkReference: false,
      acceptedReferences: [],
    },
  });
  if (!policies.ok) throw new Error(policies.error.message);
  const lanes = await api.call('promotion.setLanes', {
    lanes: [
      {
        name: 'release',
        stages: [
          { name: 'dev', registryId, namespace: `${namespace}/dev/` },
          {
            name: 'prod',
            registryId,
            namespace: `${namespace}/prod/`,
            gates: [
              { kind: 'signature', policy: 'ci' },
              { kind: 'vulnerabilities', severity: 'high' },
            ],
          },
        ],
        tagRewrites: [],
      },
    ],
  });
  if (!lanes.ok) throw new Error(lanes.error.message);
  api.close();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${serve.origin}/lanes#token=${serve.token}`);
});

afterAll(async () => {
  await chromium?.close();
  await serve?.stop();
});

describe('promotion gates', () => {
  it('blocks a promotion whose vulnerability gate fails, then lets it through with an audited reason', async () => {
    const card = page.getByTestId(`lane-tag-dev-${namespace}/dev/app:1.0`);
    await card.waitFor({ timeout: 30_000 });
    await expect.poll(() => card.getAttribute('data-digest'), { timeout: 30_000 }).toBe(digest);
    await card.dragTo(page.getByTestId('lane-stage-prod'));
    await page.locator('[data-testid=promote-dialog-body][data-phase=plan]').waitFor({ timeout: 30_000 });
    const dialog = page.getByRole('dialog', { name: 'Promote' });

    const gates = dialog.getByTestId('gate-results');
    expect(await gates.locator('li[data-gate=signature]').getAttribute('data-passed')).toBe('true');
    expect(await gates.locator('li[data-gate=vulnerabilities]').getAttribute('data-passed')).toBe('false');
    expect(await gates.locator('li[data-gate=vulnerabilities]').textContent()).toContain('CVE-2023-4911');
    const promote = dialog.getByRole('button', { name: 'Promote', exact: true });
    expect(await promote.isDisabled()).toBe(true);
    expect(await registryDigest(`${namespace}/prod/app`, '1.0')).toBeNull();
    await screenshot(page, 'e2e-gates-blocked');

    await dialog.getByLabel('Override reason').fill(REASON);
    await dialog.getByRole('button', { name: 'Override and promote' }).click();
    await page.locator('[data-testid=promote-dialog-body][data-phase=done]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('promotion-digest').textContent()).toBe(digest);
    expect(await registryDigest(`${namespace}/prod/app`, '1.0')).toBe(digest);
    // The signature travelled with the image, under the same cosign tag.
    expect(await registryDigest(`${namespace}/prod/app`, `${digest.replace(':', '-')}.sig`)).not.toBeNull();
    await screenshot(page, 'e2e-gates-overridden');

    const api = await connectApi(serve);
    const audit = await api.call('promotion.audit', { query: `${namespace}/prod` });
    api.close();
    if (!audit.ok) throw new Error(audit.error.message);
    expect(audit.value[0]).toMatchObject({ outcome: 'success', override: { reason: REASON } });
    expect(audit.value[0]!.override!.gates.map((gate) => gate.gate.kind)).toEqual(['vulnerabilities']);
  });

  it('shows the attached report, verified, in the image view and its counts in the tag table', async () => {
    const reference = `${registry.host}/${namespace}/prod/app:1.0`;
    await page.goto(`${serve.origin}/images?ref=${encodeURIComponent(reference)}#token=${serve.token}`);
    await page.getByRole('tab', { name: 'Vulnerabilities' }).click();
    const report = page.getByRole('list', { name: 'Attached reports' }).locator('li').first();
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-format')).toBe('cosign-vuln');
    // Promoted with its attestation and signature: verified at the target too (the digest is the same).
    expect(await report.getAttribute('data-verified')).toBe('true');
    expect(await report.textContent()).toContain('1 high');
    await screenshot(page, 'e2e-gates-image-vulnerabilities');

    await page.goto(`${serve.origin}/registries/${registryId}/repositories/${namespace}/prod/app#token=${serve.token}`);
    const counts = page.locator('[data-vuln-counts]').first();
    await counts.waitFor({ timeout: 30_000 });
    // critical high medium low
    expect(await counts.getAttribute('data-vuln-counts')).toBe('0 1 0 0');
    expect(await counts.getAttribute('data-verified')).toBe('true');
  });
});
