// @vitest-environment jsdom
/**
 * Choosing a Docker engine over plain TCP off loopback (issue 13 d): the settings ask first, saying what such
 * an engine exposes; Cancel keeps the engine in use, "Use it anyway" sends the confirmation and the engine is
 * used. The engine is the test world's dockerd behind a plain TCP forwarder on 127.0.0.1, reached as
 * tcp://0.0.0.0:PORT: not a loopback address, so Berth asks, while Linux connects 0.0.0.0 to this host
 * itself (over lo), so nothing leaves the machine.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useNavigation } from '../../../src/renderer/navigation/store';
import { seededWorld, startRealBackend, type RealBackend } from '../support/backend';
import { renderApp } from '../support/render-app';

/** Node-only helper, loaded through a path in a variable so that the renderer's typecheck never reads it. */
const FORWARDER_MODULE = '../../integration/docker/tcp-forwarder';
interface Forwarder {
  port: number;
  close(): Promise<void>;
}

const LONG = { timeout: 30_000 };
let forwarder: Forwarder;
let backend: RealBackend | undefined;

beforeAll(async () => {
  const { forwardTcp } = (await import(/* @vite-ignore */ FORWARDER_MODULE)) as {
    forwardTcp(socketPath: string): Promise<Forwarder>;
  };
  forwarder = await forwardTcp(seededWorld().dockerd.host.replace(/^unix:\/\//, ''));
});

afterEach(async () => {
  cleanup();
  await backend?.close();
  backend = undefined;
});

afterAll(async () => {
  await forwarder?.close();
});

function setEngineCalls(): unknown[] {
  return backend!.calls.filter((call) => call.name === 'docker.setEngine').map((call) => call.input);
}

describe('a remote engine over plain TCP in settings', () => {
  it('asks first, explaining the risk; Cancel keeps the engine, "Use it anyway" switches to it', async () => {
    const world = seededWorld();
    backend = await startRealBackend({ env: { DOCKER_HOST: world.dockerd.host } });
    useNavigation.getState().navigate({ view: 'settings' });
    renderApp(backend.api);
    await waitFor(() => expect(screen.getByTestId('engine-info').textContent).toContain(world.dockerd.host), LONG);
    const remote = `tcp://0.0.0.0:${forwarder.port}`;

    const ask = async () => {
      fireEvent.change(screen.getByLabelText('Engine address'), { target: { value: remote } });
      fireEvent.click(screen.getByRole('button', { name: 'Use this engine' }));
      return screen.findByRole('dialog', { name: 'Use an unprotected remote engine?' }, LONG);
    };

    let dialog = await ask();
    expect(dialog.textContent).toContain(`${remote} is reached over plain TCP, without TLS.`);
    const risks = within(dialog).getByTestId('insecure-engine-risks').textContent ?? '';
    expect(risks).toContain('can read and change what Berth and the engine exchange');
    expect(risks).toContain('controls the engine');
    expect(risks).toContain('Berth will not send registry credentials to it');
    expect(dialog.textContent).toContain('DOCKER_TLS_VERIFY=1');
    expect(dialog.textContent).toContain('DOCKER_CERT_PATH');
    expect(within(dialog).getByRole('link', { name: 'Protect the Docker daemon socket' }).getAttribute('href')).toBe(
      'https://docs.docker.com/engine/security/protect-access/',
    );
    // Main refused it: the first request carried no confirmation, and nothing changed.
    expect(setEngineCalls()).toEqual([{ host: remote }]);
    expect(await backend.api.call('docker.engine', {})).toMatchObject({ host: world.dockerd.host, source: 'env' });

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId('engine-info').textContent).toContain(world.dockerd.host);
    expect(setEngineCalls()).toHaveLength(1);

    dialog = await ask();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Use it anyway' }));
    await waitFor(() => expect(screen.getByTestId('engine-info').textContent).toContain(remote), LONG);
    const info = screen.getByTestId('engine-info').textContent ?? '';
    expect(info).toContain('Chosen in Berth');
    expect(info).toMatch(/Docker Engine|Docker \d/);
    expect(info).toContain('Berth sends it no registry credentials');
    expect(setEngineCalls()).toEqual([{ host: remote }, { host: remote }, { host: remote, allowInsecureRemote: true }]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
