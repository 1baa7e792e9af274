/**
 * The Electron security check of `npm test`: a static reading of the code and the packaging configuration
 * that fails the suite when a setting from Electron's security checklist regresses.
 * (Doyensec's electronegativity needs the network to resolve Electron releases, which these machines lack.)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|tsx)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('Electron security configuration', () => {
  const all = sources('src').map((file) => ({ file, text: read(file) }));

  it.each([
    [/nodeIntegration\w*\s*:\s*true/, 'nodeIntegration enabled'],
    [/contextIsolation\s*:\s*false/, 'contextIsolation disabled'],
    [/sandbox\s*:\s*false/, 'sandbox disabled'],
    [/webSecurity\s*:\s*false/, 'webSecurity disabled'],
    [/allowRunningInsecureContent\s*:\s*true/, 'insecure content allowed'],
    [/experimentalFeatures\s*:\s*true/, 'experimental features on'],
    [/webviewTag\s*:\s*true/, '<webview> enabled'],
    [/enableBlinkFeatures/, 'Blink features enabled'],
    [/disable-web-security|ignore-certificate-errors/, 'a Chromium switch that drops web security'],
    [/unsafe-eval/, "CSP with 'unsafe-eval'"],
    [/\beval\(|new Function\(/, 'eval'],
  ])('no source enables %s', (pattern, what) => {
    const offenders = all.filter(({ text }) => pattern.test(text)).map(({ file }) => file);
    expect(offenders, `${what} in ${offenders.join(', ')}`).toEqual([]);
  });

  it('imports electron only in the shell', () => {
    const offenders = all.filter(
      ({ file, text }) => !file.startsWith(join('src', 'main', 'shell')) && /from ['"]electron['"]/.test(text),
    );
    expect(offenders.map((o) => o.file)).toEqual([]);
  });

  it('exposes only the contract in the preload, never ipcRenderer itself', () => {
    const preload = read('src/main/shell/preload.ts');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toContain("exposeInMainWorld('berth'");
    expect(preload).toMatch(/isRequestName\(name\)/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    expect(preload).not.toMatch(/ipcRenderer\.(send|sendSync|postMessage)\(/);
  });

  it('wires every handler of the checklist in the shell', () => {
    const main = read('src/main/shell/main.ts');
    for (const needle of [
      'app.enableSandbox()',
      'requestSingleInstanceLock()',
      'setAsDefaultProtocolClient(PROTOCOL)',
      'applySessionSecurity(session.defaultSession, isAppUrl)',
      "app.on('web-contents-created', (_event, contents) => applyWebContentsSecurity(contents, isAppUrl, openExternal))",
      'registerIpc(ipcMain, backend.dispatcher, isAppUrl)',
      "'Content-Security-Policy': [DESKTOP_CSP]",
      'mainWindowOptions(',
    ]) {
      expect(main).toContain(needle);
    }
    // shell.openExternal only behind the https check
    expect(main.match(/shell\.openExternal\(/g)).toHaveLength(1);
    expect(main).toMatch(/if \(externalUrlAllowed\(url\)\) void shell\.openExternal\(url\)/);
  });
});

describe('installer configuration (electron-builder.json)', () => {
  const config = JSON.parse(read('electron-builder.json'));
  const pkg = JSON.parse(read('package.json'));

  it('names the app and registers the berth:// protocol, with no file associations', () => {
    expect(config.appId).toBe('dev.berth.desktop');
    expect(config.productName).toBe('Berth');
    expect(config.protocols).toEqual([{ name: 'Berth', schemes: ['berth'] }]);
    expect(config.fileAssociations).toEqual([]);
    expect(config.linux.desktop.entry.MimeType).toBe('x-scheme-handler/berth;');
  });

  it('packs the built app into asar, unpacks the native keychain module, and rebuilds it for Electron', () => {
    expect(config.files).toEqual(
      expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', 'package.json']),
    );
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/node_modules/keytar/**/*.node');
    // Native modules load their binary from a real folder, not from inside the asar archive.
    expect(config.asarUnpack).toContain('**/node_modules/classic-level/**/*.node');
    expect(config.npmRebuild).toBe(true);
    expect(pkg.main).toBe('out/main/index.js');
    // Optional, so `npm install` succeeds where its native build cannot run; `npm run dist` refuses to pack without it.
    expect(pkg.optionalDependencies.keytar).toBeDefined();
    expect(pkg.dependencies.keytar).toBeUndefined();
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(
      pkg.dependencies.react,
      'renderer libraries are bundled by vite, not shipped in node_modules',
    ).toBeUndefined();
  });

  it('targets AppImage+deb, dmg and nsis', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target[0].target).toBe('dmg');
    expect(config.win.target[0].target).toBe('nsis');
    expect(pkg.scripts.dist).toMatch(/^node scripts\/check-keychain-binding\.mjs && .*electron-builder/);
  });

  it('flips the fuses after packaging', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('has every icon size, generated from the vector original', () => {
    expect(statSync(join(root, 'assets', 'icon.svg')).isFile()).toBe(true);
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      const png = readFileSync(join(root, config.linux.icon, `${size}x${size}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
    const mac = readFileSync(join(root, config.mac.icon));
    expect(mac.readUInt32BE(16)).toBe(1024);
    const ico = readFileSync(join(root, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1); // ICO type
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(7); // images inside, up to 256 px
  });
});
