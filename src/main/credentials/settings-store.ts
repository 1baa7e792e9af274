import { copyFileSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import type { z } from 'zod';
import { BerthError, isBerthError } from '../../shared/errors';
import { formatIssuePath, parseJsonText } from './json-text';
import {
  CORE_KEYS,
  MIGRATIONS,
  SETTINGS_VERSION,
  emptySettings,
  settingsDocumentSchema,
  type RegistryRecord,
  type SettingsDocument,
} from './settings-schema';

export const SETTINGS_FILE_NAME = 'settings';

/**
 * The storage under the settings: conf in plain Node, electron-store in the desktop app. Both read the file
 * on every `store` get and write it atomically on every `store` set, so the app and `berth` can share it.
 */
export interface SettingsBackend {
  readonly path: string;
  store: Record<string, unknown>;
}

/**
 * The options both conf and electron-store take (electron-store's are a superset), so the shell plugs in with
 * `createServices({ ..., settingsBackend: (options) => new ElectronStore(options) })`: same folder (`cwd`,
 * absolute), same file, same JSON. Validation and migrations are Berth's (zod, below), not conf's: conf would
 * clear or rewrite a file it cannot read, and Berth never does.
 */
export interface SettingsBackendOptions {
  cwd: string;
  /** conf reads `configName`; electron-store reads `name` and overwrites `configName` with it (default "config"). */
  configName: string;
  name: string;
  fileExtension: 'json';
  clearInvalidConfig: false;
  watch: false;
  serialize: (value: Record<string, unknown>) => string;
  deserialize: (text: string) => Record<string, unknown>;
}

export type SettingsBackendFactory = (options: SettingsBackendOptions) => SettingsBackend;

export const confBackend: SettingsBackendFactory = (options) => new Conf<Record<string, unknown>>(options);

export function settingsBackendOptions(configDir: string): SettingsBackendOptions {
  const file = join(configDir, `${SETTINGS_FILE_NAME}.json`);
  return {
    cwd: configDir,
    configName: SETTINGS_FILE_NAME,
    name: SETTINGS_FILE_NAME,
    fileExtension: 'json',
    clearInvalidConfig: false,
    watch: false,
    serialize: (value) => `${JSON.stringify(value, null, 2)}\n`,
    deserialize: (text) => {
      const value = parseJsonText(text, `Berth's settings file ${file}`);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new BerthError('config_invalid', `Berth's settings file ${file} must hold a JSON object. ${UNTOUCHED}`);
      }
      return value as Record<string, unknown>;
    },
  };
}

const UNTOUCHED = 'Berth has not changed it: fix it, or move it away to start with empty settings.';

/** A top-level key owned by another feature (e.g. promotion `lanes`), validated by that feature's schema. */
export interface SettingsSection<T> {
  get(): T;
  set(value: T): void;
}

export interface SettingsStore {
  /** The settings file. */
  readonly path: string;
  registries(): RegistryRecord[];
  /** Read, change and write in one step; the result is validated before anything is written. */
  updateRegistries(change: (registries: RegistryRecord[]) => RegistryRecord[]): RegistryRecord[];
  section<T>(key: string, schema: z.ZodType<T>, fallback: T): SettingsSection<T>;
}

export interface SettingsStoreOptions {
  configDir: string;
  backend?: SettingsBackendFactory;
  /** For the backup file name; tests pin it. */
  now?: () => Date;
}

export function createSettingsStore(options: SettingsStoreOptions): SettingsStore {
  const backendOptions = settingsBackendOptions(options.configDir);
  const path = join(options.configDir, `${SETTINGS_FILE_NAME}.json`);
  const now = options.now ?? (() => new Date());
  let backend: SettingsBackend | undefined;

  function open(): SettingsBackend {
    // Created on first use: conf reads the file in its constructor, and a bad file must surface as a
    // BerthError from a request, not as a crash while services start.
    backend ??= guard(() => (options.backend ?? confBackend)(backendOptions));
    return backend;
  }

  function guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (isBerthError(error)) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : ((error as Error).message ?? String(error));
      throw new BerthError('config_invalid', `Berth's settings file ${path} cannot be used: ${reason}`, undefined, {
        cause: error,
      });
    }
  }

  function invalid(problem: string): BerthError {
    return new BerthError('config_invalid', `Berth's settings file ${path} is invalid: ${problem}. ${UNTOUCHED}`, {
      file: path,
    });
  }

  function validate(raw: Record<string, unknown>): SettingsDocument {
    const parsed = settingsDocumentSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw invalid(issue ? `${formatIssuePath(issue.path) || 'top level'}: ${issue.message}` : 'rejected');
  }

  function read(): SettingsDocument {
    const raw = guard(() => open().store);
    if (Object.keys(raw).length === 0) return emptySettings();
    const version = raw.version ?? 0;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
      throw invalid('`version` must be a whole number');
    if (version > SETTINGS_VERSION) {
      throw new BerthError(
        'config_invalid',
        `Berth's settings file ${path} was written by a newer Berth (settings version ${version}; this one understands ${SETTINGS_VERSION}). Update Berth; the file was not changed.`,
        { file: path },
      );
    }
    if (version === SETTINGS_VERSION) return validate(raw);
    return migrate(raw, version);
  }

  function migrate(raw: Record<string, unknown>, version: number): SettingsDocument {
    let migrated = raw;
    for (const step of MIGRATIONS) if (step.from >= version) migrated = step.migrate(migrated);
    // Validated before the backup and the write: a file that cannot be migrated stays exactly as it was.
    const document = validate(migrated);
    const backup = `${path}.bak-${now().toISOString().replace(/[:.]/g, '-')}`;
    guard(() => copyFileSync(path, backup, fsConstants.COPYFILE_EXCL));
    write(document);
    return document;
  }

  function write(document: SettingsDocument): void {
    const checked = validate(document);
    guard(() => {
      open().store = checked;
    });
  }

  return {
    path,
    registries: () => read().registries,
    updateRegistries(change) {
      const document = read();
      const registries = change(document.registries);
      write({ ...document, registries });
      return registries;
    },
    section<T>(key: string, schema: z.ZodType<T>, fallback: T): SettingsSection<T> {
      if ((CORE_KEYS as readonly string[]).includes(key) || key.startsWith('__'))
        throw new Error(`settings key "${key}" is reserved`);
      return {
        get() {
          const value = read()[key];
          if (value === undefined) return fallback;
          const parsed = schema.safeParse(value);
          if (parsed.success) return parsed.data;
          const issue = parsed.error.issues[0];
          throw invalid(`${formatIssuePath([key, ...(issue?.path ?? [])])}: ${issue?.message ?? 'rejected'}`);
        },
        set(value) {
          const parsed = schema.safeParse(value);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new BerthError(
              'invalid_input',
              `Invalid ${formatIssuePath([key, ...(issue?.path ?? [])])}: ${issue?.message ?? 'rejected'}`,
            );
          }
          write({ ...read(), [key]: parsed.data });
        },
      };
    },
  };
}
