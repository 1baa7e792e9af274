import { describe, expect, it } from 'vitest';
import { createAppUrlCheck, externalUrlAllowed } from '../../../src/main/shell/navigation';
import {
  applySessionSecurity,
  applyWebContentsSecurity,
  permissionAllowed,
  type SessionLike,
  type WebContentsLike,
} from '../../../src/main/shell/security';

const isAppUrl = createAppUrlCheck('file:///opt/Berth/resources/app.asar/out/renderer/index.html');

function fakeContents() {
  const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
  let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
  const contents: WebContentsLike = {
    on: ((event: string, listener: (event: { preventDefault(): void }, url: string) => void) =>
      listeners.set(event, listener)) as WebContentsLike['on'],
    setWindowOpenHandler: (h) => (openHandler = h),
  };
  const fire = (event: string, url = '') => {
    let prevented = false;
    listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('navigation and window.open', () => {
  it('recognises only the app page itself as the app', () => {
    expect(isAppUrl('file:///opt/Berth/resources/app.asar/out/renderer/index.html')).toBe(true);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    const dev = createAppUrlCheck('http://localhost:5173/');
    expect(dev('http://localhost:5173/settings')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('http://localhost:5173.evil.example/')).toBe(false);
  });

  it('blocks navigation and redirects away from the app, and webviews', () => {
    const { contents, fire } = fakeContents();
    applyWebContentsSecurity(contents, isAppUrl, () => undefined);
    expect(fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fire('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(fire('will-navigate', 'file:///opt/Berth/resources/app.asar/out/renderer/index.html')).toBe(false);
    expect(fire('will-attach-webview')).toBe(true);
  });

  it('denies every new window and sends only https links to the system browser', () => {
    const opened: string[] = [];
    const { contents, open } = fakeContents();
    applyWebContentsSecurity(contents, isAppUrl, (url) => opened.push(url));
    for (const url of [
      'https://docs.docker.com/',
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
    ]) {
      expect(open(url)).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://docs.docker.com/']);
    expect(externalUrlAllowed('HTTPS://EXAMPLE.COM')).toBe(true);
    expect(externalUrlAllowed('')).toBe(false);
  });
});

describe('permissions', () => {
  it('grants only exact allowlisted permissions to the app page', () => {
    const app = 'file:///opt/Berth/resources/app.asar/out/renderer/index.html';
    expect(permissionAllowed('clipboard-sanitized-write', app, isAppUrl)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/', isAppUrl)).toBe(false);
    expect(permissionAllowed('clipboard-read', app, isAppUrl)).toBe(false);
    expect(permissionAllowed('media', app, isAppUrl)).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write-extra', app, isAppUrl)).toBe(false);
    expect(permissionAllowed('sanitized-write', app, isAppUrl)).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', undefined, isAppUrl)).toBe(false);
  });

  it('installs request and check handlers that deny by default', () => {
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] | undefined;
    let check: Parameters<SessionLike['setPermissionCheckHandler']>[0] | undefined;
    applySessionSecurity(
      { setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) },
      isAppUrl,
    );
    const answers: boolean[] = [];
    request?.({}, 'geolocation', (granted) => answers.push(granted), {
      requestingUrl: 'file:///opt/Berth/resources/app.asar/out/renderer/index.html',
    });
    request?.({}, 'notifications', (granted) => answers.push(granted), {});
    expect(answers).toEqual([false, false]);
    expect(check?.({}, 'openExternal', 'file:///opt/Berth/resources/app.asar/out/renderer/index.html')).toBe(false);
  });
});
