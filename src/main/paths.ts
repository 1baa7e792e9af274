import { homedir } from 'node:os';
import { join } from 'node:path';

export interface BerthPaths {
  /** Settings (settings.json: registries, lanes, engine choice), shared by the desktop app and the CLI. */
  configDir: string;
  /** Disposable caches: layer indexes, tag details by digest. */
  cacheDir: string;
  /** Data to keep: the promotion audit log. */
  dataDir: string;
  logDir: string;
}

/**
 * The same folders Electron's `app.getPath('userData')` gives for productName "Berth", so the CLI and the
 * desktop app share one settings file. BERTH_CONFIG_DIR / BERTH_CACHE_DIR override (tests, profiles).
 */
export function resolvePaths(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): BerthPaths {
  const home = env.HOME ?? homedir();
  const appData =
    platform === 'win32'
      ? (env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? join(home, '.config'));
  const configDir = env.BERTH_CONFIG_DIR ?? join(appData, 'Berth');
  const cacheRoot =
    platform === 'win32'
      ? join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Berth', 'Cache')
      : platform === 'darwin'
        ? join(home, 'Library', 'Caches', 'Berth')
        : join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'berth');
  const cacheDir = env.BERTH_CACHE_DIR ?? (env.BERTH_CONFIG_DIR ? join(env.BERTH_CONFIG_DIR, 'cache') : cacheRoot);
  return { configDir, cacheDir, dataDir: configDir, logDir: join(configDir, 'logs') };
}
