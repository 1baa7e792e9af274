import { z } from 'zod';
import type { SettingsStore } from '../credentials/settings-store';

/** The engine the user picked in Berth; undefined means "find it as the Docker CLI does". */
export interface EngineChoiceStore {
  get(): string | undefined;
  set(host: string | undefined): void;
}

const dockerSettingsSchema = z.strictObject({ engineHost: z.string().min(1).max(4096).optional() });

/** Kept in Berth's settings file under `docker`, so the desktop app and `berth` share the choice. */
export function settingsEngineChoice(settings: SettingsStore): EngineChoiceStore {
  const section = settings.section('docker', dockerSettingsSchema, {});
  return {
    get: () => section.get().engineHost,
    set: (host) => section.set(host === undefined ? {} : { engineHost: host }),
  };
}
