import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressView, formatBytes } from '../../../src/main/cli/progress';
import type { OperationProgress } from '../../../src/shared/types/operations';

/** ANSI control sequences (cursor moves, line clears), built from a string: a regex literal may not hold ESC. */
const CSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

class Capture extends Writable {
  text = '';
  columns = 100;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function progress(items: [string, string, number, number][], done = false): OperationProgress {
  const current = items.reduce((sum, item) => sum + item[2], 0);
  const total = items.reduce((sum, item) => sum + item[3], 0);
  return {
    operationId: 'op',
    kind: 'docker.pull',
    status: done ? 'Pulled' : 'Pulling',
    current,
    total,
    done,
    items: items.map(([id, status, c, t]) => ({ id, status, current: c, total: t })),
  };
}

describe('formatBytes', () => {
  it('uses decimal units like Docker', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(40_000_000)).toBe('40.0 MB');
  });
});

describe('plain progress (not a terminal)', () => {
  it('prints status changes at once and byte counts at a bounded rate, no escape codes', () => {
    const out = new Capture();
    let clock = 0;
    const view = createProgressView({ stream: out, isTTY: false, plainIntervalMs: 2_000, now: () => clock });
    view.update(progress([['aaa', 'Pulling fs layer', 0, 0]]));
    for (let i = 1; i <= 10; i++) {
      clock += 500;
      view.update(progress([['aaa', 'Downloading', i * 4_000_000, 40_000_000]]));
    }
    view.update(progress([['aaa', 'Pull complete', 40_000_000, 40_000_000]], true));
    view.finish();
    expect(out.text.split('\n')).toEqual([
      'aaa Pulling fs layer',
      'aaa Downloading 4.0 MB/40.0 MB',
      'aaa Downloading 20.0 MB/40.0 MB',
      'aaa Downloading 36.0 MB/40.0 MB',
      'aaa Pull complete',
      '',
    ]);
    expect(out.text).not.toContain('\x1b');
  });
});

describe('terminal progress', () => {
  it('redraws one bar per layer plus the total in place', () => {
    const out = new Capture();
    const view = createProgressView({ stream: out, isTTY: true });
    view.update(
      progress([
        ['aaa', 'Downloading', 500, 1000],
        ['bbb', 'Waiting', 0, 0],
      ]),
    );
    const first = out.text;
    expect(first).toBe(
      '\x1b[2Kaaa Downloading        [============>           ] 500 B/1.0 kB\n' +
        '\x1b[2Kbbb Waiting\n' +
        '\x1b[2KPulling  [============>           ] 50% 500 B/1.0 kB\n',
    );
    view.update(
      progress(
        [
          ['aaa', 'Pull complete', 1000, 1000],
          ['bbb', 'Pull complete', 0, 0],
        ],
        true,
      ),
    );
    const second = out.text.slice(first.length);
    expect(second.startsWith('\x1b[3A')).toBe(true);
    expect(second).toContain('\x1b[2KPulled  [========================] 100% 1.0 kB/1.0 kB\n');
  });

  it('keeps lines within the terminal width and caps the rows', () => {
    const out = new Capture();
    out.columns = 40;
    const view = createProgressView({ stream: out, isTTY: true, maxRows: 3 });
    view.update(
      progress(
        Array.from(
          { length: 6 },
          (_, i) => [`layer-with-a-long-name-${i}`, 'Downloading', i, 10] as [string, string, number, number],
        ),
      ),
    );
    const lines = out.text
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replaceAll(CSI, ''));
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('… and 4 more');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(39);
  });
});
