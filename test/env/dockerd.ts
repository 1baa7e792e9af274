/**
 * A private Docker Engine (Debian's docker.io, dockerd 20.10, API 1.41) on a unix socket in a temp dir.
 * vfs storage, no iptables and no bridge, so it needs no kernel features beyond what a container has; images
 * pulled from 127.0.0.1 registries work (loopback registries are insecure-by-default for dockerd).
 */
import { rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { makeTempDir, run, startDaemon, waitUntilReady } from './process';

export interface RunningDockerd {
  /** `unix:///tmp/bd-XXXXXX/docker.sock`, the DOCKER_HOST form. */
  host: string;
  socketPath: string;
  rootDir: string;
  logFile: string;
  /** Kills dockerd, waits for it, removes its temp dir (vfs layers included) as far as possible. */
  stop(): Promise<void>;
}

/** GET `path` over a unix socket; resolves the status code and body. */
export function unixGet(
  socketPath: string,
  path: string,
  timeoutMs = 2_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function startDockerd(): Promise<RunningDockerd> {
  // Unix socket paths are limited to 107 bytes: keep the directory short, directly under /tmp.
  const rootDir = await makeTempDir('bd-', '/tmp');
  const socketPath = join(rootDir, 'docker.sock');
  const logFile = join(rootDir, 'dockerd.log');
  const configFile = join(rootDir, 'daemon.json');
  const args = [
    '--storage-driver=vfs',
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    `--host=unix://${socketPath}`,
    `--data-root=${join(rootDir, 'root')}`,
    `--exec-root=${join(rootDir, 'exec')}`,
    `--pidfile=${join(rootDir, 'docker.pid')}`,
    // dockerd otherwise reads /etc/docker/daemon.json; an empty one of our own keeps the host's settings out.
    `--config-file=${configFile}`,
  ];
  await writeFile(configFile, '{}\n');
  const daemon = startDaemon('dockerd', 'dockerd', args, logFile);
  try {
    await waitUntilReady(
      daemon,
      async () => {
        const { status, body } = await unixGet(socketPath, '/_ping');
        return status === 200 && body === 'OK';
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (error) {
    await rm(rootDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return {
    host: `unix://${socketPath}`,
    socketPath,
    rootDir,
    logFile,
    async stop() {
      await daemon.stop(15_000);
      // dockerd leaves its exec-root mounts (netns, shm) behind when killed; unmount before removing.
      await run('sh', ['-c', `grep -o " ${rootDir}/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l`]).catch(
        () => undefined,
      );
      await rm(rootDir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    },
  };
}
