import { BERTH_VERSION } from '../version';

/** A second signal sooner than this is the same Ctrl+C echoed (by npm, or re-raised by a library). */
const FORCE_AFTER_MS = 500;

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
  // The first Ctrl+C cancels (the command finishes cleanly); one given later forces the exit. The listener
  // stays registered: the settings store's write-file library (atomically, through when-exit) re-raises the
  // signal from its own listener, and with no listener left that re-raise would kill the process mid-cleanup.
  let cancelledAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (cancelledAt === 0) {
        cancelledAt = Date.now();
        controller.abort();
      } else if (Date.now() - cancelledAt > FORCE_AFTER_MS) {
        process.exit(130);
      }
    });
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
