import { describe, expect, it } from 'vitest';
import { deepLinkFromArgv, deepLinkPath } from '../../../src/main/shell/deep-link';
import { parseRoute } from '../../../src/renderer/navigation/route';
import { fitToDisplays, loadWindowState, saveWindowState } from '../../../src/main/shell/window-state';
import { buildMenu, type MenuItem } from '../../../src/main/shell/menu';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('berth:// deep links', () => {
  it('finds the link among the arguments of a second start', () => {
    expect(deepLinkFromArgv(['/opt/Berth/berth', '--flag', 'berth://registries/r1'])).toBe('berth://registries/r1');
    expect(deepLinkFromArgv(['/opt/Berth/berth'])).toBeUndefined();
  });

  it('maps links to the same paths the serve UI uses', () => {
    expect(deepLinkPath('berth://registries/r1/repositories/dev/app')).toBe('/registries/r1/repositories/dev/app');
    expect(parseRoute(deepLinkPath('berth://registries/r1/repositories/dev/app'))).toEqual({
      view: 'repository',
      registryId: 'r1',
      repository: 'dev/app',
    });
    expect(parseRoute(deepLinkPath('berth://compare?a=x%3A1&b=x%3A2'))).toEqual({
      view: 'compare',
      a: 'x:1',
      b: 'x:2',
    });
    expect(deepLinkPath('https://evil.example/x')).toBe('/');
    expect(deepLinkPath('berth:')).toBe('/');
  });
});

describe('window state', () => {
  it('round-trips and survives a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-ws-'));
    const file = join(dir, 'window-state.json');
    expect(loadWindowState(file)).toBeUndefined();
    saveWindowState(file, { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
    expect(loadWindowState(file)).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
    writeFileSync(file, '{not json');
    expect(loadWindowState(file)).toBeUndefined();
  });

  it('never restores a window onto a display that is gone', () => {
    const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(fitToDisplays({ x: 100, y: 100, width: 1200, height: 800 }, screen)).toEqual({
      x: 100,
      y: 100,
      width: 1200,
      height: 800,
    });
    expect(fitToDisplays({ x: 2500, y: 100, width: 1200, height: 800 }, screen)).toBeUndefined();
    expect(fitToDisplays({ x: 0, y: 0, width: 300, height: 200 }, screen)).toEqual({
      x: 0,
      y: 0,
      width: 900,
      height: 560,
    });
  });
});

describe('application menu', () => {
  const flatten = (items: MenuItem[]): MenuItem[] => items.flatMap((i) => [i, ...flatten(i.submenu ?? [])]);

  it('has the usual roles and a Copy diagnostics entry', () => {
    let copied = 0;
    const items = flatten(buildMenu('linux', { navigate: () => undefined, copyDiagnostics: () => copied++ }));
    const roles = items.map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(expect.arrayContaining(['editMenu', 'windowMenu', 'quit', 'reload', 'togglefullscreen']));
    items.find((i) => i.label === 'Copy diagnostics')?.click?.();
    expect(copied).toBe(1);
    expect(
      flatten(buildMenu('darwin', { navigate: () => undefined, copyDiagnostics: () => undefined })).map((i) => i.role),
    ).toContain('appMenu');
  });
});
