import { join } from 'node:path';
// Vite (electron-vite's main build, and vitest) inlines the file's text at build time.
import rendererPage from '../../renderer/index.html?raw';

/** The main window's web preferences: the Electron security checklist, in one place that tests read. */
export function mainWindowOptions(preloadDir: string) {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Berth',
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  } as const;
}

/** The policy of a page's `<meta http-equiv="Content-Security-Policy">`; throws when it has none. */
export function metaContentSecurityPolicy(html: string): string {
  const tag = /<meta\b[^>]*\bhttp-equiv\s*=\s*["']?content-security-policy\b[^>]*>/i.exec(html)?.[0];
  const policy = tag === undefined ? undefined : /\bcontent\s*=\s*"([^"]*)"/i.exec(tag)?.[1]?.trim();
  if (!policy) throw new Error('The renderer page has no Content-Security-Policy meta tag');
  return policy;
}

/**
 * CSP header for the desktop window. The policy's one source is the page's meta tag (src/renderer/index.html,
 * which also guards the file:// page that a header may not reach); the header adds frame-ancestors, which a
 * meta policy ignores (CSP Level 3, section 3.3).
 */
export const DESKTOP_CSP = `${metaContentSecurityPolicy(rendererPage)}; frame-ancestors 'none'`;
