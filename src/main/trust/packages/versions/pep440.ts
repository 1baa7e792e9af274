/**
 * PEP 440 version order (https://packaging.python.org/en/latest/specifications/version-specifiers/), as
 * `packaging.version.Version` implements it: normalised spellings (`alpha` = `a`, `c`/`pre`/`preview` = `rc`,
 * `rev`/`r` = `post`, `-`/`_`/`.` separators, `1.0-1` = `1.0.post1`), then epoch, release (trailing zeros
 * ignored), pre-release, post-release, dev-release and local label in packaging's `_cmpkey` order.
 * A version PEP 440 cannot parse sorts as a plain string below every valid one (as pip's legacy order did).
 */

// packaging's VERSION_PATTERN, verbatim (case-insensitive, surrounding whitespace allowed).
const VERSION_PATTERN = new RegExp(
  '^\\s*v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_\\.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_\\.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_\\.]?(?<post_l>post|rev|r)[-_\\.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_\\.]?(?<dev_l>dev)[-_\\.]?(?<dev_n>[0-9]+)?)?)' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_\\.][a-z0-9]+)*))?\\s*$',
  'i',
);

const PRE_LABELS: Record<string, string> = {
  alpha: 'a',
  a: 'a',
  beta: 'b',
  b: 'b',
  c: 'rc',
  pre: 'rc',
  preview: 'rc',
  rc: 'rc',
};

/** Infinity and -Infinity stand for packaging's Infinity / NegativeInfinity sentinels. */
type KeyPart = number | bigint | string;

interface Pep440Key {
  epoch: bigint;
  release: bigint[];
  pre: [number, bigint] | number;
  post: bigint | number;
  dev: bigint | number;
  local: [KeyPart, KeyPart][] | number;
}

export function parsePep440(version: string): Pep440Key | undefined {
  const match = VERSION_PATTERN.exec(version);
  if (!match?.groups) return undefined;
  const g = match.groups;
  const release = g.release!.split('.').map(BigInt);
  while (release.length > 0 && release[release.length - 1] === 0n) release.pop();
  const preLabel = g.pre_l ? PRE_LABELS[g.pre_l.toLowerCase()]! : undefined;
  const pre = preLabel ? ([['a', 'b', 'rc'].indexOf(preLabel), BigInt(g.pre_n ?? 0)] as [number, bigint]) : undefined;
  const post = g.post_n1 !== undefined ? BigInt(g.post_n1) : g.post_l ? BigInt(g.post_n2 ?? 0) : undefined;
  const dev = g.dev_l ? BigInt(g.dev_n ?? 0) : undefined;
  const local = g.local
    ? g.local
        .toLowerCase()
        .split(/[-_.]/)
        .map((part): [KeyPart, KeyPart] => (/^[0-9]+$/.test(part) ? [BigInt(part), ''] : [-Infinity, part]))
    : undefined;
  return {
    epoch: BigInt(g.epoch ?? 0),
    release,
    // A dev release without pre or post sorts before any pre-release of the same version: 1.0.dev0 < 1.0a0.
    pre: pre ?? (post === undefined && dev !== undefined ? -Infinity : Infinity),
    post: post ?? -Infinity,
    dev: dev ?? Infinity,
    local: local ?? -Infinity,
  };
}

function compareParts(a: KeyPart, b: KeyPart): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' || typeof b === 'string') return typeof a === 'string' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSequences<T>(
  a: readonly T[],
  b: readonly T[],
  compare: (x: T, y: T) => number = compareParts as (x: T, y: T) => number,
): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const result = compare(a[index]!, b[index]!);
    if (result !== 0) return result;
  }
  return Math.sign(a.length - b.length);
}

function compareSentinel<T>(a: T | number, b: T | number, compare: (x: T, y: T) => number): number {
  const sentinel = (value: T | number): value is number => typeof value === 'number';
  if (sentinel(a) || sentinel(b)) {
    const x = sentinel(a) ? a : 0;
    const y = sentinel(b) ? b : 0;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compare(a, b);
}

export function comparePep440(a: string, b: string): number {
  const x = parsePep440(a);
  const y = parsePep440(b);
  if (!x || !y) {
    if (x || y) return x ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return (
    compareSequences(x.release, y.release) ||
    compareSentinel(x.pre, y.pre, (p, q) => compareSequences(p, q)) ||
    compareSentinel(x.post, y.post, (p, q) => compareParts(p, q)) ||
    compareSentinel(x.dev, y.dev, (p, q) => compareParts(p, q)) ||
    compareSentinel(x.local, y.local, (p, q) => compareSequences(p, q, (m, n) => compareSequences(m, n)))
  );
}
