/**
 * The drift matrix on the world's three registries: the same repository seeded into each (under a namespace
 * of this file's own) with one tag the same, one drifted and one missing, checked cell by cell; the token
 * registry, with no login, reads "not visible" (not "missing"); a second matrix reads the index (HEADs, no
 * manifest GET: the access log); repository and tag patterns; a lane's stages as columns; many repositories
 * fill in progressively (rows events and progress); and bad input is refused with a clear error.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DriftMatrix, MatrixRow, MatrixRowsEvent } from '../../../src/shared/types/matrix';
import type { OperationProgress } from '../../../src/shared/types/operations';
import { readRequestLog, type RequestLogEntry } from '../../env/registry';
import type { WorldRegistry } from '../../env/world';
import { startHarness, uniqueName, type Harness } from '../promotion/harness';
import { placeOf as place, pushTiny as push, seedDrift, type TinyImage } from './drift-world';

const world = inject('world');
const { anonymous, basic, token } = world;
const ns = uniqueName('scratch-matrix');
let harness: Harness;

const placeOf = (registry: WorldRegistry) => place(ns, registry);
let v1: TinyImage;
let v2: TinyImage;

beforeAll(async () => {
  // Logins for the anonymous and basic registries only: the token registry is asked with no credentials.
  harness = await startHarness([anonymous, basic]);
  ({ v1, v2 } = await seedDrift(world, ns));
}, 120_000);
afterAll(async () => {
  await harness?.close();
});

const columns = [
  { registryId: anonymous.host, namespace: placeOf(anonymous) },
  { registryId: basic.host, namespace: placeOf(basic) },
  { registryId: token.host, namespace: placeOf(token) },
];

function row(matrix: DriftMatrix, repository: string, tag: string): MatrixRow {
  const found = matrix.rows.find((candidate) => candidate.repository === repository && candidate.tag === tag);
  if (!found)
    throw new Error(
      `no row ${repository}:${tag} in ${JSON.stringify(matrix.rows.map((r) => `${r.repository}:${r.tag}`))}`,
    );
  return found;
}

/** This file's requests to a registry since `before`. */
async function ownRequests(registry: WorldRegistry, before: number): Promise<RequestLogEntry[]> {
  return (await readRequestLog(registry.accessLogFile)).slice(before).filter((entry) => entry.path.includes(`/${ns}/`));
}

describe('the drift matrix', () => {
  it('gives each cell its digest and state: same, different, missing, and not visible without credentials', async () => {
    const matrix = await harness.call('matrix.build', { columns, repositories: '*' });
    expect(matrix.columns.map((column) => column.name)).toEqual([
      `${anonymous.host}/${ns}/anonymous`,
      `${basic.host}/${ns}/basic`,
      `${token.host}/${ns}/token`,
    ]);
    expect(matrix.columns.every((column) => column.error === undefined)).toBe(true);
    expect(matrix.rows.map((r) => `${r.repository}:${r.tag}`)).toEqual([
      'app:drift',
      'app:gone',
      'app:same',
      'lib:1.0',
    ]);
    const hidden = { digest: null, state: 'not_visible' };
    expect(row(matrix, 'app', 'same')).toEqual({
      repository: 'app',
      tag: 'same',
      reference: 0,
      drift: false,
      cells: [{ digest: v1.digest, state: 'same' }, { digest: v1.digest, state: 'same' }, hidden],
    });
    expect(row(matrix, 'app', 'drift')).toEqual({
      repository: 'app',
      tag: 'drift',
      reference: 0,
      drift: true,
      cells: [{ digest: v1.digest, state: 'same' }, { digest: v2.digest, state: 'different' }, hidden],
    });
    expect(row(matrix, 'app', 'gone').cells).toEqual([
      { digest: v1.digest, state: 'same' },
      { digest: null, state: 'missing' },
      hidden,
    ]);
    // A repository the basic registry does not have at all: missing there too (its tag list is a 404).
    expect(row(matrix, 'lib', '1.0').cells).toEqual([
      { digest: v2.digest, state: 'same' },
      { digest: null, state: 'missing' },
      hidden,
    ]);
  });

  it('reads a place whose catalog the account may not list (pull-only) repository by repository', async () => {
    const bob = token.users.find((user) => user.access === 'pull')!;
    const pullOnly = await startHarness([{ host: token.host, users: [bob] }]);
    try {
      const matrix = await pullOnly.call('matrix.build', { columns: [columns[2]!, columns[0]!], repositories: '*' });
      expect(matrix.columns.every((column) => column.error === undefined)).toBe(true);
      expect(matrix.rows.map((r) => [`${r.repository}:${r.tag}`, r.cells.map((cell) => cell.state)])).toEqual([
        ['app:drift', ['same', 'same']],
        ['app:gone', ['same', 'same']],
        ['app:same', ['same', 'same']],
        // Only the anonymous registry has lib: bob may pull there, and the token registry answers 404.
        ['lib:1.0', ['missing', 'same']],
      ]);
    } finally {
      await pullOnly.close();
    }
  });

  it('compares with the chosen reference column, and keeps only drift when asked', async () => {
    const matrix = await harness.call('matrix.build', {
      columns: columns.slice(0, 2),
      repositories: 'app',
      reference: 1,
      driftOnly: true,
    });
    expect(matrix.rows.map((r) => r.tag)).toEqual(['drift', 'gone']);
    expect(row(matrix, 'app', 'drift')).toMatchObject({
      reference: 1,
      cells: [
        { digest: v1.digest, state: 'different' },
        { digest: v2.digest, state: 'same' },
      ],
    });
    // Where the reference column lacks the tag, the first column holding it is the reference.
    expect(row(matrix, 'app', 'gone')).toMatchObject({
      reference: 0,
      cells: [{ state: 'same' }, { state: 'missing' }],
    });
  });

  it('reads the index on a second run: HEADs only, no manifest GET', async () => {
    const before = {
      anonymous: (await readRequestLog(anonymous.accessLogFile)).length,
      basic: (await readRequestLog(basic.accessLogFile)).length,
    };
    const again = await harness.call('matrix.build', { columns: columns.slice(0, 2), repositories: '*' });
    expect(row(again, 'app', 'drift').cells.map((cell) => cell.state)).toEqual(['same', 'different']);
    for (const [name, registry] of [
      ['anonymous', anonymous],
      ['basic', basic],
    ] as const) {
      const log = await ownRequests(registry, before[name]);
      const manifests = log.filter((entry) => entry.path.includes('/manifests/'));
      expect(manifests.length, name).toBeGreaterThan(0);
      expect(
        manifests.filter((entry) => entry.method !== 'HEAD'),
        name,
      ).toEqual([]);
      expect(
        log.filter((entry) => entry.path.includes('/blobs/')),
        name,
      ).toEqual([]);
    }
  });

  it('finds a tag moved since the last run (the HEAD sees the new digest)', async () => {
    await push(basic, `${placeOf(basic)}/app`, 'drift', v1);
    const matrix = await harness.call('matrix.build', {
      columns: columns.slice(0, 2),
      repositories: 'app',
      tags: 'drift',
    });
    expect(matrix.rows).toEqual([
      {
        repository: 'app',
        tag: 'drift',
        reference: 0,
        drift: false,
        cells: [
          { digest: v1.digest, state: 'same' },
          { digest: v1.digest, state: 'same' },
        ],
      },
    ]);
    await push(basic, `${placeOf(basic)}/app`, 'drift', v2);
  });

  it('filters repositories and tags by pattern', async () => {
    const libOnly = await harness.call('matrix.build', { columns, repositories: 'l*' });
    expect(libOnly.rows.map((r) => `${r.repository}:${r.tag}`)).toEqual(['lib:1.0']);
    expect(libOnly.repositories).toBe(1);
    const tagged = await harness.call('matrix.build', { columns, repositories: '*', tags: 's*' });
    expect(tagged.rows.map((r) => `${r.repository}:${r.tag}`)).toEqual(['app:same']);
    const none = await harness.call('matrix.build', { columns, repositories: 'nothing-*' });
    expect(none).toMatchObject({ rows: [], repositories: 0 });
  });

  it("takes a lane's stages as columns (two namespaces of one registry)", async () => {
    const lane = uniqueName('matrix-lane');
    await push(anonymous, `${ns}/dev/web`, '1.0', v1);
    await push(anonymous, `${ns}/dev/web`, '2.0', v2);
    await push(anonymous, `${ns}/prod/web`, '1.0', v1);
    await harness.call('promotion.setLanes', {
      lanes: [
        {
          name: lane,
          stages: [
            { name: 'dev', registryId: anonymous.host, namespace: `${ns}/dev` },
            { name: 'prod', registryId: anonymous.host, namespace: `${ns}/prod` },
          ],
          tagRewrites: [],
        },
      ],
    });
    const matrix = await harness.call('matrix.build', { lane, repositories: '*' });
    expect(matrix.columns.map((column) => [column.name, column.namespace])).toEqual([
      ['dev', `${ns}/dev/`],
      ['prod', `${ns}/prod/`],
    ]);
    expect(matrix.rows.map((r) => [r.repository, r.tag, r.cells.map((cell) => cell.state)])).toEqual([
      ['web', '1.0', ['same', 'same']],
      ['web', '2.0', ['same', 'missing']],
    ]);
  });

  it('fills in progressively for many repositories: rows per repository as read, and progress', async () => {
    const count = 40;
    const many = `${ns}/many`;
    const names = Array.from({ length: count }, (_, i) => `r${String(i).padStart(2, '0')}`);
    for (const name of names) {
      await push(anonymous, `${many}/a/${name}`, '1', v1);
      await push(basic, `${many}/b/${name}`, '1', name === 'r07' ? v2 : v1);
    }
    const rowsEvents: MatrixRowsEvent[] = [];
    let answered = false;
    const lateEvents: string[] = [];
    const unsubscribe = harness.backend.services.events.subscribe((event, payload) => {
      if (event !== 'matrix.rows') return;
      const rows = payload as MatrixRowsEvent;
      if (rows.operationId !== 'matrix-many') return;
      if (answered) lateEvents.push(rows.repository);
      rowsEvents.push(rows);
    });
    const progress: OperationProgress[] = [];
    const matrix = await harness.call(
      'matrix.build',
      {
        columns: [
          { registryId: anonymous.host, namespace: `${many}/a` },
          { registryId: basic.host, namespace: `${many}/b` },
        ],
        repositories: '*',
        operationId: 'matrix-many',
      },
      (event) => progress.push(event),
    );
    answered = true;
    unsubscribe();
    expect(matrix.rows).toHaveLength(count);
    expect(matrix.rows.filter((r) => r.drift).map((r) => r.repository)).toEqual(['r07']);
    // Each repository's rows came as an event of their own, before the answer.
    expect(rowsEvents.map((event) => event.repository).sort()).toEqual(names);
    expect(rowsEvents.find((event) => event.repository === 'r07')?.rows[0]?.cells[1]?.state).toBe('different');
    expect(lateEvents).toEqual([]);
    // Progress counts (column, repository) pairs read, upwards, and ends Done.
    const counted = progress.filter((event) => !event.done && event.total > 0);
    expect(counted.length).toBeGreaterThan(count);
    expect(counted.every((event) => event.kind === 'matrix' && event.total === count * 2)).toBe(true);
    expect(counted.map((event) => event.current)).toEqual(
      [...counted.map((event) => event.current)].sort((a, b) => a - b),
    );
    expect(progress.at(-1)).toMatchObject({ done: true, status: 'Done', current: count * 2 });
  });

  it('refuses bad input with a clear error', async () => {
    const refused = async (input: Parameters<typeof harness.call<'matrix.build'>>[1]) => {
      try {
        await harness.call('matrix.build', input);
      } catch (error) {
        return { code: (error as { code: string }).code, message: (error as Error).message };
      }
      throw new Error('accepted');
    };
    expect(await refused({ columns: columns.slice(0, 1), repositories: '*' })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('compares 2 to 16 places'),
    });
    expect(await refused({ columns: [columns[0]!, columns[0]!], repositories: '*' })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('is given twice'),
    });
    expect(await refused({ columns, repositories: 'app[' })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('not a valid glob'),
    });
    expect(await refused({ lane: 'no-such-lane', repositories: '*' })).toMatchObject({ code: 'not_found' });
    expect(await refused({ columns, repositories: '*', reference: 5 })).toMatchObject({ code: 'invalid_input' });
  });
});
