import { BERTH_VERSION } from '../version';

// Entry of the `berth` binary (bundled to out/cli/berth.mjs). `berth --version`, which scripts call to probe
// the tool, answers before the command list (the rest of the entry chunk) is even loaded.
const argv = process.argv.slice(2);
const code =
  argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')
    ? (process.stdout.write(`${BERTH_VERSION}\n`), 0)
    : await run(argv);

async function run(args: string[]): Promise<number> {
  const { runCli } = await import('./run');
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => controller.abort());
  }
  return runCli(args, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    signal: controller.signal,
  });
}
// Exit once output is flushed: idle keep-alive sockets or timers must not keep a finished command alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
