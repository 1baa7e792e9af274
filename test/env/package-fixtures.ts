/**
 * Images with installed packages, for the package inventory tests and benchmarks, each with an expectation
 * from a source independent of Berth:
 *
 * - a Debian 12 root filesystem made by `debootstrap --variant=minbase bookworm` (from the machine's Debian
 *   mirror; about two minutes once, then cached like the seeded registries: BERTH_FIXTURE_CACHE, default
 *   /var/tmp/berth-fixture-cache), whose packages `dpkg-query --admindir=ROOTFS/var/lib/dpkg -W` lists. When
 *   debootstrap cannot run here (no mirror, not root), the host's own /var/lib/dpkg/status stands in, in an
 *   otherwise empty root filesystem, and `origin` says so;
 * - npm packages copied from this project's node_modules, which `npm ls --all --json` lists;
 * - Python distributions' metadata copied from Debian's /usr/lib/python3/dist-packages, which Python's own
 *   importlib.metadata lists;
 * - an apk database written from a package list given here (no apk tool runs on Debian).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addHostTree, buildTar, compress, sha256, type TreeBuilder } from './layers';
import { run } from './process';

export function fixtureCacheRoot(): string {
  return process.env.BERTH_FIXTURE_CACHE ?? join('/var/tmp', 'berth-fixture-cache');
}

export interface DebianRootfs {
  /** The root filesystem (its dpkg database is at var/lib/dpkg). */
  dir: string;
  /** The whole root filesystem as one gzip layer, and the sha256 of its tar. */
  layerFile: string;
  diffId: string;
  origin: 'debootstrap' | 'host-status';
}

/** The first Debian archive URL of the machine's apt sources (deb822 `URIs:` or one-line `deb URL`). */
async function debianMirror(): Promise<string | undefined> {
  const files = ['/etc/apt/sources.list'];
  for (const name of await readdir('/etc/apt/sources.list.d').catch(() => [] as string[]))
    files.push(join('/etc/apt/sources.list.d', name));
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const match of text.matchAll(/^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)) {
      if (!/security/.test(match[1]!)) return match[1]!;
    }
  }
  return undefined;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** The cached Debian root filesystem, built on first use (staged, then renamed into place). */
export async function debianRootfs(): Promise<DebianRootfs> {
  const cache = join(fixtureCacheRoot(), 'debootstrap-bookworm-minbase');
  const marker = join(cache, 'fixture.json');
  if (existsSync(marker))
    return {
      ...(JSON.parse(await readFile(marker, 'utf8')) as DebianRootfs),
      dir: join(cache, 'rootfs'),
      layerFile: join(cache, 'layer.tar.gz'),
    };
  await mkdir(fixtureCacheRoot(), { recursive: true });
  const staging = await mkdtemp(join(fixtureCacheRoot(), 'staging-'));
  try {
    const rootfs = join(staging, 'rootfs');
    let origin: DebianRootfs['origin'] = 'debootstrap';
    const mirror = await debianMirror();
    try {
      if (!mirror) throw new Error('no Debian mirror in the apt sources');
      await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], { timeoutMs: 900_000 });
    } catch (error) {
      process.stderr.write(
        `debootstrap could not build a root filesystem (${(error as Error).message.slice(0, 300)}); using the host's dpkg status instead\n`,
      );
      origin = 'host-status';
      await rm(rootfs, { recursive: true, force: true });
      await mkdir(join(rootfs, 'var/lib/dpkg'), { recursive: true });
      await mkdir(join(rootfs, 'etc'), { recursive: true });
      await cp('/var/lib/dpkg/status', join(rootfs, 'var/lib/dpkg/status'));
      await cp('/etc/os-release', join(rootfs, 'etc/os-release'), { dereference: true });
    }
    const tar = join(staging, 'layer.tar');
    await run('tar', ['--numeric-owner', '--sort=name', '-C', rootfs, '-cf', tar, '.'], { timeoutMs: 600_000 });
    const diffId = await sha256File(tar);
    await run('gzip', ['-1', tar], { timeoutMs: 600_000 });
    await writeFile(join(staging, 'fixture.json'), JSON.stringify({ diffId, origin }));
    await rename(staging, cache).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished first: use its copy.
      if (!existsSync(marker)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return debianRootfs();
}

/** `dpkg-query -W` on a dpkg database folder: `name\tversion\tsource` per installed package, sorted. */
export async function dpkgQuery(admindir: string): Promise<string[]> {
  const { stdout } = await run('dpkg-query', [
    `--admindir=${admindir}`,
    '-W',
    '-f',
    '${db:Status-Status}\t${Package}\t${Version}\t${source:Package}\n',
  ]);
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('installed\t'))
    .map((line) => line.slice('installed\t'.length))
    .sort();
}

/** A dpkg database folder holding only `status` (all dpkg-query needs), for an edited status file. */
export async function adminDirWith(status: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dpkg-admin-'));
  await writeFile(join(dir, 'status'), status);
  return dir;
}

/** A gzip layer holding one tree, with the sha256 of its tar. */
export async function treeLayer(tree: TreeBuilder): Promise<{ gzip: Buffer; diffId: string }> {
  const tar = await buildTar(tree.entries);
  return { gzip: await compress(tar, 'gzip'), diffId: sha256(tar) };
}

export interface ApkPackage {
  name: string;
  version: string;
  arch: string;
  license: string;
  origin: string;
}

/** apk's installed database (https://wiki.alpinelinux.org/wiki/Apk_spec#Installed_Database_V2). */
export function apkDatabase(packages: readonly ApkPackage[]): string {
  return packages
    .map(
      (item) =>
        `C:Q1${createHash('sha1').update(item.name).digest('base64')}\nP:${item.name}\nV:${item.version}\nA:${item.arch}\nS:1024\nI:4096\nT:${item.name} package\nU:https://example.invalid/${item.name}\nL:${item.license}\no:${item.origin}\nm:Test <test@example.invalid>\nt:1700000000\nc:0123456789abcdef\nF:usr/bin\nR:${item.name}\n`,
    )
    .join('\n');
}

/** npm packages of this project without dependencies of their own (so `npm ls` sees a complete tree). */
export const NPM_PACKAGES = ['semver', 'zod', 'diff', 'fflate', '@types/semver'];

/**
 * A project folder with `NPM_PACKAGES` installed (copied from this project's node_modules) and the
 * packages `npm ls --all --json` lists there, as `name\tversion` lines.
 */
export async function npmProject(): Promise<{ dir: string; expected: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-npm-fixture-'));
  const dependencies: Record<string, string> = {};
  for (const name of NPM_PACKAGES) {
    const source = join(process.cwd(), 'node_modules', name);
    const manifest = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as { version: string };
    dependencies[name] = manifest.version;
    await cp(source, join(dir, 'node_modules', name), { recursive: true });
  }
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'fixture-app', version: '1.0.0', dependencies }));
  const { stdout } = await run('npm', ['ls', '--all', '--json', '--prefix', dir], { timeoutMs: 120_000 });
  const tree = JSON.parse(stdout) as { dependencies?: Record<string, NpmNode> };
  const expected: string[] = [];
  const visit = (nodes: Record<string, NpmNode> | undefined) => {
    for (const [name, node] of Object.entries(nodes ?? {})) {
      expected.push(`${name}\t${node.version}`);
      visit(node.dependencies);
    }
  };
  visit(tree.dependencies);
  return { dir, expected: expected.sort() };
}

interface NpmNode {
  version: string;
  dependencies?: Record<string, NpmNode>;
}

export const PYTHON_SITE = '/usr/lib/python3/dist-packages';

/**
 * The metadata of every distribution in Debian's dist-packages (*.dist-info, *.egg-info), added to `tree`
 * under the same path, and what Python's importlib.metadata lists there, as `name\tversion` lines.
 */
export async function pythonDistributions(tree: TreeBuilder): Promise<string[]> {
  const names = (await readdir(PYTHON_SITE)).filter((name) => /\.(?:dist-info|egg-info)$/.test(name));
  await addHostTree(tree, PYTHON_SITE, PYTHON_SITE, { names, maxFileBytes: 4 * 1024 * 1024 });
  const script = `import importlib.metadata as m, json
print(json.dumps(sorted(f"{d.metadata['Name']}\\t{d.version}" for d in m.distributions(path=['${PYTHON_SITE}']))))`;
  const { stdout } = await run('/usr/bin/python3', ['-c', script]);
  return JSON.parse(stdout) as string[];
}
