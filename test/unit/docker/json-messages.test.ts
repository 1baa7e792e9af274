import { describe, expect, it } from 'vitest';
import { readJsonMessages } from '../../../src/main/docker/json-messages';
import { BerthError } from '../../../src/shared/errors';

async function collect(chunks: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const message of readJsonMessages(
    (async function* () {
      for (const chunk of chunks) yield Buffer.from(chunk);
    })(),
  ))
    out.push(message);
  return out;
}

async function failure(chunks: string[]): Promise<BerthError> {
  try {
    await collect(chunks);
  } catch (error) {
    if (error instanceof BerthError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('readJsonMessages', () => {
  it('reassembles messages split across chunks and skips blank lines', async () => {
    expect(
      await collect(['{"status":"Pull', 'ing"}\r\n\r\n{"id":"a"', ',"status":"Waiting"}\n{"status":"last"}']),
    ).toEqual([{ status: 'Pulling' }, { id: 'a', status: 'Waiting' }, { status: 'last' }]);
  });

  it('refuses a line that is not JSON, quoting its start', async () => {
    const error = await failure(['<html>nope</html>\n']);
    expect(error.code).toBe('bad_response');
    expect(error.message).toMatch(/not JSON: "<html>nope<\/html>"/);
  });

  it('refuses JSON that is not a message', async () => {
    expect((await failure(['[1,2]\n'])).message).toMatch(/not a message/);
  });

  it('refuses an endless line instead of buffering it', async () => {
    const error = await failure(Array.from({ length: 20 }, () => 'x'.repeat(64 * 1024)));
    expect(error.message).toMatch(/over 1 MiB/);
  });
});
