import { runCli } from './run';

// Entry of the `berth` binary (bundled to out/cli/berth.mjs).
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => controller.abort());
}
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  signal: controller.signal,
});
// Exit once output is flushed: idle keep-alive sockets or timers must not keep a finished command alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
