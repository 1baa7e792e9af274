export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop app, 'serve' in the browser transport. */
  transport: 'electron' | 'serve' | 'cli';
  platform: string;
  versions: Record<string, string>;
}
