import { z } from 'zod';
import { REGISTRY_KINDS, type RegistrySettings } from '../../shared/types/settings';
import { guessRegistryKind, parseRegistryHost, registryIdForHost, tryNormalizeHost } from './hosts';

/**
 * The settings file (`settings.json` in the config folder), shared by the desktop app (electron-store) and
 * `berth` (conf): the same JSON, validated here on every read. It never holds a secret: a registry's
 * `keychain` entry only records that the OS keychain holds one, and for whom.
 */
export const SETTINGS_VERSION = 1;

const text = (max: number) => z.string().min(1).max(max);

const registryHost = z
  .string()
  .refine(
    (host) => tryNormalizeHost(host) === host,
    'expected a registry host like ghcr.io or 127.0.0.1:5000 (lower case, no scheme or path; Docker Hub is docker.io)',
  );

// `host` first: it is what a person writes, so its problem is the one worth reporting first.
export const registryRecordSchema = z.strictObject({
  host: registryHost,
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected letters, digits, ".", "_" or "-"'),
  name: text(128),
  kind: z.enum(REGISTRY_KINDS),
  insecure: z.boolean(),
  caPath: text(4096).optional(),
  environments: z.array(z.strictObject({ role: text(64), namespace: z.string().max(256) })).max(32),
  repositories: z.array(text(256)).max(10_000),
  /** The OS keychain holds this registry's secret for `username`. Lets Berth list logins without reading secrets. */
  keychain: z.strictObject({ username: text(256), storedAt: z.iso.datetime() }).optional(),
});

export type RegistryRecord = z.infer<typeof registryRecordSchema>;

/** Keys other than these belong to other features (e.g. `lanes`), each validated by its own section schema. */
export const CORE_KEYS = ['version', 'registries'] as const;

export const settingsDocumentSchema = z
  .looseObject({
    version: z.literal(SETTINGS_VERSION),
    registries: z.array(registryRecordSchema).max(1_000),
  })
  .superRefine((document, ctx) => {
    const ids = new Set<string>();
    const hosts = new Set<string>();
    document.registries.forEach((registry, index) => {
      if (ids.has(registry.id))
        ctx.addIssue({ code: 'custom', path: ['registries', index, 'id'], message: `duplicate id "${registry.id}"` });
      if (hosts.has(registry.host))
        ctx.addIssue({
          code: 'custom',
          path: ['registries', index, 'host'],
          message: `${registry.host} is listed twice`,
        });
      ids.add(registry.id);
      hosts.add(registry.host);
    });
  });

export type SettingsDocument = z.infer<typeof settingsDocumentSchema>;

export function emptySettings(): SettingsDocument {
  return { version: SETTINGS_VERSION, registries: [] };
}

export type NewRegistryInput = Partial<Omit<RegistrySettings, 'id' | 'host'>> & { host: string };

/**
 * A complete record from what a person gave (often only a host): the host normalised, the name defaulting
 * to it, the kind guessed from it, an `http://` address meaning insecure, and an id no other record has.
 */
export function newRegistryRecord(input: NewRegistryInput, takenIds: ReadonlySet<string>): RegistryRecord {
  const { host, plainHttp } = parseRegistryHost(input.host);
  const baseId = registryIdForHost(host);
  let id = baseId;
  for (let n = 2; takenIds.has(id); n += 1) id = `${baseId}-${n}`;
  return {
    id,
    name: input.name?.trim() || host,
    host,
    kind: input.kind ?? guessRegistryKind(host),
    insecure: input.insecure ?? plainHttp,
    ...(input.caPath ? { caPath: input.caPath } : {}),
    environments: input.environments ?? [],
    repositories: input.repositories ?? [],
  };
}

/**
 * Version 0 is the hand-written form: no `version` key, and registries that may give only a `host` (so a
 * team can hand out a file listing its registries). Completing it is the first migration.
 */
const handWrittenSchema = z.looseObject({
  registries: z
    .array(z.looseObject({ host: z.string() }))
    .max(1_000)
    .optional(),
});

interface Migration {
  from: number;
  migrate(document: Record<string, unknown>): Record<string, unknown>;
}

export const MIGRATIONS: Migration[] = [
  {
    from: 0,
    migrate(document) {
      const parsed = handWrittenSchema.safeParse(document);
      // Left as is, so the v1 validation that follows names the exact problem.
      if (!parsed.success) return { ...document, version: 1 };
      const given = parsed.data.registries ?? [];
      const taken = new Set(given.map((registry) => registry.id).filter((id): id is string => typeof id === 'string'));
      const registries = given.map((registry) => {
        if (tryNormalizeHost(registry.host) === undefined) return registry;
        const defaults = newRegistryRecord({ host: registry.host }, taken);
        if (typeof registry.id !== 'string') taken.add(defaults.id);
        // What the person wrote wins over the defaults; the host is stored in its normal form.
        return { ...defaults, ...registry, host: defaults.host };
      });
      return { ...document, version: 1, registries };
    },
  },
];
