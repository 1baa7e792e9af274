/**
 * A big single-layer image of this machine's real files, imported into a Docker engine: the first entries of
 * /usr/share (then /usr/lib) in path order, until the regular files add up to `minBytes`. The same machine
 * always gives the same tar (mtime 0, owner root), tagged by a hash of its file list, so an engine that already
 * has it (another test or bench round on the same engine) is not asked to import it again.
 */
import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, run } from '../../env/process';

const TREES = ['usr/share', 'usr/lib'];

export interface UsrImage {
  /** `berth-test/usr:<hash>` */
  reference: string;
  /** Sum of the sizes of the regular files in the layer. */
  fileBytes: number;
  entries: number;
}

/** Entries below the trees, in byte order of their paths, up to the first one that reaches `minBytes` of files. */
async function pickEntries(minBytes: number): Promise<{ paths: string[]; fileBytes: number }> {
  const paths: string[] = [];
  let fileBytes = 0;
  for (const tree of TREES) {
    const { stdout } = await run(
      'find',
      [
        tree,
        '-xdev',
        '(',
        '-type',
        'f',
        '-o',
        '-type',
        'd',
        '-o',
        '-type',
        'l',
        ')',
        '-readable',
        '-printf',
        '%s\\t%y\\t%p\\n',
      ],
      { cwd: '/', timeoutMs: 120_000 },
    );
    const rows = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string, string])
      .sort((a, b) => Buffer.compare(Buffer.from(a[2]), Buffer.from(b[2])));
    for (const [size, type, path] of rows) {
      paths.push(path);
      if (type === 'f') fileBytes += Number(size);
      if (fileBytes >= minBytes) return { paths, fileBytes };
    }
  }
  throw new Error(`/${TREES.join(' and /')} hold less than ${minBytes} bytes of readable files`);
}

export async function importUsrImage(dockerHost: string, minBytes: number): Promise<UsrImage> {
  const { paths, fileBytes } = await pickEntries(minBytes);
  const reference = `berth-test/usr:${createHash('sha256').update(paths.join('\n')).update(String(fileBytes)).digest('hex').slice(0, 16)}`;
  const docker = (...args: string[]) => run('docker', ['-H', dockerHost, ...args], { timeoutMs: 300_000 });
  const present = await docker('image', 'inspect', reference).then(
    () => true,
    () => false,
  );
  if (!present) {
    const dir = await makeTempDir('berth-usr-image-');
    try {
      await writeFile(join(dir, 'list'), `${paths.join('\n')}\n`);
      // Streamed into the engine: no 200 MB file on disk. `pipefail` so a tar failure fails the import.
      const tar = `tar -C / --no-recursion --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -T '${join(dir, 'list')}'`;
      await run('bash', ['-o', 'pipefail', '-c', `${tar} | docker -H '${dockerHost}' import - '${reference}'`], {
        timeoutMs: 300_000,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { reference, fileBytes, entries: paths.length };
}
