import { describe, expect, it } from 'vitest';
import { alignHistory, instructionOf } from '../../../src/renderer/views/compare/history-align';

describe('alignHistory', () => {
  it('keeps common steps facing each other and pairs the steps between them', () => {
    const nop = (s: string) => `/bin/sh -c #(nop) ${s}`;
    const a = [nop('ADD rootfs'), nop('COPY app'), nop('ENV APP_ENV=dev'), nop('LABEL x=1'), nop('USER app')];
    const b = [
      nop('ADD rootfs'),
      nop('COPY app'),
      nop('COPY update'),
      '/bin/sh -c warm-cache',
      nop('ENV APP_ENV=staging'),
      nop('USER app'),
      nop('CMD serve'),
    ];
    expect(alignHistory(a, b).map((r) => `${r.kind}:${r.stepA ?? '-'}:${r.stepB ?? '-'}`)).toEqual([
      'same:1:1',
      'same:2:2',
      'added:-:3',
      'added:-:4',
      'changed:3:5',
      'removed:4:-',
      'same:5:6',
      'added:-:7',
    ]);
  });

  it('names the instruction of classic, shell and BuildKit steps', () => {
    expect(instructionOf('/bin/sh -c #(nop)  ENV A=1')).toBe('ENV');
    expect(instructionOf('/bin/sh -c apt-get update')).toBe('RUN');
    expect(instructionOf('COPY . /app # buildkit')).toBe('COPY');
  });

  it('handles identical, emptied and one-sided histories', () => {
    expect(alignHistory(['x'], ['x'])).toEqual([{ kind: 'same', a: 'x', b: 'x', stepA: 1, stepB: 1 }]);
    expect(alignHistory(['x', 'y'], [])).toEqual([
      { kind: 'removed', a: 'x', stepA: 1 },
      { kind: 'removed', a: 'y', stepA: 2 },
    ]);
    expect(alignHistory([], [])).toEqual([]);
  });
});
