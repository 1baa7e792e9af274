import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createSettingsStore, type SettingsStore } from '../../../src/main/credentials/settings-store';
import { newRegistryRecord } from '../../../src/main/credentials/settings-schema';
import { BerthError } from '../../../src/shared/errors';

let dir: string;
let file: string;
const fixedNow = () => new Date('2025-03-04T05:06:07.089Z');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-settings-'));
  file = join(dir, 'settings.json');
});

function store(): SettingsStore {
  return createSettingsStore({ configDir: dir, now: fixedNow });
}

function addGhcr(settings: SettingsStore) {
  return settings.updateRegistries((registries) => [...registries, newRegistryRecord({ host: 'ghcr.io' }, new Set())]);
}

/** The thrown BerthError, so code and message can both be checked. */
function failure(action: () => unknown): BerthError {
  try {
    action();
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('expected a BerthError');
}

describe('settings store', () => {
  it('starts empty without creating a file, and writes validated JSON on the first change', async () => {
    const settings = store();
    expect(settings.path).toBe(file);
    expect(settings.registries()).toEqual([]);
    expect(existsSync(file)).toBe(false);
    addGhcr(settings);
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written).toEqual({
      version: 1,
      registries: [
        {
          id: 'ghcr.io',
          name: 'ghcr.io',
          host: 'ghcr.io',
          kind: 'ghcr',
          insecure: false,
          environments: [],
          repositories: [],
        },
      ],
    });
  });

  it("is shared by two processes' stores on the same folder (desktop app and CLI)", () => {
    const app = store();
    const cli = store();
    addGhcr(cli);
    expect(app.registries().map((registry) => registry.host)).toEqual(['ghcr.io']);
  });

  it('refuses a file that is not JSON, naming the file and the place, and never touches it', async () => {
    const text = '{\n  "version": 1,\n  "registries": []\n  "lanes": []\n}\n';
    await writeFile(file, text);
    const settings = store();
    const error = failure(() => settings.registries());
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/^Berth's settings file .*settings\.json is not valid JSON near line 4, column \d+$/);
    expect(error.message).toContain(file);
    expect(() => addGhcr(settings)).toThrow(BerthError);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('refuses a hand-edited file that breaks the schema, naming the field', async () => {
    const text = JSON.stringify({
      version: 1,
      registries: [
        {
          id: 'x',
          name: 'x',
          host: 'x.example',
          kind: 'dockerhub',
          insecure: 'yes',
          environments: [],
          repositories: [],
        },
      ],
    });
    await writeFile(file, text);
    const error = failure(() => store().registries());
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(`${file} is invalid: registries[0].insecure`);
    expect(error.message).toContain('Berth has not changed it');
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('refuses duplicate hosts and hosts not in normal form', async () => {
    const entry = {
      id: 'a',
      name: 'a',
      host: 'ghcr.io',
      kind: 'ghcr',
      insecure: false,
      environments: [],
      repositories: [],
    };
    await writeFile(file, JSON.stringify({ version: 1, registries: [entry, { ...entry, id: 'b' }] }));
    expect(failure(() => store().registries()).message).toContain('registries[1].host: ghcr.io is listed twice');
    await writeFile(file, JSON.stringify({ version: 1, registries: [{ ...entry, host: 'https://GHCR.io' }] }));
    expect(failure(() => store().registries()).message).toContain('registries[0].host: expected a registry host');
  });

  it('refuses a file from a newer Berth without changing it', async () => {
    const text = JSON.stringify({ version: 7, registries: [], futureThing: true });
    await writeFile(file, text);
    const error = failure(() => store().registries());
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/written by a newer Berth \(settings version 7; this one understands 1\)/);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('migrates a hand-written file (no version, registries given by host) after keeping a backup', async () => {
    const text = JSON.stringify({
      registries: [
        { host: 'https://Quay.io' },
        { host: 'http://10.0.0.5:5000', name: 'lab' },
        { host: 'ghcr.io', id: 'gh' },
      ],
      lanes: [{ keep: 1 }],
    });
    await writeFile(file, text);
    const settings = store();
    expect(settings.registries()).toEqual([
      {
        id: 'quay.io',
        name: 'quay.io',
        host: 'quay.io',
        kind: 'quay',
        insecure: false,
        environments: [],
        repositories: [],
      },
      {
        id: '10.0.0.5-5000',
        name: 'lab',
        host: '10.0.0.5:5000',
        kind: 'distribution',
        insecure: true,
        environments: [],
        repositories: [],
      },
      { id: 'gh', name: 'ghcr.io', host: 'ghcr.io', kind: 'ghcr', insecure: false, environments: [], repositories: [] },
    ]);
    const backup = join(dir, 'settings.json.bak-2025-03-04T05-06-07-089Z');
    expect(await readFile(backup, 'utf8')).toBe(text);
    const migrated = JSON.parse(await readFile(file, 'utf8'));
    expect(migrated.version).toBe(1);
    expect(migrated.lanes).toEqual([{ keep: 1 }]);
  });

  it('leaves a hand-written file that cannot be migrated exactly as it was, with no backup', async () => {
    const text = JSON.stringify({ registries: [{ host: 'not a host' }] });
    await writeFile(file, text);
    const error = failure(() => store().registries());
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('registries[0].host');
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it("keeps other features' sections: typed, validated, and preserved by registry changes", async () => {
    const lanesSchema = z.array(z.object({ name: z.string(), stages: z.array(z.string()).min(2) }));
    const settings = store();
    const lanes = settings.section('lanes', lanesSchema, []);
    expect(lanes.get()).toEqual([]);
    lanes.set([{ name: 'main', stages: ['dev', 'prod'] }]);
    addGhcr(settings);
    expect(lanes.get()).toEqual([{ name: 'main', stages: ['dev', 'prod'] }]);
    const invalid = failure(() => lanes.set([{ name: 'short', stages: ['dev'] }]));
    expect(invalid.code).toBe('invalid_input');
    expect(invalid.message).toContain('lanes[0].stages');

    const written = JSON.parse(await readFile(file, 'utf8'));
    written.lanes = [{ name: 7 }];
    await writeFile(file, JSON.stringify(written));
    const broken = failure(() => lanes.get());
    expect(broken.code).toBe('config_invalid');
    expect(broken.message).toContain('lanes[0].name');
    expect(settings.registries()).toHaveLength(1);
    expect(() => settings.section('registries', lanesSchema, [])).toThrow(/reserved/);
  });
});
