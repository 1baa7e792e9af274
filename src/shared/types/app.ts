/**
 * Where Berth keeps its own credentials: the OS keychain, or memory for this session only. For the
 * session kind, `reason` is one line for people: what is missing and how to fix it.
 */
export type KeychainBacking = { kind: 'keychain' } | { kind: 'session'; reason: string };

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' in the desktop app, 'serve' in the browser transport. */
  transport: 'electron' | 'serve' | 'cli';
  platform: string;
  versions: Record<string, string>;
  /** Shown before anyone signs in, so a session-only store is no surprise. */
  keychain: KeychainBacking;
}
