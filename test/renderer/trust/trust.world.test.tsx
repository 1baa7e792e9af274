// @vitest-environment jsdom
/**
 * Trust in the UI on the real backend and the world's registry (distribution 2.8, no referrers API): the tag
 * table shows the `.sig` tag as a mark on its image (not a row of its own) and a signature state per tag
 * (verified by whom / unsigned / invalid with its reason); the image view's Trust tab lists the signature
 * with its signer and payload; the Referrers tab says the registry has no referrers API and lists the
 * cosign tag instead of "No referrers".
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useRegistries } from '../../../src/renderer/stores/registries';
import { RepositoryView } from '../../../src/renderer/views/browse/RepositoryView';
import { ImageView } from '../../../src/renderer/views/image/ImageView';
import type { RegistryView } from '../../../src/shared/types/settings';
import { giveElementsASize } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';

/** test/integration/trust/signer.ts, loaded at run time (Node crypto; the renderer typecheck has no Node types). */
interface Signer {
  keyPair(type: 'p256'): { privateKey: unknown; publicPem: string };
  signBytes(key: unknown, data: Uint8Array): Uint8Array;
  simpleSigningPayload(dockerReference: string, digest: string): Uint8Array;
  cosignLayer(payload: Uint8Array, signature: Uint8Array): unknown;
  pushLayersManifest(
    target: { host: string },
    repository: string,
    reference: string,
    layers: unknown[],
  ): Promise<string>;
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

let backend: RealBackend;
let registry: RegistryView;
let restoreSize: () => void;
const repository = `scratch-trust-ui-${Math.random().toString(16).slice(2, 10)}/app`;
const digests: Record<string, string> = {};

beforeAll(async () => {
  restoreSize = giveElementsASize(700, 1400);
  const signer = (await import(/* @vite-ignore */ SIGNER_MODULE)) as Signer;
  const images = (await import(/* @vite-ignore */ IMAGES_MODULE)) as Images;
  const host = seededWorld().anonymous.host;
  const target = { host };
  for (const tag of ['signed', 'unsigned', 'lying'])
    digests[tag] = (await images.pushUniqueImage(target, repository, tag, 1)).digest;
  const key = signer.keyPair('p256');
  const sign = async (subject: string, named: string) => {
    const payload = signer.simpleSigningPayload(`${host}/${repository}`, named);
    await signer.pushLayersManifest(target, repository, `${subject.replace(':', '-')}.sig`, [
      signer.cosignLayer(payload, signer.signBytes(key.privateKey, payload)),
    ]);
  };
  await sign(digests['signed']!, digests['signed']!);
  await sign(digests['lying']!, digests['signed']!);
  backend = await startRealBackend();
  registry = await addWorldRegistry(backend.api, host);
  await backend.api.call('trust.savePolicy', {
    policy: {
      name: 'ui test',
      registry: host,
      namespace: repository,
      required: true,
      keys: [{ name: 'release key', pem: key.publicPem }],
      identities: [],
      trustedRoots: [],
      notationCAs: [],
      checkReference: false,
      acceptedReferences: [],
    },
  });
  await useRegistries.of(backend.api).getState().load();
});
afterAll(async () => {
  restoreSize?.();
  await backend?.close();
});
afterEach(cleanup);

const row = (tag: string) =>
  screen.getByRole('grid', { name: 'Tags' }).querySelector<HTMLElement>(`[role=row][data-row-key="${tag}"]`);

describe('trust in the tag table', () => {
  it('shows signature tags on their image, and a state per tag', async () => {
    render(
      <ApiProvider api={backend.api}>
        <RepositoryView registryId={registry.id} repository={repository} />
      </ApiProvider>,
    );
    await screen.findByRole('grid', { name: 'Tags' }, { timeout: 30_000 });
    await waitFor(() => expect(row('signed')?.querySelector('[data-trust-state=verified]')).toBeTruthy(), {
      timeout: 30_000,
    });
    const rowKeys = Array.from(
      screen.getByRole('grid', { name: 'Tags' }).querySelectorAll<HTMLElement>('[role=row][data-row-key]'),
    ).map((r) => r.dataset.rowKey);
    expect(rowKeys.sort()).toEqual(['lying', 'signed', 'unsigned']);
    expect(screen.getByTestId('tag-count').textContent).toBe('3 tags · 2 attached (signatures, attestations, SBOMs)');
    expect(row('signed')!.querySelector('[data-trust-state]')!.textContent).toBe('Verified · release key');
    expect(row('signed')!.querySelector('[data-attached]')!.getAttribute('data-attached')).toBe('signature');
    await waitFor(() => expect(row('unsigned')?.querySelector('[data-trust-state=unsigned]')).toBeTruthy(), {
      timeout: 30_000,
    });
    await waitFor(() => expect(row('lying')?.querySelector('[data-trust-state=invalid]')).toBeTruthy(), {
      timeout: 30_000,
    });
    expect(row('lying')!.querySelector('[data-trust-state]')!.getAttribute('title')).toContain(
      `names ${digests['signed']}`,
    );
  });
});

describe('trust in the image view', () => {
  it('the Trust tab lists the signature with its signer and payload; the Referrers tab shows the cosign tag', async () => {
    render(
      <ApiProvider api={backend.api}>
        <ImageView reference={`${seededWorld().anonymous.host}/${repository}:signed`} />
      </ApiProvider>,
    );
    fireEvent.click(await screen.findByRole('tab', { name: 'Trust' }, { timeout: 30_000 }));
    const region = await screen.findByRole('region', { name: 'Trust' }, { timeout: 30_000 });
    const card = await within(region).findByRole('article', { name: 'cosign signature' });
    expect(card.getAttribute('data-state')).toBe('verified');
    expect(card.textContent).toContain('release key');
    expect(card.textContent).toContain(digests['signed']);
    expect(within(region).getByTestId('trust-verdict').textContent).toContain('Verified');
    expect(region.textContent).toContain('no OCI referrers API');

    fireEvent.click(screen.getByRole('tab', { name: 'Referrers' }));
    expect((await screen.findByTestId('no-referrers-api', {}, { timeout: 30_000 })).textContent).toContain(
      'answered 404',
    );
    const cosign = await screen.findByRole('region', { name: 'Cosign tags' });
    expect(cosign.textContent).toContain(`${digests['signed']!.replace(':', '-')}.sig`);
    expect(screen.queryByText('No referrers')).toBeNull();
  });
});
