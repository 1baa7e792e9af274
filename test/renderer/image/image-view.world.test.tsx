// @vitest-environment jsdom
/**
 * Every state of the image view: loading, each kind of error with its next step, a malformed reference,
 * and on the real backend a single image (overview, config, layers with history, manifest with digest
 * links), a multi-arch index and one of its platforms, referrers listed by type and none.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../src/renderer/api/context';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { useRegistries } from '../../../src/renderer/stores/registries';
import { useUi } from '../../../src/renderer/stores/ui';
import { ImageView } from '../../../src/renderer/views/image/ImageView';
import type { BerthApi } from '../../../src/shared/contract';
import { BerthError } from '../../../src/shared/errors';
import type { RegistryView } from '../../../src/shared/types/settings';
import { deferred, scriptedApi } from '../promote/scripted-api';
import { addWorldRegistry, seededWorld, startRealBackend, type RealBackend } from '../support/backend';

afterEach(cleanup);

const HOST = '127.0.0.1:5999';
const registry: RegistryView = {
  id: 'r1',
  name: 'Local',
  host: HOST,
  kind: 'distribution',
  insecure: false,
  environments: [],
  repositories: [],
  credential: { source: 'none' },
};

function renderImage(api: BerthApi, reference: string, platform?: string) {
  return render(
    <ApiProvider api={api}>
      <ImageView reference={reference} platform={platform} />
    </ApiProvider>,
  );
}

describe('image view states (scripted answers)', () => {
  it('shows what it is reading while the manifest loads', async () => {
    const pending = deferred<never>();
    const api = scriptedApi({ 'registry.inspect': () => pending.promise });
    renderImage(api, `${HOST}/dev/app:1.0.0`);
    expect((await screen.findByTestId('loading-state')).textContent).toContain('Reading dev/app:1.0.0');
  });

  it('offers sign-in when the registry wants credentials, for the registry of the image', async () => {
    const api = scriptedApi({
      'registries.list': () => [registry],
      'registries.status': () => ({ id: 'r1', reachable: true, authenticated: false }),
      'registry.inspect': () => {
        throw new BerthError('unauthorized', `${HOST} asks for a sign-in to read dev/app.`);
      },
    });
    await useRegistries.of(api).getState().load();
    renderImage(api, `${HOST}/dev/app:1.0.0`);
    const error = await screen.findByTestId('error-state');
    expect(error.dataset.errorCode).toBe('unauthorized');
    expect(error.textContent).toContain('Sign-in required');
    expect(error.textContent).toContain('asks for a sign-in');
    fireEvent.click(within(error).getByRole('button', { name: 'Sign in…' }));
    expect(useUi.of(api).getState().dialog).toEqual({ kind: 'signIn', registryId: 'r1' });
  });

  it('says what is missing and retries on request', async () => {
    let attempts = 0;
    const api = scriptedApi({
      'registry.inspect': () => {
        attempts++;
        throw new BerthError('not_found', 'dev/app:9.9.9 does not exist.');
      },
    });
    renderImage(api, `${HOST}/dev/app:9.9.9`);
    const error = await screen.findByTestId('error-state');
    expect(error.textContent).toContain('Not found');
    expect(error.textContent).toContain('dev/app:9.9.9 does not exist.');
    // No configured registry matches: the view offers settings instead of a sign-in it cannot do.
    expect(within(error).queryByRole('button', { name: 'Sign in…' })).toBeNull();
    fireEvent.click(within(error).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(attempts).toBe(2));
  });

  it('tells when a rate limit resets', async () => {
    const api = scriptedApi({
      'registry.inspect': () => {
        throw new BerthError('rate_limited', 'Docker Hub pull limit reached.', { retryAfterSeconds: 3600 });
      },
    });
    renderImage(api, `docker.io/library/alpine:3`);
    const error = await screen.findByTestId('error-state');
    expect(error.textContent).toContain('Rate limit reached');
    expect(error.textContent).toMatch(/The limit resets at \d\d:\d\d:\d\d\./);
  });

  it('explains a malformed reference without asking main', () => {
    const api = scriptedApi({});
    renderImage(api, 'Not A Reference!');
    expect(screen.getByTestId('error-state').dataset.errorCode).toBe('invalid_input');
    expect(api.calls).toEqual([]);
  });

  it('shows a referrers failure in its tab without losing the image', async () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const api = scriptedApi({
      'registry.inspect': () => ({
        manifest: {
          reference: `${HOST}/a/b:1`,
          registry: HOST,
          repository: 'a/b',
          tag: '1',
          digest,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          kind: 'oci-manifest',
          size: 2,
          layers: [],
          raw: '{}',
        },
        layers: [],
        compressedSize: 0,
      }),
      'registry.referrers': () => {
        throw new BerthError('unreachable', `${HOST} did not answer.`);
      },
    });
    renderImage(api, `${HOST}/a/b:1`);
    fireEvent.click(await screen.findByRole('tab', { name: 'Referrers' }));
    expect((await screen.findByTestId('error-state')).textContent).toContain('did not answer');
    expect(screen.getByTestId('image-digest').textContent).toContain(digest);
    // An image without config or layers says so in those tabs.
    fireEvent.click(screen.getByRole('tab', { name: 'Config' }));
    expect(screen.getByTestId('empty-state').textContent).toContain('No image config');
    fireEvent.click(screen.getByRole('tab', { name: /Layers/ }));
    expect(screen.getByTestId('empty-state').textContent).toContain('No layers');
  });
});

describe('image view on the real registry', () => {
  let backend: RealBackend;
  let host: string;
  beforeAll(async () => {
    backend = await startRealBackend();
    host = seededWorld().anonymous.host;
    await addWorldRegistry(backend.api, host);
    await useRegistries.of(backend.api).getState().load();
  });
  afterAll(async () => backend?.close());

  it('shows a single image: overview, config, layers beside their history steps, manifest with digest links', async () => {
    const seed = seededWorld().seed;
    const image = seed.images['dev/app:1.1.0']!;
    renderImage(backend.api, `${host}/dev/app:1.1.0`);
    await screen.findByRole('tab', { name: 'Overview', selected: true }, { timeout: 30_000 });
    expect(screen.getByTestId('image-digest').textContent).toContain(seed.manifests['dev/app:1.1.0']!.digest);
    const props = screen.getByLabelText('Image properties');
    expect(props.textContent).toContain(seed.manifests['dev/app:1.1.0']!.mediaType);
    expect(props.textContent).toContain(`in ${image.layers.length} layers`);
    expect(
      within(screen.getByRole('table', { name: 'Labels' }))
        .getByText('org.opencontainers.image.version')
        .closest('tr')!.textContent,
    ).toContain('1.1.0');

    fireEvent.click(screen.getByRole('tab', { name: 'Config' }));
    const config = screen.getByLabelText('Config properties');
    expect(config.textContent).toContain('["/opt/app/bin/app"]');
    expect(config.textContent).toContain('8080/tcp');
    expect(within(screen.getByRole('table', { name: 'Environment' })).getByText('PATH')).toBeTruthy();

    fireEvent.click(screen.getByRole('tab', { name: /Layers/ }));
    const layers = screen.getByRole('table', { name: 'Layers' });
    const layerRows = Array.from(layers.querySelectorAll<HTMLElement>('tbody tr[data-layer-digest]'));
    expect(layerRows.map((r) => r.dataset.layerDigest)).toEqual(image.layers.map((l) => l.digest));
    // Metadata steps (ENV, CMD...) sit between the layers, without a layer of their own.
    expect(layers.querySelectorAll('tbody tr.empty-step').length).toBeGreaterThan(0);
    expect(layerRows[0]!.textContent).toMatch(/ADD/);

    fireEvent.click(screen.getByRole('tab', { name: 'Manifest' }));
    const json = screen.getByRole('region', { name: 'Manifest JSON' });
    const links = Array.from(json.querySelectorAll<HTMLButtonElement>('button[data-digest]')).map(
      (b) => b.dataset.digest,
    );
    expect(links).toEqual([image.config.digest, ...image.layers.map((l) => l.digest)]);
    fireEvent.click(json.querySelector(`button[data-digest="${image.config.digest}"]`)!);
    expect(screen.getByRole('tab', { name: 'Config', selected: true })).toBeTruthy();
    fireEvent.click(screen.getByRole('tab', { name: 'Manifest' }));
    fireEvent.click(
      screen
        .getByRole('region', { name: 'Manifest JSON' })
        .querySelector(`button[data-digest="${image.layers[1]!.digest}"]`)!,
    );
    expect(screen.getByRole('tab', { name: /Layers/, selected: true })).toBeTruthy();
    expect(
      screen.getByRole('table', { name: 'Layers' }).querySelector('tr.highlight')!.getAttribute('data-layer-digest'),
    ).toBe(image.layers[1]!.digest);
  });

  it('shows a multi-arch index with its platforms, the default one, and each platform by choice', async () => {
    const platforms = seededWorld().seed.platforms['dev/multi:1.0']!;
    const reference = `${host}/dev/multi:1.0`;
    const { unmount } = renderImage(backend.api, reference);
    const group = await screen.findByRole('group', { name: 'Platforms' }, { timeout: 30_000 });
    expect(
      within(group)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual([expect.stringContaining('linux/amd64'), expect.stringContaining('linux/arm64/v8')]);
    expect(screen.getByLabelText('Image properties').textContent).toContain('OCI image index');
    unmount();

    renderImage(backend.api, reference, 'linux/arm64/v8');
    const chosen = await screen.findByRole('button', { name: 'linux/arm64/v8', pressed: true }, { timeout: 30_000 });
    expect(chosen).toBeTruthy();
    expect(screen.getByLabelText('Image properties').textContent).toContain(
      platforms['linux/arm64/v8']!.digest.slice(0, 19),
    );
    // A platform's digest opens that manifest on its own.
    const platformList = screen.getByRole('list', { name: 'Platform manifests' });
    fireEvent.click(platformList.querySelector(`button[data-digest="${platforms['linux/amd64']!.digest}"]`)!);
    expect(useNavigation.getState().route).toEqual({
      view: 'image',
      reference: `${host}/dev/multi@${platforms['linux/amd64']!.digest}`,
    });
  });

  it('lists referrers by type, and says when there are none', async () => {
    const seed = seededWorld().seed;
    const { unmount } = renderImage(backend.api, `${host}/dev/app:1.0.0`);
    fireEvent.click(await screen.findByRole('tab', { name: 'Referrers' }, { timeout: 30_000 }));
    const signatures = await screen.findByRole('region', { name: 'Signatures' }, { timeout: 30_000 });
    expect(signatures.querySelector(`button[data-digest="${seed.referrers.signature.digest}"]`)).not.toBeNull();
    expect(
      screen
        .getByRole('region', { name: 'SBOMs' })
        .querySelector(`button[data-digest="${seed.referrers.sbom.digest}"]`),
    ).not.toBeNull();
    unmount();

    renderImage(backend.api, `${host}/test/app:1.0.0`);
    fireEvent.click(await screen.findByRole('tab', { name: 'Referrers' }, { timeout: 30_000 }));
    expect((await screen.findByTestId('empty-state', {}, { timeout: 30_000 })).textContent).toContain('No referrers');
  });
});
