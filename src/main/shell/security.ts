import { externalUrlAllowed } from './navigation';

/**
 * Security handlers from Electron's checklist (https://www.electronjs.org/docs/latest/tutorial/security),
 * written against the few methods they use so unit tests pass plain objects instead of Electron's.
 */
export interface SessionLike {
  setPermissionRequestHandler(
    handler: (
      wc: unknown,
      permission: string,
      callback: (granted: boolean) => void,
      details: { requestingUrl?: string },
    ) => void,
  ): void;
  setPermissionCheckHandler(handler: (wc: unknown, permission: string, requestingOrigin: string) => boolean): void;
}

export interface WebContentsLike {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void,
  ): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Permissions the app itself uses, matched exactly (no prefix or suffix matching): writing to the clipboard
 * for the copy buttons. Everything else (camera, geolocation, notifications, ...) is denied.
 */
export const PERMISSION_ALLOWLIST: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function permissionAllowed(
  permission: string,
  requestingUrl: string | undefined,
  isAppUrl: (url: string) => boolean,
): boolean {
  return PERMISSION_ALLOWLIST.has(permission) && requestingUrl !== undefined && isAppUrl(requestingUrl);
}

export function applySessionSecurity(session: SessionLike, isAppUrl: (url: string) => boolean): void {
  session.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, isAppUrl)),
  );
  session.setPermissionCheckHandler((_wc, permission, origin) => permissionAllowed(permission, origin, isAppUrl));
}

/** Navigation stays inside the app; new windows never open; https links go to the system browser. */
export function applyWebContentsSecurity(
  contents: WebContentsLike,
  isAppUrl: (url: string) => boolean,
  openExternal: (url: string) => void,
): void {
  const blockForeign = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', blockForeign);
  contents.on('will-redirect', blockForeign);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (externalUrlAllowed(url)) openExternal(url);
    return { action: 'deny' };
  });
}
