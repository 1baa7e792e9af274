// The Electron shell: app lifecycle, the window, security handlers and ipcMain <-> api. No business logic.
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from '../api/backend';
import { registerIpc } from './ipc';
import { createAppUrlCheck, externalUrlAllowed } from './navigation';
import { DESKTOP_CSP, mainWindowOptions } from './window-options';

const here = dirname(fileURLToPath(import.meta.url));
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? `file://${join(here, '../renderer/index.html')}`;
const isAppUrl = createAppUrlCheck(rendererUrl);

app.enableSandbox();

app.whenReady().then(async () => {
  const backend = await createBackend({ transport: 'electron', paths: { configDir: app.getPath('userData') } });
  registerIpc(ipcMain, backend.dispatcher, isAppUrl);

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [DESKTOP_CSP] } });
  });

  const window = new BrowserWindow(mainWindowOptions(join(here, '../preload')));
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (externalUrlAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  window.once('ready-to-show', () => window.show());
  await window.loadURL(rendererUrl);

  app.on('window-all-closed', () => {
    void backend.close().finally(() => app.quit());
  });
});
