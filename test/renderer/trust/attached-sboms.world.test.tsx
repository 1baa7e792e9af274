// @vitest-environment jsdom
/**
 * Attached SBOMs in the image view's Trust tab, on the real backend and the world's registry: a CycloneDX
 * document pushed as a referrer (through the referrers fallback tag; nothing signs it, so not verified), an
 * SPDX document in a DSSE attestation signed by the policy's key (verified), and a referrer that claims to
 * be SPDX but is not (listed as a problem). Each document shows its packages as a table.
 */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { ImageView } from '../../../src/renderer/views/image/ImageView';
import { giveElementsASize } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';

/** test/integration/trust/signer.ts, loaded at run time (Node crypto; the renderer typecheck has no Node types). */
interface Signer {
  DSSE: string;
  keyPair(type: 'p256'): { privateKey: unknown; publicPem: string };
  dsseEnvelope(key: unknown, digest: string, predicateType: string, predicate: unknown): Uint8Array;
  pushLayersManifest(
    target: { host: string },
    repository: string,
    reference: string,
    layers: { mediaType: string; payload: Uint8Array; annotations: Record<string, string> }[],
    extra?: { artifactType?: string; subject?: { mediaType: string; digest: string; size: number } },
  ): Promise<string>;
  pushFallbackIndex(
    target: { host: string },
    repository: string,
    subjectDigest: string,
    entries: { digest: string; size: number; artifactType: string }[],
  ): Promise<void>;
}
interface Images {
  pushUniqueImage(
    target: { host: string },
    repository: string,
    tag: string,
    layers: number,
  ): Promise<{ digest: string }>;
}
const SIGNER_MODULE = '../../integration/trust/signer';
const IMAGES_MODULE = '../../env/unique-image';
const CYCLONEDX_TYPE = 'application/vnd.cyclonedx+json';
const SPDX_TYPE = 'application/spdx+json';

let backend: RealBackend;
let restoreSize: () => void;
const repository = `scratch-sbom-ui-${Math.random().toString(16).slice(2, 10)}/app`;
let digest = '';
const sources: Record<string, string> = {};

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

beforeAll(async () => {
  restoreSize = giveElementsASize(700, 1400);
  const signer = (await import(/* @vite-ignore */ SIGNER_MODULE)) as Signer;
  const images = (await import(/* @vite-ignore */ IMAGES_MODULE)) as Images;
  const host = seededWorld().anonymous.host;
  const target = { host };
  digest = (await images.pushUniqueImage(target, repository, '1.0', 1)).digest;
  backend = await startRealBackend();
  await addWorldRegistry(backend.api, host);
  const image = await backend.api.call('registry.manifest', { reference: `${host}/${repository}@${digest}` });
  const subject = { mediaType: image.mediaType, digest, size: image.size };
  const cyclonedx = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    components: [
      { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' },
      { type: 'library', name: 'lodash', version: '4.17.21', licenses: [{ license: { id: 'MIT' } }] },
    ],
  };
  const spdx = {
    spdxVersion: 'SPDX-2.3',
    SPDXID: 'SPDXRef-DOCUMENT',
    packages: [{ name: 'libc6', SPDXID: 'SPDXRef-Package-libc6', versionInfo: '2.36-9+deb12u4' }],
  };
  sources['cyclonedx'] = await signer.pushLayersManifest(
    target,
    repository,
    'sbom-cdx',
    [{ mediaType: CYCLONEDX_TYPE, payload: bytes(cyclonedx), annotations: {} }],
    { artifactType: CYCLONEDX_TYPE, subject },
  );
  sources['bogus'] = await signer.pushLayersManifest(
    target,
    repository,
    'sbom-bogus',
    [{ mediaType: SPDX_TYPE, payload: bytes({ not: 'spdx' }), annotations: {} }],
    { artifactType: SPDX_TYPE, subject },
  );
  const sizeOf = async (manifest: string) =>
    (await backend.api.call('registry.manifest', { reference: `${host}/${repository}@${manifest}` })).size;
  await signer.pushFallbackIndex(target, repository, digest, [
    { digest: sources['cyclonedx'], size: await sizeOf(sources['cyclonedx']), artifactType: CYCLONEDX_TYPE },
    { digest: sources['bogus'], size: await sizeOf(sources['bogus']), artifactType: SPDX_TYPE },
  ]);
  const key = signer.keyPair('p256');
  sources['spdx'] = `${digest.replace(':', '-')}.att`;
  await signer.pushLayersManifest(target, repository, sources['spdx'], [
    {
      mediaType: signer.DSSE,
      payload: signer.dsseEnvelope(key.privateKey, digest, 'https://spdx.dev/Document/v2.3', spdx),
      annotations: {},
    },
  ]);
  await backend.api.call('trust.savePolicy', {
    policy: {
      name: 'sbom ui test',
      registry: host,
      namespace: repository,
      required: true,
      keys: [{ name: 'ci', pem: key.publicPem }],
      identities: [],
      trustedRoots: [],
      notationCAs: [],
      checkReference: false,
      acceptedReferences: [],
    },
  });
});
afterAll(async () => {
  restoreSize?.();
  await backend?.close();
});
afterEach(cleanup);

const cells = (table: HTMLElement) =>
  within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent),
    );

it('the Trust tab lists each attached SBOM with its format, source, verification and package table', async () => {
  render(
    <ApiProvider api={backend.api}>
      <ImageView reference={`${seededWorld().anonymous.host}/${repository}:1.0`} />
    </ApiProvider>,
  );
  fireEvent.click(await screen.findByRole('tab', { name: 'Trust' }, { timeout: 30_000 }));
  const region = await screen.findByRole('region', { name: 'Attached SBOMs' }, { timeout: 30_000 });

  const cyclonedx = await within(region).findByRole('article', { name: 'CycloneDX SBOM' }, { timeout: 30_000 });
  expect(cyclonedx.getAttribute('data-verification')).toBe('unverified');
  expect(cyclonedx.textContent).toContain('OCI referrer');
  expect(cyclonedx.textContent).toContain(sources['cyclonedx']);
  expect(cyclonedx.textContent).toContain('nothing signs it');
  expect(cells(within(cyclonedx).getByRole('table', { name: `Packages of ${sources['cyclonedx']}` }))).toEqual([
    ['left-pad', '1.3.0', '—', 'pkg:npm/left-pad@1.3.0'],
    ['lodash', '4.17.21', 'MIT', '—'],
  ]);

  const spdx = within(region).getByRole('article', { name: 'SPDX SBOM' });
  expect(spdx.getAttribute('data-verification')).toBe('verified');
  expect(spdx.textContent).toContain('in-toto attestation (DSSE)');
  expect(spdx.textContent).toContain(sources['spdx']);
  expect(cells(within(spdx).getByRole('table', { name: `Packages of ${sources['spdx']}` }))).toEqual([
    ['libc6', '2.36-9+deb12u4', '—', '—'],
  ]);

  expect(within(region).getByTestId('sbom-problems').textContent).toContain(
    `${sources['bogus']}: the document is not SPDX JSON`,
  );
  // Packages are shown as a table, not the raw document.
  expect(region.textContent).not.toContain('bomFormat');
});
