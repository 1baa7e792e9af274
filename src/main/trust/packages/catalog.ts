/**
 * What is installed in an image, read from the files package managers leave behind: which files to read
 * (`pickFiles`, from the merged tree without reading anything) and what they say (`catalog`).
 *
 * - dpkg: /var/lib/dpkg/status (every layer's version, to find the layer that installed each package) and
 *   distroless' /var/lib/dpkg/status.d/* (one file per package);
 * - apk: /lib/apk/db/installed (every layer's version);
 * - npm: node_modules/<name>/package.json and node_modules/@scope/<name>/package.json, plus lock files
 *   (package-lock.json, node_modules/.package-lock.json) for packages whose folder is not in the image;
 * - Python: *.dist-info/METADATA, *.egg-info/PKG-INFO and single-file *.egg-info;
 * - rpm: rpmdb.sqlite (every layer's version), see rpmdb.ts;
 * - Go: the build info of executables of 1 MiB and more (Go binaries are never smaller), see golang.ts.
 */
import { PackageURL } from 'packageurl-js';
import type { Package, PackageInventory, PackageType } from '../../../shared/types/packages';
import type { CaptureFile, ScanFile, ScanView, ScannedFile, SourceImage } from '../../layers';
import { parseApkStanzas, parseDeb822, parseHeaders } from './control-fields';
import { parseGoBuildInfo, type GoBuildInfo } from './golang';
import { readRpmDatabase, rpmEvr, RPMDB_PATHS } from './rpmdb';

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const APK_INSTALLED = '/lib/apk/db/installed';
const DPKG_STATUS_D = '/var/lib/dpkg/status.d/';
const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];
const NPM_PACKAGE = /\/node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;
const NPM_LOCK = /(?:^|\/)(?:package-lock\.json|node_modules\/\.package-lock\.json)$/;
const PYTHON_METADATA = /\.(?:dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;
/** Package metadata files are small; bigger ones are not what their name says. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
const MIN_GO_BINARY_BYTES = 1024 * 1024;
const MAX_GO_BINARY_BYTES = 256 * 1024 * 1024;
const SHARED_LIBRARY = /\.so(?:\.[0-9.]+)?$/;

type Kind = 'dpkg' | 'dpkg-file' | 'apk' | 'rpm' | 'npm' | 'npm-lock' | 'python' | 'os-release';
/** Databases every install step rewrites: read in each layer, to find the layer that installed a package. */
const DATABASES = new Set<Kind | undefined>(['dpkg', 'apk', 'rpm']);

function kindOf(path: string): Kind | undefined {
  if (path === DPKG_STATUS) return 'dpkg';
  if (path === APK_INSTALLED) return 'apk';
  if (RPMDB_PATHS.includes(path)) return 'rpm';
  if (path.startsWith(DPKG_STATUS_D)) return path.endsWith('.md5sums') ? undefined : 'dpkg-file';
  if (OS_RELEASE.includes(path)) return 'os-release';
  if (NPM_PACKAGE.test(path)) return 'npm';
  if (NPM_LOCK.test(path)) return 'npm-lock';
  if (PYTHON_METADATA.test(path)) return 'python';
  return undefined;
}

/** The files to read: package metadata of the merged tree, and each layer's version of the databases. */
export function pickFiles(view: ScanView): ScanFile[] {
  const picked: ScanFile[] = [];
  const databases: ScanFile[] = [];
  for (const file of view.files()) {
    const kind = kindOf(file.path);
    if (DATABASES.has(kind)) databases.push(file);
    else if (kind !== undefined && file.size <= MAX_METADATA_BYTES) picked.push(file);
    else if (kind === undefined && isGoCandidate(file)) picked.push(file);
  }
  // A database the merged tree still has: its version in every layer up to that one.
  for (const top of databases) picked.push(...view.versions(top.path).filter((file) => file.layer <= top.layer));
  return picked;
}

function isGoCandidate(file: CaptureFile): boolean {
  return (
    (file.mode & 0o111) !== 0 &&
    file.size >= MIN_GO_BINARY_BYTES &&
    file.size <= MAX_GO_BINARY_BYTES &&
    !SHARED_LIBRARY.test(file.path)
  );
}

/** Whether a file may be picked, by path, size and mode alone (before the merged tree is known). */
export function wantsFile(file: CaptureFile): boolean {
  const kind = kindOf(file.path);
  if (kind === undefined) return isGoCandidate(file);
  return DATABASES.has(kind) || file.size <= MAX_METADATA_BYTES;
}

/** Keeps only the build info of a Go binary candidate (or nothing), as soon as it is read. */
export function reduceFile(file: CaptureFile, bytes: Buffer): Buffer {
  if (kindOf(file.path) !== undefined) return bytes;
  const info = parseGoBuildInfo(bytes);
  return Buffer.from(info ? JSON.stringify(info) : '');
}

/** A package as a cataloguer finds it, before the layer digest and purl are attached. */
interface Found {
  name: string;
  version: string;
  type: PackageType;
  layer: number;
  location: string;
  license?: string;
  source?: string;
  sourceVersion?: string;
  arch?: string;
}

export async function catalog(image: SourceImage, files: ScannedFile[], digest: string): Promise<PackageInventory> {
  const warnings: string[] = [];
  const found: Found[] = [];
  let os: PackageInventory['os'];
  const databases = new Map<string, ScannedFile[]>();
  const lockFiles: ScannedFile[] = [];
  for (const file of files) {
    const kind = kindOf(file.path);
    try {
      const text = file.bytes.toString('utf8');
      if (DATABASES.has(kind)) databases.set(file.path, [...(databases.get(file.path) ?? []), file]);
      else if (kind === undefined) found.push(...goModules(text, file));
      else if (kind === 'dpkg-file') found.push(...dpkgPackages(text, file.path, file.layer));
      else if (kind === 'npm') found.push(...npmPackage(text, file));
      else if (kind === 'npm-lock') lockFiles.push(file);
      else if (kind === 'python') found.push(...pythonPackage(text, file));
      else if (kind === 'os-release' && (os === undefined || file.path === OS_RELEASE[0])) os = osRelease(text);
    } catch (error) {
      warnings.push(`${file.path} (layer ${file.layer}) could not be read: ${(error as Error).message}`);
    }
  }
  for (const [path, versions] of databases) {
    try {
      const lists = await Promise.all(
        versions.map(async (file) => {
          if (kindOf(path) === 'rpm') {
            const read = await rpmPackages(file);
            warnings.push(...read.problems.map((problem) => `${path} (layer ${file.layer}): ${problem}`));
            return read.found;
          }
          return (path === DPKG_STATUS ? dpkgPackages : apkPackages)(file.bytes.toString('utf8'), path, file.layer);
        }),
      );
      found.push(...attributeLayers(lists));
    } catch (error) {
      warnings.push(`${path} could not be read: ${(error as Error).message}`);
    }
  }
  const npmLocations = new Set(found.filter((item) => item.type === 'npm').map((item) => item.location));
  for (const file of lockFiles) {
    try {
      found.push(...npmLockPackages(file, npmLocations));
    } catch (error) {
      warnings.push(`${file.path} (layer ${file.layer}) could not be read: ${(error as Error).message}`);
    }
  }
  const packages = found.map((item) => withPurl(item, image, os));
  packages.sort(
    (a, b) => a.type.localeCompare(b.type) || compareText(a.name, b.name) || compareText(a.location, b.location),
  );
  return { digest, packages, ...(os ? { os } : {}), warnings };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A database rewritten by each install step: each package's layer is the lowest layer from which on every
 * version of the database lists it with the version it has at the top.
 */
function attributeLayers(versions: Found[][]): Found[] {
  const top = versions[versions.length - 1] ?? [];
  const keyOf = (item: Found) => `${item.name}\u0000${item.version}\u0000${item.arch ?? ''}`;
  const sets = versions.map((list) => new Set(list.map(keyOf)));
  return top.map((item) => {
    let index = versions.length - 1;
    while (index > 0 && sets[index - 1]!.has(keyOf(item))) index--;
    return { ...item, layer: versions[index]![0]?.layer ?? item.layer };
  });
}

function dpkgPackages(text: string, location: string, layer: number): Found[] {
  return parseDeb822(text).flatMap((fields): Found[] => {
    const name = fields.get('package');
    const version = fields.get('version');
    // status.d files have no Status field; the status database lists removed packages too.
    const status = fields.get('status');
    if (!name || !version || (status !== undefined && status.split(/\s+/)[2] !== 'installed')) return [];
    const arch = fields.get('architecture');
    // `Source: name (version)` when the source version differs; no Source field when it is the binary's name.
    const source = /^(\S+)(?:\s+\((\S+)\))?/.exec(fields.get('source') ?? '');
    return [
      {
        name,
        version,
        type: 'deb',
        layer,
        location,
        source: source?.[1] ?? name,
        ...(source?.[2] ? { sourceVersion: source[2] } : {}),
        ...(arch ? { arch } : {}),
      },
    ];
  });
}

async function rpmPackages(file: ScannedFile): Promise<{ found: Found[]; problems: string[] }> {
  const { packages, problems } = await readRpmDatabase(file.bytes);
  const found = packages
    // The database lists rpm's own pseudo-package for imported signing keys.
    .filter((header) => header.name !== 'gpg-pubkey')
    .map((header): Found => ({
      name: header.name,
      version: rpmEvr(header),
      type: 'rpm',
      layer: file.layer,
      location: file.path,
      ...(header.license ? { license: header.license } : {}),
      ...(header.arch ? { arch: header.arch } : {}),
      // `name-version-release.src.rpm`: the source package's name.
      ...(header.sourceRpm ? { source: header.sourceRpm.replace(/-[^-]+-[^-]+\.src\.rpm$/, '') } : {}),
    }));
  return { found, problems };
}

/** A Go binary's main module (when it has a version) and its dependencies. */
function goModules(text: string, file: ScanFile): Found[] {
  if (text === '') return [];
  const info = JSON.parse(text) as GoBuildInfo;
  const modules = [
    ...(info.main && info.main.version !== '(devel)' && info.main.version !== '' ? [info.main] : []),
    ...info.deps,
  ];
  return modules.map((module) => ({
    name: module.path,
    version: module.version,
    type: 'golang',
    layer: file.layer,
    location: file.path,
  }));
}

function apkPackages(text: string, location: string, layer: number): Found[] {
  return parseApkStanzas(text).flatMap((fields): Found[] => {
    const name = fields.get('P');
    const version = fields.get('V');
    if (!name || !version) return [];
    const license = fields.get('L');
    const arch = fields.get('A');
    const origin = fields.get('o');
    return [
      {
        name,
        version,
        type: 'apk',
        layer,
        location,
        ...(license ? { license } : {}),
        ...(arch ? { arch } : {}),
        ...(origin ? { source: origin } : {}),
      },
    ];
  });
}

/** package.json's license: a string, `{ type }`, or the old `licenses: [{ type }]`. */
function npmLicense(json: Record<string, unknown>): string | undefined {
  const license = json.license;
  if (typeof license === 'string') return license;
  if (license && typeof license === 'object' && typeof (license as { type?: unknown }).type === 'string')
    return (license as { type: string }).type;
  if (Array.isArray(json.licenses)) {
    const types = json.licenses
      .map((item: unknown) => (item && typeof item === 'object' ? (item as { type?: unknown }).type : item))
      .filter((type): type is string => typeof type === 'string');
    if (types.length > 0) return types.length === 1 ? types[0] : `(${types.join(' OR ')})`;
  }
  return undefined;
}

function npmPackage(text: string, file: ScanFile): Found[] {
  const json = JSON.parse(text) as Record<string, unknown>;
  const { name, version } = json;
  if (typeof name !== 'string' || typeof version !== 'string' || name === '' || version === '') return [];
  const license = npmLicense(json);
  return [{ name, version, type: 'npm', layer: file.layer, location: file.path, ...(license ? { license } : {}) }];
}

/**
 * Lock files (v2/v3 `packages`, keyed by folder) name what `npm ci` installs; packages whose folder the image
 * has are already listed from their package.json, so only the others come from the lock file.
 */
function npmLockPackages(file: ScannedFile, installed: Set<string>): Found[] {
  const json = JSON.parse(file.bytes.toString('utf8')) as { packages?: Record<string, Record<string, unknown>> };
  if (!json.packages || typeof json.packages !== 'object') return [];
  const root = file.path.endsWith('/node_modules/.package-lock.json')
    ? file.path.slice(0, -'/node_modules/.package-lock.json'.length)
    : file.path.slice(0, file.path.lastIndexOf('/'));
  return Object.entries(json.packages).flatMap(([folder, entry]): Found[] => {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(folder);
    if (!match || !entry || typeof entry.version !== 'string' || entry.link === true) return [];
    const location = `${root}/${folder}/package.json`;
    if (installed.has(location)) return [];
    const name = typeof entry.name === 'string' ? entry.name : match[1]!;
    const license = typeof entry.license === 'string' ? entry.license : undefined;
    return [
      {
        name,
        version: entry.version,
        type: 'npm',
        layer: file.layer,
        location: file.path,
        ...(license ? { license } : {}),
      },
    ];
  });
}

function pythonPackage(text: string, file: ScanFile): Found[] {
  const headers = parseHeaders(text);
  const name = headers.get('name');
  const version = headers.get('version');
  if (!name || !version) return [];
  const declared = headers.get('license-expression') ?? headers.get('license');
  // Old METADATA puts the whole licence text in License: keep a name, not a page.
  const license =
    declared && declared !== 'UNKNOWN' && !declared.includes('\n') && declared.length <= 128 ? declared : undefined;
  return [{ name, version, type: 'pypi', layer: file.layer, location: file.path, ...(license ? { license } : {}) }];
}

/** os-release(5): KEY=value lines, values optionally quoted. */
function osRelease(text: string): PackageInventory['os'] {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  const id = values.get('ID');
  if (!id) return undefined;
  const versionId = values.get('VERSION_ID');
  const versionCodename = values.get('VERSION_CODENAME');
  return { id, ...(versionId ? { versionId } : {}), ...(versionCodename ? { versionCodename } : {}) };
}

/** purl-spec types: deb and apk name the distribution as namespace; npm scopes are namespaces. */
function withPurl(item: Found, image: SourceImage, os: PackageInventory['os']): Package {
  const layer = image.layers[item.layer]!;
  let namespace: string | undefined;
  let name = item.name;
  const qualifiers: Record<string, string> = {};
  if (item.type === 'deb' || item.type === 'apk') {
    namespace = os?.id ?? (item.type === 'deb' ? 'debian' : 'alpine');
    if (item.arch) qualifiers.arch = item.arch;
    if (os?.versionId) qualifiers.distro = `${os.id}-${os.versionId}`;
  } else if (item.type === 'rpm') {
    namespace = os?.id ?? 'redhat';
    if (item.arch) qualifiers.arch = item.arch;
    if (os?.versionId) qualifiers.distro = `${os.id}-${os.versionId}`;
  } else if (item.type === 'golang' && name.includes('/')) {
    namespace = name.slice(0, name.lastIndexOf('/'));
    name = name.slice(name.lastIndexOf('/') + 1);
  } else if (item.type === 'npm' && name.startsWith('@') && name.includes('/')) {
    namespace = name.slice(0, name.indexOf('/'));
    name = name.slice(name.indexOf('/') + 1);
  }
  const purl = new PackageURL(
    item.type,
    namespace,
    name,
    item.version,
    Object.keys(qualifiers).length > 0 ? qualifiers : undefined,
    undefined,
  ).toString();
  return {
    name: item.name,
    version: item.version,
    type: item.type,
    purl,
    layer: layer.digest,
    layerIndex: item.layer,
    location: item.location,
    ...(item.license ? { license: item.license } : {}),
    ...(item.source ? { source: item.source } : {}),
    ...(item.sourceVersion ? { sourceVersion: item.sourceVersion } : {}),
    ...(item.arch ? { arch: item.arch } : {}),
  };
}
