/**
 * Debian version order, as dpkg's lib/dpkg/version.c (dpkg_version_compare / verrevcmp) defines it and
 * deb-version(7) documents: `[epoch:]upstream[-revision]`, epochs compared as numbers, then upstream and
 * revision by alternating non-digit runs (letters before other characters, `~` before everything, even the
 * end) and digit runs compared as numbers.
 */

function order(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char >= '0' && char <= '9') return 0;
  if ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z')) return char.charCodeAt(0);
  if (char === '~') return -1;
  return char.charCodeAt(0) + 256;
}

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** dpkg's parseversion: the epoch before the first colon, the revision after the last hyphen. */
function parse(version: string): DebianVersion {
  const trimmed = version.trim();
  const colon = trimmed.indexOf(':');
  const epoch = colon > 0 ? Number(trimmed.slice(0, colon)) : 0;
  const rest = colon > 0 ? trimmed.slice(colon + 1) : trimmed;
  const hyphen = rest.lastIndexOf('-');
  return {
    epoch: Number.isFinite(epoch) ? epoch : 0,
    upstream: hyphen >= 0 ? rest.slice(0, hyphen) : rest,
    revision: hyphen >= 0 ? rest.slice(hyphen + 1) : '',
  };
}

export function compareDpkg(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  return Math.sign(verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision));
}
