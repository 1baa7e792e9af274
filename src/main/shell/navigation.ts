import { pathToFileURL } from 'node:url';

/** Hosts a dev server may be on: the loopback names and addresses (URL normalises 127.1 to 127.0.0.1). */
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * The page the window loads. electron-vite sets ELECTRON_RENDERER_URL to its dev server in `electron-vite dev`;
 * a packaged app always loads its own file, whatever the environment says (otherwise anyone who can set a
 * variable for the user could point the app, and its IPC bridge, at another page). In development the URL
 * must be http(s) on loopback, as the dev server is.
 */
export function rendererUrl(
  app: { isPackaged: boolean },
  env: Readonly<Record<string, string | undefined>>,
  indexHtml: string,
): string {
  const fileUrl = pathToFileURL(indexHtml).href;
  const devUrl = env.ELECTRON_RENDERER_URL;
  if (app.isPackaged || !devUrl) return fileUrl;
  let url: URL;
  try {
    url = new URL(devUrl);
  } catch {
    throw new Error(`ELECTRON_RENDERER_URL is not a URL: ${JSON.stringify(devUrl)}`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !LOOPBACK_HOST.test(url.hostname)) {
    throw new Error(`ELECTRON_RENDERER_URL must be an http(s) URL on loopback (the dev server), not ${url.href}`);
  }
  return url.href;
}

/** Whether a URL is one of the app's own pages (the packaged file:// renderer or the dev server). */
export function createAppUrlCheck(rendererUrl: string): (url: string) => boolean {
  const app = new URL(rendererUrl);
  return (url: string) => {
    try {
      const candidate = new URL(url);
      if (app.protocol === 'file:') return candidate.protocol === 'file:' && candidate.pathname === app.pathname;
      return candidate.origin === app.origin;
    } catch {
      return false;
    }
  };
}

/** Links leave the app only to the system browser, and only over https (http stays blocked). */
export function externalUrlAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
