/**
 * RPM version order: rpmvercmp (rpm's rpmio/rpmvercmp.c) on version and release, after the epoch
 * (missing = 0), as `rpm.vercmp` and `rpmdev-vercmp` apply it to `[epoch:]version[-release]`.
 * Segments are runs of digits (compared as numbers; a number beats letters) or letters; other characters
 * only separate, `~` sorts before anything (even the end) and `^` after the end but before anything else.
 */

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';
const isAlpha = (char: string | undefined): boolean =>
  char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z'));
const isAlnum = (char: string | undefined): boolean => isDigit(char) || isAlpha(char);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let endA = i;
    let endB = j;
    const numeric = isDigit(a[i]);
    const inSegment = numeric ? isDigit : isAlpha;
    while (inSegment(a[endA])) endA++;
    while (inSegment(b[endB])) endB++;
    // A numeric segment against an alphabetic one: the number is newer.
    if (endB === j) return numeric ? 1 : -1;
    let segA = a.slice(i, endA);
    let segB = b.slice(j, endB);
    if (numeric) {
      segA = segA.replace(/^0+/, '');
      segB = segB.replace(/^0+/, '');
      if (segA.length !== segB.length) return segA.length > segB.length ? 1 : -1;
    }
    if (segA !== segB) return segA < segB ? -1 : 1;
    i = endA;
    j = endB;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** `[epoch:]version[-release]`, the release after the last hyphen. */
function parseEvr(evr: string): { epoch: number; version: string; release?: string } {
  const colon = evr.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(evr.slice(0, colon)) ? Number(evr.slice(0, colon)) : 0;
  const rest = colon > 0 ? evr.slice(colon + 1) : evr;
  const hyphen = rest.lastIndexOf('-');
  return hyphen >= 0
    ? { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) }
    : { epoch, version: rest };
}

export function compareRpm(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  const version = rpmvercmp(x.version, y.version);
  if (version !== 0) return version;
  // As rpm.vercmp: a missing release is empty, older than any release ("9" < "9-1").
  return rpmvercmp(x.release ?? '', y.release ?? '');
}
