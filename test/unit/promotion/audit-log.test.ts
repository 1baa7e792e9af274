import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/shared/types/promotion';
import { createAuditLog } from '../../../src/main/promotion/audit-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (n: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  user: 'dev',
  source: `r/dev/app:${n}`,
  target: `r/prod/app:${n}`,
  digest: `sha256:${String(n).padStart(64, '0')}`,
  outcome: 'success',
  ...extra,
});

it('appends one JSON line per promotion, in the data folder, and reads them newest first', async () => {
  const log = createAuditLog(join(dir, 'data'));
  await Promise.all([1, 2, 3].map((n) => log.append(entry(n))));
  const text = await readFile(join(dir, 'data', 'audit.jsonl'), 'utf8');
  expect(text.split('\n')).toHaveLength(4);
  expect(text.endsWith('\n')).toBe(true);
  expect((await log.read({ limit: 10 })).map((e) => e.source)).toEqual(['r/dev/app:3', 'r/dev/app:2', 'r/dev/app:1']);
  expect((await log.read({ limit: 2 })).map((e) => e.source)).toEqual(['r/dev/app:3', 'r/dev/app:2']);
});

it('filters by text across source, target, digest, user and outcome', async () => {
  const log = createAuditLog(dir);
  await log.append(entry(1));
  await log.append(entry(2, { outcome: 'refused', message: 'tag exists' }));
  await log.append(entry(3, { registryUser: 'Alice' }));
  expect((await log.read({ limit: 10, query: 'REFUSED' })).map((e) => e.source)).toEqual(['r/dev/app:2']);
  expect((await log.read({ limit: 10, query: 'alice' })).map((e) => e.source)).toEqual(['r/dev/app:3']);
  expect(await log.read({ limit: 10, query: 'nothing-like-this' })).toEqual([]);
});

it('reads an absent log as empty', async () => {
  expect(await createAuditLog(join(dir, 'none')).read({ limit: 5 })).toEqual([]);
});

it('skips a torn last line and a garbage line, and the next append starts on a fresh line', async () => {
  const log = createAuditLog(dir);
  await log.append(entry(1));
  await appendFile(log.file, 'not json\n{"at":"2026-01-01","user":"x","sou');
  expect((await log.read({ limit: 10 })).map((e) => e.source)).toEqual(['r/dev/app:1']);
  await log.append(entry(2));
  expect((await log.read({ limit: 10 })).map((e) => e.source)).toEqual(['r/dev/app:2', 'r/dev/app:1']);
  const lines = (await readFile(log.file, 'utf8')).split('\n');
  expect(lines.at(-2)).toBe(JSON.stringify(entry(2)));
});

it('fails with a clear error when the data folder cannot be written', async () => {
  const blocker = join(dir, 'file');
  await writeFile(blocker, 'x');
  const log = createAuditLog(blocker);
  await expect(log.append(entry(1))).rejects.toMatchObject({
    code: 'internal',
    message: expect.stringContaining('audit log'),
  });
});
