/**
 * Which OSV ecosystem an installed package belongs to, and how OSV names packages there
 * (https://ossf.github.io/osv-schema/#affectedpackage-field). Distribution ecosystems carry the release:
 * `Debian:12` from `/etc/os-release` VERSION_ID, `Alpine:v3.19` from its major.minor.
 */

/** The fields of `/etc/os-release` matching needs (as the package inventory reads them). */
export interface OsRelease {
  id: string;
  versionId: string;
}

/** The OSV ecosystem to look a package up in, or undefined when Berth has no mapping (rpm distributions). */
export function osvEcosystem(type: string, os: OsRelease | undefined): string | undefined {
  switch (type) {
    case 'npm':
      return 'npm';
    case 'pypi':
      return 'PyPI';
    case 'golang':
      return 'Go';
    case 'deb':
      // OSV's Debian releases are the major version only: `Debian:12` (VERSION_ID is "12" already).
      return os?.id === 'debian' ? `Debian:${os.versionId.split('.')[0]}` : undefined;
    case 'apk': {
      if (os?.id !== 'alpine') return undefined;
      const [major, minor] = os.versionId.split('.');
      return minor === undefined ? undefined : `Alpine:v${major}.${minor}`;
    }
    default:
      return undefined;
  }
}

/** Ecosystem names compared without case (the schema's list is case-exact, but exports have varied). */
export function ecosystemKey(ecosystem: string): string {
  return ecosystem.toLowerCase();
}

/** PyPI names compare after PEP 503 normalisation; other ecosystems name packages exactly. */
export function normalizePackageName(ecosystem: string, name: string): string {
  return ecosystemKey(ecosystem) === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

/** Go build info writes `v1.2.3`; OSV's Go records write `1.2.3`. */
export function osvVersion(type: string, version: string): string {
  return type === 'golang' && version.startsWith('v') ? version.slice(1) : version;
}
