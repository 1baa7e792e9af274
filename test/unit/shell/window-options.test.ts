import { describe, expect, it } from 'vitest';
import { DESKTOP_CSP, mainWindowOptions } from '../../../src/main/shell/window-options';

describe('main window options (Electron security checklist)', () => {
  const prefs = mainWindowOptions('/app/out/preload').webPreferences;

  it('isolates the renderer: context isolation, sandbox, no Node', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and risky features off', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
  });

  it('loads the sandboxed CommonJS preload that electron-vite builds', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
  });

  it('has a CSP that allows only the app itself and no network from the renderer', () => {
    expect(DESKTOP_CSP).toContain("default-src 'self'");
    expect(DESKTOP_CSP).toContain("script-src 'self'");
    expect(DESKTOP_CSP).toContain("connect-src 'none'");
    expect(DESKTOP_CSP).toContain("object-src 'none'");
    expect(DESKTOP_CSP).not.toContain('unsafe-eval');
    expect(DESKTOP_CSP).not.toMatch(/script-src[^;]*unsafe-inline/);
  });
});
