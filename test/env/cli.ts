import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'berth.mjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

let built = false;

/** Builds the CLI bundle once per test process, so tests run exactly what users run. */
export function ensureCliBuilt(): void {
  if (built && existsSync(join(root, 'out', 'cli', 'berth.mjs'))) return;
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
  built = true;
}

/** Runs `berth ARGS` as a child process (`node bin/berth.mjs`, or `script`: another clone's), bounded in time. */
export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number; script?: string } = {},
): Promise<CliRun> {
  if (!options.script) ensureCliBuilt();
  const script = options.script ?? bin;
  const child = spawn(process.execPath, [script, ...args], {
    cwd: join(dirname(script), '..'),
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const code = await new Promise<number>((resolve) =>
    child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1))),
  );
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * Starts a long-running `berth` command (e.g. `serve`) and resolves once a stdout line matches. `script` runs
 * another Node script instead (another clone's bin/berth.mjs, scripts/start.mjs), from its project folder.
 */
export async function startCli(
  args: string[],
  ready: RegExp,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; script?: string } = {},
): Promise<{
  match: RegExpMatchArray;
  pid: number;
  stop(signal?: NodeJS.Signals): Promise<number>;
  output(): string;
}> {
  if (!options.script) ensureCliBuilt();
  const script = options.script ?? bin;
  const child = spawn(process.execPath, [script, ...args], {
    cwd: join(dirname(script), '..'),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`berth ${args.join(' ')} did not print ${ready} in time:\n${out}`)),
      options.timeoutMs ?? 30_000,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`berth ${args.join(' ')} exited (${code}) before ready:\n${out}`)));
  });
  return {
    match,
    pid: child.pid!,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise<number>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code ?? 0));
        child.kill(signal);
      }),
  };
}
