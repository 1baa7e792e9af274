/**
 * What every test registry is seeded with, and the facts tests may rely on.
 *
 * `SEED` is the static description (names, tags, the special files and their contents, the expected diff
 * between dev/app:1.0.0 and dev/app:1.1.0). Everything that depends on bytes (digests, sizes, the full merged
 * path lists, which include real /usr/share/doc files of this machine) is computed when the content is built
 * and returned by `seedRegistry()` as a `SeedResult` (the shared world provides it as `world.seed`).
 *
 * Formats: Docker image manifest v2 schema 2 and manifest list
 * (https://distribution.github.io/distribution/spec/manifest-v2-2/), OCI image manifest / index / layers /
 * whiteouts (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts) and the OCI 1.1
 * referrers tag schema fallback (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema),
 * since distribution 2.8.2 has no referrers API.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { addHostTree, buildTar, compress, sha256, TreeBuilder, type Compression, type TarEntry } from './layers';
import { mapLimit, SeedPusher, type PushTarget } from './pusher';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

type ImageFormat = 'docker' | 'oci';

// ---------------------------------------------------------------------------------------------------------
// Static facts
// ---------------------------------------------------------------------------------------------------------

const CONFIG_YAML_1_0_0 = 'server:\n  port: 8080\n  log_level: info\nfeatures:\n  beta: false\n';
const CONFIG_YAML_1_1_0 = 'server:\n  port: 8080\n  log_level: debug\nfeatures:\n  beta: false\n';
/** One path component of 120 bytes: no ustar header can hold it, so the layer needs a PAX record. */
const LONG_PATH = `/opt/app/deeply/nested/directory/${'long-file-name-'.repeat(8)}end.txt`;
const UNICODE_PATH = '/opt/app/données/日本語.txt';
const APP_BINARY_SOURCE = '/usr/bin/true';
/** Package folders of /usr/share/doc that every Debian 12 has (essential and required packages). */
const BASE_DOC_PACKAGES = [
  'adduser',
  'apt',
  'base-files',
  'base-passwd',
  'bash',
  'bsdutils',
  'coreutils',
  'dash',
  'debconf',
  'debian-archive-keyring',
  'debianutils',
  'diffutils',
  'dpkg',
  'e2fsprogs',
  'findutils',
  'gpgv',
  'grep',
  'gzip',
  'hostname',
  'init-system-helpers',
  'libacl1',
  'libattr1',
  'libaudit1',
  'libblkid1',
  'libbz2-1.0',
  'libc-bin',
  'libc6',
  'libcap2',
  'libcrypt1',
  'libgcc-s1',
  'libgcrypt20',
  'libgmp10',
  'liblz4-1',
  'liblzma5',
  'libmount1',
  'libpam-modules',
  'libpam-runtime',
  'libpam0g',
  'libpcre2-8-0',
  'libseccomp2',
  'libselinux1',
  'libsmartcols1',
  'libstdc++6',
  'libsystemd0',
  'libtinfo6',
  'libudev1',
  'libuuid1',
  'libzstd1',
  'login',
  'mawk',
  'mount',
  'ncurses-base',
  'ncurses-bin',
  'passwd',
  'perl-base',
  'sed',
  'sysvinit-utils',
  'tar',
  'tzdata',
  'util-linux',
  'zlib1g',
];
const DATA_BIN_SIZE = 64 * 1024;

const DEV_APP_COMMON_FILES: Record<string, string> = {
  '/etc/hostname': 'berth-app\n',
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/opt/app:/usr/sbin/nologin\n',
  '/etc/group': 'root:x:0:\napp:x:1000:\n',
  [LONG_PATH]: 'a file whose name needs a PAX header\n',
  [UNICODE_PATH]: 'こんにちは、世界\n',
};

const DEV_APP_1_0_0_ONLY_FILES: Record<string, string> = {
  '/etc/app/config.yaml': CONFIG_YAML_1_0_0,
  '/opt/app/version.txt': '1.0.0\n',
  '/opt/app/removed-later.txt': 'this file is removed by a whiteout in 1.1.0\n',
  '/opt/app/dir-to-replace/a.txt': 'a\n',
  '/opt/app/dir-to-replace/b.txt': 'b\n',
  '/opt/app/dir-to-replace/c.txt': 'c\n',
};

const DEV_APP_1_1_0_ONLY_FILES: Record<string, string> = {
  '/etc/app/config.yaml': CONFIG_YAML_1_1_0,
  '/opt/app/version.txt': '1.1.0\n',
  '/opt/app/new-feature.txt': 'the new feature of 1.1.0\n',
  '/opt/app/dir-to-replace/only-new.txt': 'the only entry left after the opaque whiteout\n',
};

const LABELS_1_0_0: Record<string, string> = {
  'org.opencontainers.image.title': 'app',
  'org.opencontainers.image.version': '1.0.0',
  'org.opencontainers.image.source': 'https://example.invalid/berth/app',
  'org.opencontainers.image.revision': '1f0c3e9a',
};
const LABELS_1_1_0: Record<string, string> = {
  ...LABELS_1_0_0,
  'org.opencontainers.image.version': '1.1.0',
  'org.opencontainers.image.revision': '7d2b91c4',
  'com.example.feature-flags': 'new-feature',
};

const PATH_ENV = 'PATH=/opt/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImageFacts {
  ref: string;
  mediaType: string;
  configMediaType: string;
  /** Compression of each layer, in order. */
  layerCompressions: Compression[];
  created: string;
  architecture: string;
  os: string;
  env: string[];
  entrypoint: string[];
  cmd: string[];
  user: string;
  workingDir: string;
  exposedPorts: string[];
  labels: Record<string, string>;
  /** History entries; those with emptyLayer do not map to a layer. */
  history: { createdBy: string; emptyLayer: boolean }[];
  /** Exact contents of these files in the merged tree. */
  files: Record<string, string>;
  /** Symlink path -> link target, in the merged tree. */
  symlinks: Record<string, string>;
  /** Hard link path -> the path it links to (same layer). */
  hardlinks: Record<string, string>;
  /** Files whose bytes are a copy of a file of this machine. */
  hostCopies: Record<string, string>;
  /** Paths that must NOT exist in the merged tree. */
  absent: string[];
}

export interface ManyTagsTag {
  name: string;
  /** The config's `created`; tags with `sameDigestAs` share that tag's manifest, so its date too. */
  created: string;
  sameDigestAs?: string;
}

function devAppHistory(version: '1.0.0' | '1.1.0'): { createdBy: string; emptyLayer: boolean }[] {
  const base = [
    { createdBy: '/bin/sh -c #(nop) ADD file:rootfs.tar in / ', emptyLayer: false },
    {
      createdBy:
        '/bin/sh -c #(nop)  ENV PATH=/opt/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      emptyLayer: true,
    },
    { createdBy: '/bin/sh -c #(nop) COPY dir:app in /opt/app ', emptyLayer: false },
  ];
  const tail = [
    { createdBy: `/bin/sh -c #(nop)  ENV APP_ENV=${version === '1.0.0' ? 'dev' : 'staging'}`, emptyLayer: true },
    { createdBy: '/bin/sh -c #(nop)  USER app', emptyLayer: true },
    { createdBy: '/bin/sh -c #(nop) WORKDIR /opt/app', emptyLayer: true },
    { createdBy: '/bin/sh -c #(nop)  EXPOSE 8080/tcp', emptyLayer: true },
    { createdBy: '/bin/sh -c #(nop)  ENTRYPOINT ["/opt/app/bin/app"]', emptyLayer: true },
    { createdBy: '/bin/sh -c #(nop)  CMD ["--serve"]', emptyLayer: true },
  ];
  if (version === '1.0.0') return [...base, ...tail];
  return [
    ...base,
    { createdBy: '/bin/sh -c #(nop) COPY dir:update in /opt/app ', emptyLayer: false },
    { createdBy: '/bin/sh -c /opt/app/bin/app --warm-cache', emptyLayer: false },
    ...tail,
  ];
}

function manyTagsList(): ManyTagsTag[] {
  const names: { name: string; sameDigestAs?: string }[] = [];
  for (let major = 0; major < 5; major++)
    for (let minor = 0; minor < 20; minor++)
      for (let patch = 0; patch < 10; patch++) names.push({ name: `${major}.${minor}.${patch}` });
  for (let major = 1; major < 3; major++)
    for (let minor = 0; minor < 10; minor++)
      for (let patch = 0; patch < 10; patch++)
        names.push({ name: `v${major}.${minor}.${patch}-rc1`, sameDigestAs: `${major}.${minor}.${patch}` });
  const firstDay = Date.UTC(2023, 0, 1);
  for (let day = 0; day < 400; day++)
    names.push({ name: new Date(firstDay + day * 86_400_000).toISOString().slice(0, 10) });
  for (let build = 1; build < 400; build++) names.push({ name: `build-${String(build).padStart(4, '0')}` });
  names.push({ name: 'latest', sameDigestAs: '4.19.9' });
  // created = a permutation of 2,000 distinct hours (7919 is prime to 2000), so created order != name order.
  const createdOf = (index: number): string =>
    new Date(Date.UTC(2020, 0, 1) + ((index * 7919 + 13) % 2000) * 3_600_000).toISOString();
  const indexOf = new Map(names.map((entry, index) => [entry.name, index]));
  return names.map((entry, index) => ({
    name: entry.name,
    created: createdOf(entry.sameDigestAs === undefined ? index : indexOf.get(entry.sameDigestAs)!),
    ...(entry.sameDigestAs === undefined ? {} : { sameDigestAs: entry.sameDigestAs }),
  }));
}

const MANY_TAGS = manyTagsList();

const devApp100: ImageFacts = {
  ref: 'dev/app:1.0.0',
  mediaType: MEDIA_TYPES.dockerManifest,
  configMediaType: MEDIA_TYPES.dockerConfig,
  layerCompressions: ['gzip', 'gzip'],
  created: '2024-03-01T10:00:00Z',
  architecture: 'amd64',
  os: 'linux',
  env: [PATH_ENV, 'APP_ENV=dev'],
  entrypoint: ['/opt/app/bin/app'],
  cmd: ['--serve'],
  user: 'app',
  workingDir: '/opt/app',
  exposedPorts: ['8080/tcp'],
  labels: LABELS_1_0_0,
  history: devAppHistory('1.0.0'),
  files: { ...DEV_APP_COMMON_FILES, ...DEV_APP_1_0_0_ONLY_FILES },
  symlinks: { '/usr/local/bin/app': '/opt/app/bin/app', '/etc/os-release': '../usr/lib/os-release' },
  hardlinks: { '/opt/app/bin/app-hardlink': '/opt/app/bin/app' },
  hostCopies: { '/opt/app/bin/app': APP_BINARY_SOURCE, '/usr/lib/os-release': '/usr/lib/os-release' },
  absent: ['/opt/app/new-feature.txt', '/opt/app/dir-to-replace/only-new.txt', '/opt/app/cache/data.bin'],
};

const devApp110: ImageFacts = {
  ...devApp100,
  ref: 'dev/app:1.1.0',
  mediaType: MEDIA_TYPES.ociManifest,
  configMediaType: MEDIA_TYPES.ociConfig,
  layerCompressions: ['gzip', 'gzip', 'zstd', 'gzip'],
  created: '2024-06-15T14:30:00Z',
  env: [PATH_ENV, 'APP_ENV=staging'],
  labels: LABELS_1_1_0,
  history: devAppHistory('1.1.0'),
  files: { ...DEV_APP_COMMON_FILES, ...DEV_APP_1_1_0_ONLY_FILES },
  absent: [
    '/opt/app/removed-later.txt',
    '/opt/app/dir-to-replace/a.txt',
    '/opt/app/dir-to-replace/b.txt',
    '/opt/app/dir-to-replace/c.txt',
  ],
};

export const SEED = {
  /** Every repository, in catalog (lexical) order. */
  repositories: [
    'dev/app',
    'dev/multi',
    'dev/multi-docker',
    'many/tags',
    'prod/app',
    'team-a/nested/deep',
    'team-a/service-x',
    'team-a/service-y',
    'test/app',
  ],
  devApp: {
    repository: 'dev/app',
    /** Image tags; the repository also has the referrers fallback tag `sha256-<hex>` (SeedResult.referrers.fallbackTag). */
    tags: ['1.0.0', '1.1.0', 'latest'],
    /** `latest` has the same digest as this tag. */
    latestSameAs: '1.1.0',
    images: { '1.0.0': devApp100, '1.1.0': devApp110 },
    /** Merged-tree diff 1.0.0 -> 1.1.0 (directories whose metadata is unchanged are not listed). */
    diff: {
      added: [
        '/opt/app/cache',
        '/opt/app/cache/data.bin',
        '/opt/app/dir-to-replace/only-new.txt',
        '/opt/app/new-feature.txt',
      ],
      removed: [
        '/opt/app/dir-to-replace/a.txt',
        '/opt/app/dir-to-replace/b.txt',
        '/opt/app/dir-to-replace/c.txt',
        '/opt/app/removed-later.txt',
      ],
      modified: ['/etc/app/config.yaml', '/opt/app/version.txt'],
    },
    /** Lines of /etc/app/config.yaml that change: `  log_level: info` -> `  log_level: debug`. */
    configYamlChange: { before: '  log_level: info', after: '  log_level: debug' },
    /**
     * Wasted space in 1.1.0: bytes of lower-layer files that upper layers overwrite or delete
     * (layer indexes are 0-based positions in 1.1.0's manifest).
     */
    wasted110: [
      { path: '/etc/app/config.yaml', layer: 0, bytes: CONFIG_YAML_1_0_0.length },
      { path: '/opt/app/dir-to-replace/a.txt', layer: 0, bytes: 2 },
      { path: '/opt/app/dir-to-replace/b.txt', layer: 0, bytes: 2 },
      { path: '/opt/app/dir-to-replace/c.txt', layer: 0, bytes: 2 },
      {
        path: '/opt/app/removed-later.txt',
        layer: 0,
        bytes: DEV_APP_1_0_0_ONLY_FILES['/opt/app/removed-later.txt']!.length,
      },
      { path: '/opt/app/version.txt', layer: 1, bytes: 6 },
      { path: '/opt/app/cache/data.bin', layer: 2, bytes: DATA_BIN_SIZE },
    ],
    /** Whiteout entries as they appear in 1.1.0's third layer (zstd). */
    whiteouts: { file: '/opt/app/.wh.removed-later.txt', opaqueDir: '/opt/app/dir-to-replace/.wh..wh..opq' },
    longPath: LONG_PATH,
    unicodePath: UNICODE_PATH,
    baseDocPackages: BASE_DOC_PACKAGES,
  },
  /** Same manifest bytes (and digest) as dev/app:1.0.0. No referrers here. */
  testApp: { repository: 'test/app', tags: ['1.0.0'], sameManifestAs: 'dev/app:1.0.0' },
  prodApp: { repository: 'prod/app', tags: ['0.9.0'], files: { '/opt/app/version.txt': '0.9.0\n' } },
  smallImages: ['team-a/service-x:latest', 'team-a/service-y:2.0.0', 'team-a/nested/deep:1', 'prod/app:0.9.0'],
  multiArch: {
    oci: { ref: 'dev/multi:1.0', mediaType: MEDIA_TYPES.ociIndex, platforms: ['linux/amd64', 'linux/arm64/v8'] },
    docker: {
      ref: 'dev/multi-docker:1.0',
      mediaType: MEDIA_TYPES.dockerManifestList,
      platforms: ['linux/amd64', 'linux/arm64/v8'],
    },
    /** Each platform image has /etc/platform containing e.g. `linux/arm64/v8\n`. */
    platformFile: '/etc/platform',
  },
  referrers: {
    subject: 'dev/app:1.0.0',
    signature: {
      artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      layerMediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    },
    sbom: { artifactType: 'application/spdx+json', layerMediaType: 'application/spdx+json' },
  },
  manyTags: { repository: 'many/tags', count: MANY_TAGS.length, tags: MANY_TAGS },
} as const;

export type SeedDescription = typeof SEED;

// ---------------------------------------------------------------------------------------------------------
// Computed facts
// ---------------------------------------------------------------------------------------------------------

export interface DescriptorFacts {
  mediaType: string;
  digest: string;
  size: number;
}

export interface LayerFacts extends DescriptorFacts {
  /** sha256 of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffId: string;
  compression: Compression;
}

export interface SeedResult {
  registry: string;
  durationMs: number;
  /** 'repo:tag' -> the manifest (or index) the tag points at. */
  manifests: Record<string, DescriptorFacts>;
  /** 'dev/app:1.0.0' / 'dev/app:1.1.0' -> config and layers. */
  images: Record<string, { config: DescriptorFacts; layers: LayerFacts[] }>;
  /** Every path of the merged tree of each dev/app tag, sorted (directories, files, symlinks, hard links). */
  devAppMergedPaths: Record<'1.0.0' | '1.1.0', string[]>;
  /** Number of regular files copied from /usr/share/doc into the base layer. */
  baseDocFileCount: number;
  /** index ref -> platform ('linux/arm64/v8') -> child manifest. */
  platforms: Record<string, Record<string, DescriptorFacts>>;
  referrers: {
    subject: DescriptorFacts;
    signature: DescriptorFacts & { artifactType: string };
    sbom: DescriptorFacts & { artifactType: string };
    /** `sha256-<hex of the subject digest>` in dev/app. */
    fallbackTag: string;
    fallbackIndex: DescriptorFacts;
  };
  manyTags: { digests: Record<string, string>; uniqueDigests: number };
}

// ---------------------------------------------------------------------------------------------------------
// Content building (once per process; pushing reuses the bytes)
// ---------------------------------------------------------------------------------------------------------

interface BuiltBlob {
  bytes: Buffer;
  descriptor: DescriptorFacts;
}

interface BuiltLayer extends BuiltBlob {
  diffId: string;
  compression: Compression;
  entries: readonly TarEntry[];
}

export interface BuiltManifest {
  bytes: Buffer;
  descriptor: DescriptorFacts;
  /** Blobs it references (config, layers). */
  blobs: BuiltBlob[];
  /** Manifests it references (index children), pushed by digest first. */
  children: BuiltManifest[];
}

async function buildLayer(builder: TreeBuilder, compression: Compression, format: ImageFormat): Promise<BuiltLayer> {
  const tar = await buildTar(builder.entries);
  const bytes = await compress(tar, compression);
  const mediaType =
    compression === 'zstd'
      ? MEDIA_TYPES.ociLayerZstd
      : format === 'docker'
        ? MEDIA_TYPES.dockerLayerGzip
        : MEDIA_TYPES.ociLayerGzip;
  return {
    bytes,
    descriptor: { mediaType, digest: sha256(bytes), size: bytes.length },
    diffId: sha256(tar),
    compression,
    entries: builder.entries,
  };
}

/** Same blob, described with the media type another manifest format uses. */
function asFormat(layer: BuiltLayer, format: ImageFormat): BuiltLayer {
  if (layer.compression === 'zstd') return layer;
  const mediaType = format === 'docker' ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayerGzip;
  return { ...layer, descriptor: { ...layer.descriptor, mediaType } };
}

function blobOf(bytes: Buffer, mediaType: string): BuiltBlob {
  return { bytes, descriptor: { mediaType, digest: sha256(bytes), size: bytes.length } };
}

function json(value: unknown, indent?: number): Buffer {
  return Buffer.from(JSON.stringify(value, null, indent));
}

interface ConfigInput {
  format: ImageFormat;
  created: string;
  architecture: string;
  variant?: string;
  config: Record<string, unknown>;
  history: { created: string; createdBy: string; emptyLayer: boolean }[];
  layers: BuiltLayer[];
}

function buildConfig(input: ConfigInput): BuiltBlob {
  const config = {
    architecture: input.architecture,
    ...(input.variant ? { variant: input.variant } : {}),
    config: input.config,
    created: input.created,
    history: input.history.map((step) => ({
      created: step.created,
      created_by: step.createdBy,
      ...(step.emptyLayer ? { empty_layer: true } : {}),
    })),
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: input.layers.map((layer) => layer.diffId) },
  };
  return blobOf(json(config), input.format === 'docker' ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig);
}

function buildImageManifest(
  format: ImageFormat,
  config: BuiltBlob,
  layers: BuiltLayer[],
  annotations?: Record<string, string>,
): BuiltManifest {
  const descriptors = layers.map((layer) => asFormat(layer, format).descriptor);
  const manifest =
    format === 'docker'
      ? { schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: config.descriptor, layers: descriptors }
      : {
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.ociManifest,
          config: config.descriptor,
          layers: descriptors,
          ...(annotations ? { annotations } : {}),
        };
  // Docker writes its manifests indented with three spaces; keeping that makes any client that re-serializes
  // a manifest (and so changes its digest) fail loudly.
  const bytes = json(manifest, format === 'docker' ? 3 : undefined);
  const mediaType = format === 'docker' ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
  return {
    bytes,
    descriptor: { mediaType, digest: sha256(bytes), size: bytes.length },
    blobs: [config, ...layers],
    children: [],
  };
}

function historyAt(created: string, steps: { createdBy: string; emptyLayer: boolean }[]): ConfigInput['history'] {
  const base = Date.parse(created);
  // Steps one minute apart, ending at the image's created time.
  return steps.map((step, index) => ({
    ...step,
    created: new Date(base - (steps.length - 1 - index) * 60_000).toISOString().replace('.000Z', 'Z'),
  }));
}

function imageConfigFields(facts: ImageFacts): Record<string, unknown> {
  return {
    User: facts.user,
    ExposedPorts: Object.fromEntries(facts.exposedPorts.map((port) => [port, {}])),
    Env: facts.env,
    Entrypoint: facts.entrypoint,
    Cmd: facts.cmd,
    WorkingDir: facts.workingDir,
    Labels: facts.labels,
  };
}

/** Deterministic filler bytes (xorshift), so data.bin versions differ and do not compress to nothing. */
function pseudoRandomBytes(size: number, seed: number): Buffer {
  const buffer = Buffer.alloc(size);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < size; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    buffer[index] = state & 0xff;
  }
  return buffer;
}

function addFiles(builder: TreeBuilder, files: Record<string, string>): void {
  for (const path of Object.keys(files).sort()) builder.file(path, files[path]!);
}

interface SmallImageInput {
  format: ImageFormat;
  created: string;
  architecture?: string;
  variant?: string;
  files: Record<string, string>;
  env?: string[];
}

export async function buildSmallImage(input: SmallImageInput): Promise<BuiltManifest> {
  const builder = new TreeBuilder();
  addFiles(builder, input.files);
  const layer = await buildLayer(builder, 'gzip', input.format);
  const config = buildConfig({
    format: input.format,
    created: input.created,
    architecture: input.architecture ?? 'amd64',
    variant: input.variant,
    config: { Env: input.env ?? [PATH_ENV], Cmd: ['/bin/sh'] },
    history: historyAt(input.created, [{ createdBy: '/bin/sh -c #(nop) COPY dir:files in / ', emptyLayer: false }]),
    layers: [layer],
  });
  return buildImageManifest(input.format, config, [layer]);
}

function buildIndex(format: ImageFormat, children: { manifest: BuiltManifest; platform: string }[]): BuiltManifest {
  const manifests = children.map(({ manifest, platform }) => {
    const [os, architecture, variant] = platform.split('/');
    return { ...manifest.descriptor, platform: { architecture, os, ...(variant ? { variant } : {}) } };
  });
  const mediaType = format === 'docker' ? MEDIA_TYPES.dockerManifestList : MEDIA_TYPES.ociIndex;
  const bytes = json({ schemaVersion: 2, mediaType, manifests }, format === 'docker' ? 3 : undefined);
  return {
    bytes,
    descriptor: { mediaType, digest: sha256(bytes), size: bytes.length },
    blobs: [],
    children: children.map((child) => child.manifest),
  };
}

function buildArtifact(
  subject: DescriptorFacts,
  artifactType: string,
  layer: BuiltBlob,
  created: string,
  layerAnnotations?: Record<string, string>,
): BuiltManifest {
  const empty = blobOf(Buffer.from('{}'), MEDIA_TYPES.ociEmpty);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    artifactType,
    config: empty.descriptor,
    layers: [{ ...layer.descriptor, ...(layerAnnotations ? { annotations: layerAnnotations } : {}) }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { 'org.opencontainers.image.created': created },
  };
  const bytes = json(manifest);
  return {
    bytes,
    descriptor: { mediaType: MEDIA_TYPES.ociManifest, digest: sha256(bytes), size: bytes.length },
    blobs: [empty, layer],
    children: [],
  };
}

type MergedEntry = { type: TarEntry['type']; fingerprint: string };

/**
 * Applies layers in order with OCI whiteout semantics: `.wh.NAME` deletes NAME (and its subtree) from lower
 * layers; `DIR/.wh..wh..opq` hides every lower-layer child of DIR but keeps this layer's own entries.
 */
export function mergeLayers(layers: readonly (readonly TarEntry[])[]): Map<string, MergedEntry> {
  const merged = new Map<string, MergedEntry>();
  const removeSubtree = (path: string, includeSelf: boolean): void => {
    for (const key of [...merged.keys()])
      if ((includeSelf && key === path) || key.startsWith(`${path}/`)) merged.delete(key);
  };
  for (const entries of layers) {
    for (const entry of entries) {
      const name = posix.basename(entry.path);
      const dir = posix.dirname(entry.path);
      if (name === '.wh..wh..opq') removeSubtree(dir, false);
      else if (name.startsWith('.wh.')) removeSubtree(posix.join(dir, name.slice(4)), true);
    }
    for (const entry of entries) {
      if (posix.basename(entry.path).startsWith('.wh.')) continue;
      const fingerprint =
        entry.type === 'file'
          ? `${entry.mode ?? 0o644}:${sha256(entry.content)}`
          : entry.type === 'directory'
            ? `${entry.mode ?? 0o755}`
            : entry.target;
      merged.set(entry.path, { type: entry.type, fingerprint });
    }
  }
  return merged;
}

function diffMerged(
  before: Map<string, MergedEntry>,
  after: Map<string, MergedEntry>,
): { added: string[]; removed: string[]; modified: string[] } {
  const added = [...after.keys()].filter((path) => !before.has(path)).sort();
  const removed = [...before.keys()].filter((path) => !after.has(path)).sort();
  const modified = [...after.keys()]
    .filter(
      (path) =>
        before.has(path) &&
        (before.get(path)!.fingerprint !== after.get(path)!.fingerprint ||
          before.get(path)!.type !== after.get(path)!.type),
    )
    .sort();
  return { added, removed, modified };
}

interface SeedContent {
  /** Push plan: repository -> tag (or digest) -> manifest, in push order. */
  pushes: { repository: string; reference: string; manifest: BuiltManifest }[];
  manyTags: { tag: string; manifest: BuiltManifest }[];
  facts: Omit<SeedResult, 'registry' | 'durationMs'>;
}

async function buildDevApp(): Promise<{
  v100: BuiltManifest;
  v110: BuiltManifest;
  layers100: BuiltLayer[];
  layers110: BuiltLayer[];
  baseDocFileCount: number;
}> {
  const base = new TreeBuilder();
  base.directory('/etc');
  addFiles(base, {
    '/etc/group': DEV_APP_COMMON_FILES['/etc/group']!,
    '/etc/hostname': DEV_APP_COMMON_FILES['/etc/hostname']!,
    '/etc/passwd': DEV_APP_COMMON_FILES['/etc/passwd']!,
  });
  base.file('/etc/app/config.yaml', CONFIG_YAML_1_0_0);
  base.symlink('/etc/os-release', '../usr/lib/os-release');
  base.file('/usr/lib/os-release', await readFile('/usr/lib/os-release'));
  base.directory('/usr/local/bin').symlink('/usr/local/bin/app', '/opt/app/bin/app');
  const baseDocFileCount = await addHostTree(base, '/usr/share/doc', '/usr/share/doc', { names: BASE_DOC_PACKAGES });
  addFiles(base, {
    '/opt/app/dir-to-replace/a.txt': DEV_APP_1_0_0_ONLY_FILES['/opt/app/dir-to-replace/a.txt']!,
    '/opt/app/dir-to-replace/b.txt': DEV_APP_1_0_0_ONLY_FILES['/opt/app/dir-to-replace/b.txt']!,
    '/opt/app/dir-to-replace/c.txt': DEV_APP_1_0_0_ONLY_FILES['/opt/app/dir-to-replace/c.txt']!,
    '/opt/app/removed-later.txt': DEV_APP_1_0_0_ONLY_FILES['/opt/app/removed-later.txt']!,
    [LONG_PATH]: DEV_APP_COMMON_FILES[LONG_PATH]!,
    [UNICODE_PATH]: DEV_APP_COMMON_FILES[UNICODE_PATH]!,
  });

  // The hard link lives in the same layer as its target, as tar requires.
  const app = new TreeBuilder()
    .file('/opt/app/bin/app', await readFile(APP_BINARY_SOURCE), 0o755)
    .hardlink('/opt/app/bin/app-hardlink', '/opt/app/bin/app')
    .file('/opt/app/version.txt', '1.0.0\n');

  const update = new TreeBuilder()
    .file('/etc/app/config.yaml', CONFIG_YAML_1_1_0)
    .directory('/opt/app')
    .file('/opt/app/.wh.removed-later.txt', '')
    .directory('/opt/app/cache')
    .file('/opt/app/cache/data.bin', pseudoRandomBytes(DATA_BIN_SIZE, 1))
    .directory('/opt/app/dir-to-replace')
    .file('/opt/app/dir-to-replace/.wh..wh..opq', '')
    .file('/opt/app/dir-to-replace/only-new.txt', DEV_APP_1_1_0_ONLY_FILES['/opt/app/dir-to-replace/only-new.txt']!)
    .file('/opt/app/new-feature.txt', DEV_APP_1_1_0_ONLY_FILES['/opt/app/new-feature.txt']!)
    .file('/opt/app/version.txt', '1.1.0\n');
  const cache = new TreeBuilder().file('/opt/app/cache/data.bin', pseudoRandomBytes(DATA_BIN_SIZE, 2));

  const [baseLayer, appLayer, updateLayer, cacheLayer] = await Promise.all([
    buildLayer(base, 'gzip', 'docker'),
    buildLayer(app, 'gzip', 'docker'),
    buildLayer(update, 'zstd', 'oci'),
    buildLayer(cache, 'gzip', 'oci'),
  ]);
  const layers100 = [baseLayer, appLayer];
  const layers110 = [asFormat(baseLayer, 'oci'), asFormat(appLayer, 'oci'), updateLayer, cacheLayer];
  const imageOf = (facts: ImageFacts, format: ImageFormat, layers: BuiltLayer[]): BuiltManifest =>
    buildImageManifest(
      format,
      buildConfig({
        format,
        created: facts.created,
        architecture: facts.architecture,
        config: imageConfigFields(facts),
        history: historyAt(facts.created, facts.history),
        layers,
      }),
      layers,
      format === 'oci' ? { 'org.opencontainers.image.created': facts.created } : undefined,
    );
  return {
    v100: imageOf(devApp100, 'docker', layers100),
    v110: imageOf(devApp110, 'oci', layers110),
    layers100,
    layers110,
    baseDocFileCount,
  };
}

/** Checks the static SEED facts against the built layers, so SEED cannot drift from what is pushed. */
function verifyDevAppFacts(layers100: BuiltLayer[], layers110: BuiltLayer[]): Record<'1.0.0' | '1.1.0', string[]> {
  const merged100 = mergeLayers(layers100.map((layer) => layer.entries));
  const merged110 = mergeLayers(layers110.map((layer) => layer.entries));
  const diff = diffMerged(merged100, merged110);
  const expected = SEED.devApp.diff;
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((value, index) => value === b[index]);
  if (
    !same(diff.added, expected.added) ||
    !same(diff.removed, expected.removed) ||
    !same(diff.modified, expected.modified)
  ) {
    throw new Error(`SEED.devApp.diff does not match the built layers: ${JSON.stringify(diff)}`);
  }
  for (const [facts, merged] of [
    [devApp100, merged100],
    [devApp110, merged110],
  ] as const) {
    for (const path of [...Object.keys(facts.files), ...Object.keys(facts.symlinks), ...Object.keys(facts.hardlinks)]) {
      if (!merged.has(path)) throw new Error(`SEED says ${facts.ref} has ${path}, the built layers do not`);
    }
    for (const path of facts.absent)
      if (merged.has(path)) throw new Error(`SEED says ${facts.ref} lacks ${path}, the built layers have it`);
  }
  return { '1.0.0': [...merged100.keys()].sort(), '1.1.0': [...merged110.keys()].sort() };
}

async function buildContent(): Promise<SeedContent> {
  const devApp = await buildDevApp();
  const devAppMergedPaths = verifyDevAppFacts(devApp.layers100, devApp.layers110);

  const small = {
    'prod/app:0.9.0': await buildSmallImage({
      format: 'docker',
      created: '2023-11-20T09:00:00Z',
      files: { '/opt/app/version.txt': '0.9.0\n', '/etc/hostname': 'berth-app\n' },
    }),
    'team-a/service-x:latest': await buildSmallImage({
      format: 'oci',
      created: '2024-02-02T08:00:00Z',
      files: { '/srv/service-x/README': 'service x\n' },
    }),
    'team-a/service-y:2.0.0': await buildSmallImage({
      format: 'docker',
      created: '2024-04-04T08:00:00Z',
      files: { '/srv/service-y/README': 'service y 2.0.0\n' },
    }),
    'team-a/nested/deep:1': await buildSmallImage({
      format: 'oci',
      created: '2024-05-05T08:00:00Z',
      files: { '/srv/deep/README': 'a deeply nested repository\n' },
    }),
  };

  const platformImage = (format: ImageFormat, platform: string): Promise<BuiltManifest> => {
    const [, architecture, variant] = platform.split('/');
    return buildSmallImage({
      format,
      created: '2024-07-07T07:00:00Z',
      architecture,
      variant,
      files: { [SEED.multiArch.platformFile]: `${platform}\n` },
    });
  };
  const indexOf = async (format: ImageFormat, platforms: readonly string[]): Promise<BuiltManifest> =>
    buildIndex(
      format,
      await Promise.all(
        platforms.map(async (platform) => ({ platform, manifest: await platformImage(format, platform) })),
      ),
    );
  const ociIndex = await indexOf('oci', SEED.multiArch.oci.platforms);
  const dockerList = await indexOf('docker', SEED.multiArch.docker.platforms);

  const subject = devApp.v100.descriptor;
  const signaturePayload = json({
    critical: {
      identity: { 'docker-reference': 'dev/app' },
      image: { 'docker-manifest-digest': subject.digest },
      type: 'cosign container image signature',
    },
    optional: null,
  });
  const signature = buildArtifact(
    subject,
    SEED.referrers.signature.artifactType,
    blobOf(signaturePayload, SEED.referrers.signature.layerMediaType),
    '2024-03-01T10:05:00Z',
    { 'dev.cosignproject.cosign/signature': Buffer.from(`test signature of ${subject.digest}`).toString('base64') },
  );
  const sbomDocument = json({
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'dev/app:1.0.0',
    documentNamespace: `https://example.invalid/spdx/dev-app-${subject.digest.slice(7, 19)}`,
    creationInfo: { created: '2024-03-01T10:06:00Z', creators: ['Tool: berth-test-seed'] },
    packages: BASE_DOC_PACKAGES.slice(0, 8).map((name, index) => ({
      SPDXID: `SPDXRef-Package-${index}`,
      name,
      downloadLocation: 'NOASSERTION',
    })),
  });
  const sbom = buildArtifact(
    subject,
    SEED.referrers.sbom.artifactType,
    blobOf(sbomDocument, SEED.referrers.sbom.layerMediaType),
    '2024-03-01T10:06:00Z',
  );
  const referrerDescriptor = (
    manifest: BuiltManifest,
    artifactType: string,
    created: string,
  ): Record<string, unknown> => ({
    ...manifest.descriptor,
    artifactType,
    annotations: { 'org.opencontainers.image.created': created },
  });
  const fallbackIndexBytes = json({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      referrerDescriptor(signature, SEED.referrers.signature.artifactType, '2024-03-01T10:05:00Z'),
      referrerDescriptor(sbom, SEED.referrers.sbom.artifactType, '2024-03-01T10:06:00Z'),
    ],
  });
  const fallbackIndex: BuiltManifest = {
    bytes: fallbackIndexBytes,
    descriptor: {
      mediaType: MEDIA_TYPES.ociIndex,
      digest: sha256(fallbackIndexBytes),
      size: fallbackIndexBytes.length,
    },
    blobs: [],
    children: [signature, sbom],
  };
  const fallbackTag = subject.digest.replace(':', '-');

  // many/tags: one shared layer, one config per distinct created date.
  const sharedLayer = await buildLayer(
    new TreeBuilder().file('/data.txt', 'shared by all of many/tags\n'),
    'gzip',
    'docker',
  );
  const byName = new Map<string, BuiltManifest>();
  const manyTags = MANY_TAGS.map((tag) => {
    let manifest = tag.sameDigestAs === undefined ? undefined : byName.get(tag.sameDigestAs);
    if (manifest === undefined) {
      const config = buildConfig({
        format: 'docker',
        created: tag.created,
        architecture: 'amd64',
        config: { Env: [PATH_ENV], Cmd: ['/bin/sh'], Labels: { 'org.opencontainers.image.version': tag.name } },
        history: [{ created: tag.created, createdBy: '/bin/sh -c #(nop) ADD file:data.txt in / ', emptyLayer: false }],
        layers: [sharedLayer],
      });
      manifest = buildImageManifest('docker', config, [sharedLayer]);
    }
    byName.set(tag.name, manifest);
    return { tag: tag.name, manifest };
  });

  const pushes: SeedContent['pushes'] = [
    { repository: 'dev/app', reference: '1.0.0', manifest: devApp.v100 },
    { repository: 'dev/app', reference: '1.1.0', manifest: devApp.v110 },
    { repository: 'dev/app', reference: 'latest', manifest: devApp.v110 },
    // The referrers are the fallback index's children, pushed by digest before it.
    { repository: 'dev/app', reference: fallbackTag, manifest: fallbackIndex },
    { repository: 'test/app', reference: '1.0.0', manifest: devApp.v100 },
    ...Object.entries(small).map(([ref, manifest]) => {
      const [repository, reference] = ref.split(':') as [string, string];
      return { repository, reference, manifest };
    }),
    { repository: 'dev/multi', reference: '1.0', manifest: ociIndex },
    { repository: 'dev/multi-docker', reference: '1.0', manifest: dockerList },
  ];

  const manifests: Record<string, DescriptorFacts> = {};
  for (const push of pushes) manifests[`${push.repository}:${push.reference}`] = push.manifest.descriptor;
  const layerFacts = (layers: BuiltLayer[]): LayerFacts[] =>
    layers.map((layer) => ({ ...layer.descriptor, diffId: layer.diffId, compression: layer.compression }));
  const platformsOf = (index: BuiltManifest, platforms: readonly string[]): Record<string, DescriptorFacts> =>
    Object.fromEntries(platforms.map((platform, position) => [platform, index.children[position]!.descriptor]));

  return {
    pushes,
    manyTags,
    facts: {
      manifests,
      images: {
        'dev/app:1.0.0': { config: devApp.v100.blobs[0]!.descriptor, layers: layerFacts(devApp.layers100) },
        'dev/app:1.1.0': { config: devApp.v110.blobs[0]!.descriptor, layers: layerFacts(devApp.layers110) },
      },
      devAppMergedPaths,
      baseDocFileCount: devApp.baseDocFileCount,
      platforms: {
        [SEED.multiArch.oci.ref]: platformsOf(ociIndex, SEED.multiArch.oci.platforms),
        [SEED.multiArch.docker.ref]: platformsOf(dockerList, SEED.multiArch.docker.platforms),
      },
      referrers: {
        subject,
        signature: { ...signature.descriptor, artifactType: SEED.referrers.signature.artifactType },
        sbom: { ...sbom.descriptor, artifactType: SEED.referrers.sbom.artifactType },
        fallbackTag,
        fallbackIndex: fallbackIndex.descriptor,
      },
      manyTags: {
        digests: Object.fromEntries(manyTags.map(({ tag, manifest }) => [tag, manifest.descriptor.digest])),
        uniqueDigests: new Set(manyTags.map(({ manifest }) => manifest.descriptor.digest)).size,
      },
    },
  };
}

let contentPromise: Promise<SeedContent> | undefined;

/** Builds the seed content once per process (the layers take a moment; three registries reuse them). */
function seedContent(): Promise<SeedContent> {
  contentPromise ??= buildContent();
  return contentPromise;
}

/**
 * Identifies the seeded content: a hash of every digest it produces (so of every byte pushed). A storage
 * snapshot taken after seeding is valid for exactly this key.
 */
export async function seedContentKey(): Promise<string> {
  const { facts } = await seedContent();
  return sha256(JSON.stringify(facts)).slice('sha256:'.length, 'sha256:'.length + 24);
}

export interface SeedOptions {
  /** Concurrent requests while pushing many/tags (default 16). */
  concurrency?: number;
}

/**
 * Pushes everything SEED describes into the registry at `target.host` (with `target.username`/`password` for
 * basic or token auth) through the registry HTTP API. Idempotent: existing blobs are skipped, tags re-put.
 */
export async function seedRegistry(target: PushTarget, options: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const content = await seedContent();
  const pusher = new SeedPusher(target);
  const pushManifestTree = async (repository: string, reference: string, manifest: BuiltManifest): Promise<void> => {
    await Promise.all(manifest.children.map((child) => pushManifestTree(repository, child.descriptor.digest, child)));
    await Promise.all(manifest.blobs.map((blob) => pusher.pushBlob(repository, blob.bytes)));
    await pusher.pushManifest(repository, reference, manifest.bytes, manifest.descriptor.mediaType);
  };

  const seedNamedRepositories = async (): Promise<void> => {
    // Per repository in order (a tag after the manifests it depends on), repositories in parallel.
    const byRepository = new Map<string, SeedContent['pushes']>();
    for (const push of content.pushes)
      byRepository.set(push.repository, [...(byRepository.get(push.repository) ?? []), push]);
    await Promise.all(
      [...byRepository.values()].map(async (pushes) => {
        for (const push of pushes) await pushManifestTree(push.repository, push.reference, push.manifest);
      }),
    );
  };

  const seedManyTags = async (): Promise<void> => {
    const repository = SEED.manyTags.repository;
    const first = content.manyTags[0]!.manifest;
    // The shared layer once, then per tag its own config (new) and manifest.
    await Promise.all(first.blobs.slice(1).map((blob) => pusher.pushBlob(repository, blob.bytes)));
    // Tags sharing a digest wait for the one upload of their config.
    const configUploads = new Map<string, Promise<unknown>>();
    await mapLimit(content.manyTags, options.concurrency ?? 16, async ({ tag, manifest }) => {
      const config = manifest.blobs[0]!;
      let upload = configUploads.get(config.descriptor.digest);
      if (upload === undefined) {
        upload = pusher.pushBlob(repository, config.bytes, { skipExistsCheck: true });
        configUploads.set(config.descriptor.digest, upload);
      }
      await upload;
      await pusher.pushManifest(repository, tag, manifest.bytes, manifest.descriptor.mediaType);
    });
  };

  await Promise.all([seedNamedRepositories(), seedManyTags()]);
  return { registry: target.host, durationMs: Date.now() - started, ...content.facts };
}
