import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/main/logging/logger';
import { redact } from '../../../src/main/logging/redact';

describe('log file', () => {
  it('rotates at the size cap and keeps a bounded number of files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-log-'));
    const logger = createLogger({ dir, maxBytes: 2_000, keep: 2 });
    for (let i = 0; i < 200; i++) logger.log('info', 'test', `line ${i} ${'x'.repeat(40)}`);
    expect(readdirSync(dir).sort()).toEqual(['berth.log', 'berth.log.1', 'berth.log.2']);
    const last = readFileSync(join(dir, 'berth.log'), 'utf8').trim().split('\n').pop() ?? '';
    expect(JSON.parse(last)).toMatchObject({
      level: 'info',
      scope: 'test',
      message: expect.stringContaining('line 199'),
    });
  });

  it('keeps recent problems for diagnostics, bounded', () => {
    const logger = createLogger({ dir: mkdtempSync(join(tmpdir(), 'berth-log-')) });
    for (let i = 0; i < 80; i++) logger.log(i % 2 ? 'error' : 'info', 's', `m${i}`);
    const recent = logger.recentProblems();
    expect(recent).toHaveLength(40);
    expect(recent.at(-1)?.message).toBe('m79');
  });

  it('masks secrets that slip into a message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-log-'));
    const logger = createLogger({ dir });
    logger.log(
      'error',
      'registry',
      'GET https://alice:hunter2@registry.example/v2/ Authorization: Bearer eyJhbGciOi.secret.sig',
    );
    logger.log(
      'error',
      'token',
      '{"token":"abc123","password":"hunter2","refresh_token":"r3fr3sh"} ?access_token=zzz&x=1',
    );
    const text = readFileSync(join(dir, 'berth.log'), 'utf8');
    for (const secret of ['hunter2', 'eyJhbGciOi.secret.sig', 'abc123', 'r3fr3sh', 'zzz'])
      expect(text).not.toContain(secret);
    expect(redact('Authorization: Basic YWxpY2U6aHVudGVyMg==')).toBe('Authorization: Basic ***');
  });
});
