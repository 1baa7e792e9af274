/**
 * Each ecosystem's own version order, for package diffs (upgraded or downgraded) and for matching
 * vulnerability ranges: dpkg, apk, semver (npm), PEP 440 (Python), rpm and Go modules.
 */
import type { PackageType } from '../../../../shared/types/packages';
import { compareApk } from './apk';
import { compareDpkg } from './dpkg';
import { comparePep440 } from './pep440';
import { compareRpm } from './rpm';
import { compareGo, compareSemver } from './semver';

const ORDERS: Record<PackageType, (a: string, b: string) => number> = {
  deb: compareDpkg,
  apk: (a, b) => compareApk(a, b),
  npm: compareSemver,
  pypi: comparePep440,
  rpm: compareRpm,
  golang: compareGo,
};

/** Negative when `a` is older than `b`, 0 when they are the same version, positive when newer. */
export function compareVersions(type: PackageType, a: string, b: string): number {
  return Math.sign(ORDERS[type](a, b));
}
