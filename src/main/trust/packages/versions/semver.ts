/**
 * Semantic Versioning 2.0.0 order (https://semver.org/#spec-item-11) with the `semver` package npm itself
 * uses, for npm packages (loose parsing, as npm reads package.json) and Go modules (`v1.2.3`, pseudo-versions
 * being pre-releases, `+incompatible` build metadata ignored, as golang.org/x/mod/semver compares).
 * A version that is not semver sorts below every valid one, then as a plain string.
 */
import { SemVer } from 'semver';

function parse(version: string): SemVer | undefined {
  try {
    return new SemVer(version, { loose: true });
  } catch {
    return undefined;
  }
}

function compareParsed(a: string, b: string, x: SemVer | undefined, y: SemVer | undefined): number {
  if (x && y) return x.compare(y);
  if (x || y) return x ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: string, b: string): number {
  return compareParsed(a, b, parse(a), parse(b));
}

/** Go module versions always start with `v`; `v1.2` and `v1` are shorthands x/mod/semver accepts. */
function parseGo(version: string): SemVer | undefined {
  const match = /^v(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!match) return undefined;
  const [, major, minor, patch, pre] = match;
  if (pre !== undefined && (minor === undefined || patch === undefined)) return undefined;
  return parse(`${major}.${minor ?? 0}.${patch ?? 0}${pre ?? ''}`);
}

export function compareGo(a: string, b: string): number {
  return compareParsed(a, b, parseGo(a), parseGo(b));
}
