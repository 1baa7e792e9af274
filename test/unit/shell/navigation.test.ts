import { describe, expect, it } from 'vitest';
import { rendererUrl } from '../../../src/main/shell/navigation';

describe('the page the window loads', () => {
  const indexHtml = '/opt/Berth/resources/app.asar/out/renderer/index.html';
  const fileUrl = 'file:///opt/Berth/resources/app.asar/out/renderer/index.html';
  const devServer = { ELECTRON_RENDERER_URL: 'http://localhost:5173/' };

  it('is always the packaged file in a packaged app, whatever ELECTRON_RENDERER_URL says', () => {
    expect(rendererUrl({ isPackaged: true }, devServer, indexHtml)).toBe(fileUrl);
    expect(rendererUrl({ isPackaged: true }, { ELECTRON_RENDERER_URL: 'https://evil.example/' }, indexHtml)).toBe(
      fileUrl,
    );
    expect(rendererUrl({ isPackaged: true }, {}, indexHtml)).toBe(fileUrl);
  });

  it('is the electron-vite dev server in development, and the built file without one', () => {
    expect(rendererUrl({ isPackaged: false }, devServer, indexHtml)).toBe('http://localhost:5173/');
    expect(rendererUrl({ isPackaged: false }, { ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173' }, indexHtml)).toBe(
      'http://127.0.0.1:5173/',
    );
    expect(rendererUrl({ isPackaged: false }, { ELECTRON_RENDERER_URL: 'https://[::1]:5173/' }, indexHtml)).toBe(
      'https://[::1]:5173/',
    );
    expect(rendererUrl({ isPackaged: false }, {}, indexHtml)).toBe(fileUrl);
    expect(rendererUrl({ isPackaged: false }, { ELECTRON_RENDERER_URL: '' }, indexHtml)).toBe(fileUrl);
  });

  it('refuses a dev URL that is not http(s) on loopback', () => {
    for (const url of [
      'https://evil.example/',
      'http://localhost.evil.example:5173/',
      'http://192.168.1.2:5173/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'localhost:5173',
    ]) {
      expect(() => rendererUrl({ isPackaged: false }, { ELECTRON_RENDERER_URL: url }, indexHtml), url).toThrow(
        /ELECTRON_RENDERER_URL/,
      );
    }
  });

  it('escapes the file path as a URL', () => {
    expect(rendererUrl({ isPackaged: true }, {}, '/Applications/Berth #2/index.html')).toBe(
      'file:///Applications/Berth%20%232/index.html',
    );
  });
});
