// The Electron shell: app lifecycle, the shellState.window, security handlers and ipcMain <-> api. No business logic:
// everything here is wiring of Electron objects to modules that tests exercise with plain objects.
import ElectronStore from 'electron-store';
import {
  app,
  BrowserWindow,
  clipboard,
  ipcMain,
  Menu,
  screen,
  session,
  shell,
  type MenuItemConstructorOptions,
} from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend } from '../api/backend';
import { EVENT_CHANNEL } from './channels';
import { deepLinkFromArgv, deepLinkPath, PROTOCOL } from './deep-link';
import { registerIpc } from './ipc';
import { buildMenu } from './menu';
import { createAppUrlCheck, externalUrlAllowed, rendererUrl } from './navigation';
import { applySessionSecurity, applyWebContentsSecurity } from './security';
import { DESKTOP_CSP, mainWindowOptions } from './window-options';
import { fitToDisplays, loadWindowState, saveWindowState } from './window-state';

const here = dirname(fileURLToPath(import.meta.url));
const pageUrl = rendererUrl(app, process.env, join(here, '../renderer/index.html'));
const isAppUrl = createAppUrlCheck(pageUrl);
const openExternal = (url: string) => {
  if (externalUrlAllowed(url)) void shell.openExternal(url);
};

app.enableSandbox();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.setAsDefaultProtocolClient(PROTOCOL);
  void start();
}

async function start(): Promise<void> {
  // Set once the app is ready; the handlers below are registered earlier and may fire before that.
  const shellState: { window?: BrowserWindow } = {};
  let pendingLink = deepLinkFromArgv(process.argv);
  const sendDeepLink = (link: string) => {
    if (shellState.window && !shellState.window.webContents.isLoading())
      shellState.window.webContents.send(EVENT_CHANNEL, 'app.deepLink', { path: deepLinkPath(link) });
    else pendingLink = link;
  };
  // A second start focuses this window and passes its berth:// link along.
  app.on('second-instance', (_event, argv) => {
    if (shellState.window?.isMinimized()) shellState.window.restore();
    shellState.window?.focus();
    const link = deepLinkFromArgv(argv);
    if (link) sendDeepLink(link);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    sendDeepLink(url);
  });
  app.on('web-contents-created', (_event, contents) => applyWebContentsSecurity(contents, isAppUrl, openExternal));

  await app.whenReady();
  const backend = await createBackend({
    transport: 'electron',
    paths: { configDir: app.getPath('userData'), logDir: app.getPath('logs') },
    // The same settings file the CLI reads through conf, written here by electron-store.
    settingsBackend: (options) => new ElectronStore<Record<string, unknown>>(options),
  });
  registerIpc(ipcMain, backend.dispatcher, isAppUrl);
  applySessionSecurity(session.defaultSession, isAppUrl);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [DESKTOP_CSP] } });
  });

  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const remembered = loadWindowState(stateFile);
  const bounds =
    remembered &&
    fitToDisplays(
      remembered.bounds,
      screen.getAllDisplays().map((d) => d.workArea),
    );
  const window = new BrowserWindow({ ...mainWindowOptions(join(here, '../preload')), ...(bounds ?? {}) });
  shellState.window = window;
  if (remembered?.maximized) window.maximize();
  window.on('close', () => {
    if (window) saveWindowState(stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
  });

  const navigate = (path: string) => window?.webContents.send(EVENT_CHANNEL, 'app.deepLink', { path });
  const menu = buildMenu(process.platform, {
    navigate,
    copyDiagnostics: () => {
      void backend.dispatcher
        .call('app.diagnostics', {}, () => undefined)
        .then((outcome) => {
          if (outcome.ok) clipboard.writeText((outcome.value as { text: string }).text);
        });
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(menu as MenuItemConstructorOptions[]));

  window.once('ready-to-show', () => window?.show());
  window.webContents.on('did-finish-load', () => {
    if (pendingLink) sendDeepLink(pendingLink);
    pendingLink = undefined;
  });
  await window.loadURL(pageUrl);

  app.on('window-all-closed', () => {
    void backend.close().finally(() => app.quit());
  });
}
