import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadOsvDatabase } from '../../../../src/main/trust/vulns/osv-database';

const UPSTREAM = join(import.meta.dirname, '../../../fixtures/osv/upstream');

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'berth-osv-'));
}

describe('reading an OSV database', () => {
  it('reads a zip of records (as osv.dev’s all.zip) exactly as the same folder', async () => {
    const files = Object.fromEntries(
      readdirSync(UPSTREAM).map((name) => [name, new Uint8Array(readFileSync(join(UPSTREAM, name)))]),
    );
    const zip = join(scratch(), 'all.zip');
    writeFileSync(zip, zipSync({ ...files, 'README.txt': new TextEncoder().encode('not a record') }));
    const fromZip = await loadOsvDatabase(zip);
    const fromFolder = await loadOsvDatabase(UPSTREAM);
    expect({ ...fromZip.info, path: '' }).toEqual({ ...fromFolder.info, path: '' });
    expect(fromZip.info).toMatchObject({ records: 5, skipped: 0, date: '2025-10-13T15:48:05.749899Z' });
    expect(fromZip.lookup('PyPI', 'cryptography').map((entry) => entry.record.id)).toEqual([
      'PYSEC-2021-63',
      'PYSEC-2021-63',
    ]);
  });

  it('reads records in nested folders and skips what is not an OSV record', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'npm'));
    writeFileSync(
      join(dir, 'npm', 'A.json'),
      JSON.stringify({ id: 'A', affected: [{ package: { ecosystem: 'npm', name: 'a' } }] }),
    );
    writeFileSync(
      join(dir, 'W.json'),
      JSON.stringify({
        id: 'W',
        withdrawn: '2024-01-01T00:00:00Z',
        affected: [
          { package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
        ],
      }),
    );
    writeFileSync(join(dir, 'b.json'), '{"not":"osv"}');
    writeFileSync(join(dir, 'c.json'), '{ torn');
    const database = await loadOsvDatabase(dir);
    expect(database.info).toMatchObject({ records: 2, skipped: 2, ecosystems: ['npm'] });
    // The withdrawn record is read but affects nothing.
    expect(database.lookup('npm', 'a').map((entry) => entry.record.id)).toEqual(['A']);
  });

  it('refuses clearly: a missing path, a plain file, a folder without records, a broken zip', async () => {
    const dir = scratch();
    await expect(loadOsvDatabase(join(dir, 'nope'))).rejects.toMatchObject({ code: 'not_found' });
    writeFileSync(join(dir, 'plain.txt'), 'hello');
    await expect(loadOsvDatabase(join(dir, 'plain.txt'))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/neither a folder nor a zip/),
    });
    mkdirSync(join(dir, 'empty'));
    await expect(loadOsvDatabase(join(dir, 'empty'))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/holds no OSV records/),
    });
    const zip = zipSync({ 'A.json': new TextEncoder().encode(JSON.stringify({ id: 'A', affected: [] })) });
    // Cut inside the record's data: the archive ends early.
    writeFileSync(join(dir, 'cut.zip'), zip.subarray(0, 40));
    await expect(loadOsvDatabase(join(dir, 'cut.zip'))).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('refuses a record that inflates past its bound, whatever its header claims', async () => {
    const dir = scratch();
    const huge = new Uint8Array(9 * 1024 * 1024).fill(0x20);
    const zip = zipSync({ 'A.json': huge }, { level: 9 });
    // The local header's uncompressed size (offset 22) claims 100 bytes: only counting the inflated bytes catches it.
    Buffer.from(zip.buffer, zip.byteOffset).writeUInt32LE(100, 22);
    writeFileSync(join(dir, 'bomb.zip'), zip);
    await expect(loadOsvDatabase(join(dir, 'bomb.zip'))).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/A\.json inflates past/),
    });
  });
});
