/**
 * The matrix store fills in from `matrix.rows` events of its own operation while `matrix.build` runs, follows
 * its progress, lets the final answer replace what streamed, and keeps a failure as data.
 */
import { describe, expect, it } from 'vitest';
import type { DriftMatrix, MatrixColumn, MatrixRow } from '../../../src/shared/types/matrix';
import { BerthError } from '../../../src/shared/errors';
import { useMatrix } from '../../../src/renderer/stores/matrix';
import { deferred, scriptedApi } from '../promote/scripted-api';

const D = `sha256:${'d'.repeat(64)}`;
const columns: MatrixColumn[] = [
  { name: 'h/dev', registryId: 'h', host: 'h', namespace: 'dev/' },
  { name: 'h/prod', registryId: 'h', host: 'h', namespace: 'prod/' },
];
const rowOf = (repository: string, tag = '1'): MatrixRow => ({
  repository,
  tag,
  reference: 0,
  drift: true,
  cells: [
    { digest: D, state: 'same' },
    { digest: null, state: 'missing' },
  ],
});
const query = { places: ['h/dev', 'h/prod'], repositories: '*', reference: 0 };

describe('the matrix store', () => {
  it('shows each repository as its rows arrive, with progress, then the final answer', async () => {
    const answer = deferred<DriftMatrix>();
    const api = scriptedApi({ 'matrix.build': () => answer.promise });
    const store = useMatrix.of(api);
    const building = store.getState().build(query);
    const { operationId } = store.getState();
    expect(api.calls[0]).toEqual({
      name: 'matrix.build',
      input: {
        columns: [
          { registryId: 'h', namespace: 'dev' },
          { registryId: 'h', namespace: 'prod' },
        ],
        repositories: '*',
        reference: 0,
        operationId,
      },
    });

    api.emit('matrix.rows', { operationId: operationId!, repository: 'b', columns, rows: [rowOf('b')] });
    api.emit('matrix.rows', { operationId: 'someone-else', repository: 'x', columns, rows: [rowOf('x')] });
    api.emit('operation.progress', {
      operationId: operationId!,
      kind: 'matrix',
      status: '1 of 2 repositories',
      current: 2,
      total: 4,
      done: false,
    });
    expect(store.getState()).toMatchObject({
      status: 'loading',
      columns,
      repositories: ['b'],
      rows: { b: [rowOf('b')] },
      progress: { current: 2, total: 4, status: '1 of 2 repositories' },
    });

    answer.resolve({ columns, rows: [rowOf('a'), rowOf('b'), rowOf('b', '2')], repositories: 2 });
    await building;
    expect(store.getState()).toMatchObject({
      status: 'ready',
      repositories: ['a', 'b'],
      rows: { a: [rowOf('a')], b: [rowOf('b'), rowOf('b', '2')] },
    });
  });

  it('keeps a refusal as data', async () => {
    const api = scriptedApi({
      'matrix.build': () => {
        throw new BerthError('not_found', 'There is no promotion lane named "x".');
      },
    });
    const store = useMatrix.of(api);
    await store.getState().build({ ...query, lane: 'x' });
    expect(api.calls[0]?.input).toMatchObject({ lane: 'x' });
    expect(store.getState()).toMatchObject({
      status: 'error',
      error: { code: 'not_found', message: 'There is no promotion lane named "x".' },
    });
  });

  it('refuses a malformed place before asking main', async () => {
    const api = scriptedApi({});
    const store = useMatrix.of(api);
    await store.getState().build({ ...query, places: ['h/dev', 'bad place'] });
    expect(api.calls).toEqual([]);
    expect(store.getState().error).toMatchObject({ code: 'invalid_input' });
  });
});
