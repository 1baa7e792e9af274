import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A long-running child (registry, dockerd, dbus-daemon...) whose output goes to a log file, not to a pipe. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning(): boolean;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL and wait. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of the log, for error messages. */
  logTail(lines?: number): string;
}

const liveChildren = new Set<ChildProcess>();
const spawnErrors = new WeakMap<ChildProcess, Error>();
let exitHookInstalled = false;

// A crashed test runner must not leave registries or dockerd behind: kill whatever is still alive on exit.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

export interface DaemonOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout goes here; defaults to logFile. The registry's access log is its stdout, so it gets its own file. */
  stdoutFile?: string;
  stdin?: string;
}

export function startDaemon(
  name: string,
  command: string,
  args: string[],
  logFile: string,
  options: DaemonOptions = {},
): Daemon {
  const errFd = openSync(logFile, 'a');
  const outFd = options.stdoutFile === undefined ? errFd : openSync(options.stdoutFile, 'a');
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', outFd, errFd],
  };
  const child = spawn(command, args, spawnOptions);
  closeSync(errFd);
  if (outFd !== errFd) closeSync(outFd);
  if (options.stdin !== undefined && child.stdin) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin);
  }
  installExitHook();
  liveChildren.add(child);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      running = false;
      liveChildren.delete(child);
      // Kept so logTail() explains a spawn failure (missing binary) in the readiness error.
      spawnErrors.set(child, error);
      resolve({ code: -1, signal: null });
    });
    child.once('exit', (code, signal) => {
      running = false;
      liveChildren.delete(child);
      resolve({ code, signal });
    });
  });
  const daemon: Daemon = {
    name,
    pid: child.pid ?? -1,
    logFile,
    exited,
    isRunning: () => running,
    async stop(graceMs = 10_000) {
      if (!running) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(graceMs, false, { ref: false })]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    logTail(lines = 30) {
      const spawnError = spawnErrors.get(child);
      let text = '';
      try {
        text = readFileSync(logFile, 'utf8');
      } catch {
        text = '';
      }
      const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
      return spawnError ? `${String(spawnError)}\n${tail}` : tail;
    },
  };
  return daemon;
}

/**
 * Polls `check` until it returns true. Fails with the daemon's log tail when the daemon exits first or the
 * time is up, so a service that cannot start says why instead of hanging the run.
 */
export async function waitUntilReady(
  daemon: Daemon,
  check: () => Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!daemon.isRunning()) {
      const { code, signal } = await daemon.exited;
      throw new Error(
        `${daemon.name} exited before it was ready (code ${code}, signal ${signal}). Log ${daemon.logFile}:\n${daemon.logTail()}`,
      );
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  await daemon.stop(2_000);
  throw new Error(
    `${daemon.name} was not ready within ${timeoutMs} ms${lastError ? ` (last error: ${String(lastError)})` : ''}. Log ${daemon.logFile}:\n${daemon.logTail()}`,
  );
}

/** A fresh temp directory. `base` defaults to the OS temp dir; dockerd passes /tmp to keep socket paths short. */
export function makeTempDir(prefix: string, base = tmpdir()): Promise<string> {
  return mkdtemp(join(base, prefix));
}

/** Runs a command to completion; rejects with its stderr when it exits non-zero or runs longer than `timeoutMs`. */
export function run(
  command: string,
  args: string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ stdout: string; stderr: string; stdoutBuffer: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBuffer = Buffer.concat(out);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout: stdoutBuffer.toString('utf8'), stderr, stdoutBuffer });
      else reject(new Error(`${command} ${args.join(' ')} failed (code ${code}, signal ${signal}): ${stderr.trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
