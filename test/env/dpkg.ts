import { execFileSync } from 'node:child_process';

/** `dpkg --compare-versions A lt B`: Debian's own version order, as ground truth for tests. */
export function dpkgLess(a: string, b: string): boolean {
  try {
    execFileSync('dpkg', ['--compare-versions', a, 'lt', b]);
    return true;
  } catch {
    return false;
  }
}
