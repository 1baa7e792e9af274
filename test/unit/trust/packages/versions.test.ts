/**
 * Each ecosystem's version order against an independent implementation that runs here: dpkg's own
 * `dpkg --compare-versions`, Debian's python3-packaging for PEP 440, Debian's `rpm` (its Lua `rpm.vercmp`),
 * apk-tools' own test data, and npm's `semver` package for npm and Go. Pairs are generated from a fixed seed,
 * many per ecosystem, and every one is compared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareApk, isValidApkVersion } from '../../../../src/main/trust/packages/versions/apk';
import { compareVersions } from '../../../../src/main/trust/packages/versions';

const work = mkdtempSync(join(tmpdir(), 'berth-versions-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A small deterministic generator (mulberry32), so a failure names pairs that come back on the next run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** Pairs made of near-identical versions (one part changed), which is where orders disagree. */
function pairs(count: number, seed: number, make: (next: () => number) => string, prefixes = true): [string, string][] {
  const next = random(seed);
  const made: [string, string][] = [];
  for (let index = 0; index < count; index++) {
    const a = make(next);
    const b = next() < 0.3 ? a : make(next);
    made.push(next() < 0.5 ? [a, b] : [b, a]);
    // A prefix of a version against the version: "1.0" vs "1.0~rc1", "1.0" vs "1.0a".
    const cut = Math.max(1, Math.floor(next() * a.length));
    if (prefixes && /^[0-9]/.test(a.slice(0, cut)) && /[0-9a-zA-Z]$/.test(a.slice(0, cut)))
      made.push([a.slice(0, cut), a]);
  }
  return made;
}

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

function expectSameOrder(type: Parameters<typeof compareVersions>[0], list: [string, string][], expected: number[]) {
  expect(expected).toHaveLength(list.length);
  const mismatches = list
    .map(([a, b], index) => ({ a, b, expected: expected[index], berth: compareVersions(type, a, b) }))
    .filter((row) => row.expected !== row.berth);
  expect(mismatches.slice(0, 10)).toEqual([]);
}

describe('dpkg order', () => {
  const chars = [
    '0',
    '1',
    '2',
    '9',
    '10',
    '00',
    '.',
    '+',
    '~',
    'a',
    'b',
    'z',
    'A',
    'Z',
    '~rc',
    '+dfsg',
    '.1',
    'ubuntu',
  ];
  const list = pairs(1000, 1, (next) => {
    let upstream = String(Math.floor(next() * 20));
    for (let part = Math.floor(next() * 5); part > 0; part--) upstream += pick(next, chars);
    const epoch = next() < 0.15 ? `${Math.floor(next() * 3)}:` : '';
    const revision =
      next() < 0.6 ? `-${Math.floor(next() * 5)}${pick(next, ['', '+deb12u1', '~bpo1', '.1', 'a'])}` : '';
    return `${epoch}${upstream}${revision}`;
  });

  it(`orders ${list.length} pairs as dpkg --compare-versions does`, () => {
    const file = join(work, 'dpkg-pairs');
    writeFileSync(file, list.map(([a, b]) => `${a} ${b}`).join('\n') + '\n');
    const script = `while read -r a b; do
      if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi
    done < "$1"`;
    const expected = run('sh', ['-c', script, 'sh', file]).trim().split('\n').map(Number);
    expectSameOrder('deb', list, expected);
  });

  it('follows deb-version(7) on the classic cases', () => {
    expect(compareVersions('deb', '1.0~rc1', '1.0')).toBe(-1);
    expect(compareVersions('deb', '1:0.1', '2.0')).toBe(1);
    expect(compareVersions('deb', '1.0-1', '1.0-1+deb12u1')).toBe(-1);
    expect(compareVersions('deb', '1.0', '1.0-0')).toBe(0);
  });
});

describe('PEP 440 order', () => {
  const list = pairs(
    1500,
    2,
    (next) => {
      const release = Array.from({ length: 1 + Math.floor(next() * 3) }, () => String(Math.floor(next() * 4))).join(
        '.',
      );
      const epoch = next() < 0.1 ? `${Math.floor(next() * 2)}!` : '';
      const pre =
        next() < 0.4
          ? `${pick(next, ['a', 'b', 'rc', 'alpha', 'beta', 'c', 'pre', 'preview', '-a', '.b'])}${pick(next, ['', '0', '1', '2'])}`
          : '';
      const post = next() < 0.3 ? pick(next, ['.post1', '.post0', '-1', 'post2', '.rev1', 'r3', '.post']) : '';
      const dev = next() < 0.3 ? pick(next, ['.dev0', '.dev1', 'dev2', '.dev']) : '';
      const local = next() < 0.2 ? `+${pick(next, ['1', 'ubuntu1', 'a.1', '1.a', 'abc', '2.0'])}` : '';
      return `${epoch}${release}${pre}${post}${dev}${local}`;
    },
    false,
  );

  it(`orders ${list.length} pairs as python3-packaging does`, () => {
    const script = `import json, sys
from packaging.version import Version
out = []
for a, b in json.load(sys.stdin):
    x, y = Version(a), Version(b)
    out.append(-1 if x < y else (0 if x == y else 1))
print(json.dumps(out))`;
    // Debian's python3 and its python3-packaging, whatever python3 comes first on PATH.
    const expected = JSON.parse(run('/usr/bin/python3', ['-c', script], JSON.stringify(list))) as number[];
    expectSameOrder('pypi', list, expected);
  });
});

describe('rpm order', () => {
  const parts = [
    '1',
    '2',
    '10',
    '01',
    '0',
    'a',
    'b',
    'alpha',
    'rc',
    '.',
    '_',
    '+',
    '~',
    '^',
    '~rc1',
    '^git1',
    'el9',
    '.fc40',
  ];
  const list = pairs(1500, 3, (next) => {
    let version = String(Math.floor(next() * 12));
    for (let part = Math.floor(next() * 5); part > 0; part--) version += pick(next, parts);
    const epoch = next() < 0.15 ? `${Math.floor(next() * 3)}:` : '';
    const release =
      next() < 0.6 ? `-${Math.floor(next() * 5)}${pick(next, ['', '.el9', '.fc40', 'a', '~1', '^1'])}` : '';
    return `${epoch}${version}${release}`;
  });

  it(`orders ${list.length} pairs as rpm's rpm.vercmp does`, () => {
    const file = join(work, 'rpm-pairs');
    writeFileSync(file, list.map(([a, b]) => `${a} ${b}`).join('\n') + '\n');
    // rpm's Lua print() writes into the macro's output without newlines: join the results once.
    const lua = `%{lua: local out = {}; for line in io.lines('${file}') do local a, b = line:match('^(%S+) (%S+)$'); out[#out + 1] = rpm.vercmp(a, b) end; print(table.concat(out, ' '))}`;
    const expected = run('rpm', ['--eval', lua]).trim().split(' ').map(Number);
    expectSameOrder('rpm', list, expected);
  });
});

describe('apk order', () => {
  const lines = readFileSync(join(__dirname, '../../../fixtures/apk-tools/version.data'), 'utf8')
    .split('\n')
    .map((line) => line.split('#')[0]!.trim())
    .filter(Boolean);

  it(`passes every line of apk-tools' own version.data (${lines.length} lines)`, () => {
    const masks: Record<string, number> = { '=': 1, '<': 2, '>': 4, '~': 8 | 1 };
    const failures = lines.filter((line) => {
      const fields = line.split(' ');
      if (fields.length === 1) {
        const invert = line.startsWith('!');
        return isValidApkVersion(invert ? line.slice(1) : line) === invert;
      }
      const [a, rawOp, b] = fields as [string, string, string];
      const invert = rawOp.startsWith('!');
      const op = [...(invert ? rawOp.slice(1) : rawOp)].reduce((mask, char) => mask | masks[char]!, 0);
      const fuzzy = (op & 8) !== 0;
      const result = compareApk(a, b, fuzzy);
      const bit = result < 0 ? 2 : result > 0 ? 4 : 1;
      return ((op & bit) !== 0) === invert;
    });
    expect(failures).toEqual([]);
  });
});

describe('semver orders (npm, Go)', () => {
  const list = pairs(
    800,
    4,
    (next) => {
      const core = [0, 0, 0].map(() => Math.floor(next() * 3)).join('.');
      const pre =
        next() < 0.4
          ? `-${pick(next, ['alpha', 'alpha.1', 'beta.2', 'rc.1', '0', '1', 'x.7.z.92', 'alpha.beta'])}`
          : '';
      return `${core}${pre}`;
    },
    false,
  );

  it('orders npm versions by semver precedence and Go versions the same with their v prefix', () => {
    const expected = JSON.parse(
      run(process.execPath, [
        '-e',
        `const semver = require('semver'); const pairs = ${JSON.stringify(list)}; console.log(JSON.stringify(pairs.map(([a, b]) => semver.compare(a, b))));`,
      ]),
    ) as number[];
    expectSameOrder('npm', list, expected);
    expectSameOrder(
      'golang',
      list.map(([a, b]) => [`v${a}`, `v${b}`]),
      expected,
    );
    expect(compareVersions('golang', 'v0.0.0-20240101000000-abcdefabcdef', 'v0.1.0')).toBe(-1);
    expect(compareVersions('golang', 'v2.0.0+incompatible', 'v2.0.0')).toBe(0);
    expect(compareVersions('golang', 'v1.2', 'v1.2.0')).toBe(0);
  });
});
