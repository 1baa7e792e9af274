import { parseArgs } from 'node:util';
import type { RequestInput, RequestName, RequestResult } from '../../shared/contract';
import { BerthError } from '../../shared/errors';
import type { OperationProgress } from '../../shared/types/operations';
import { BERTH_VERSION } from '../version';
import { UsageError, type CliCommand, type CliContext } from './command';
import { commands } from './commands';
import { commandHelp, helpText } from './help';

export interface CliIo {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  signal: AbortSignal;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** Runs `berth ARGS...` and returns the exit code: 0 ok, 1 the operation failed, 2 usage error. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const words = argv.filter((a) => a !== '--debug');
  const print = (stream: CliIo['stdout'], text: string) => stream.write(text.endsWith('\n') ? text : `${text}\n`);

  if (words.length === 0 || words[0] === '--help' || words[0] === '-h' || words[0] === 'help') {
    print(io.stdout, helpText(words[1]));
    return words.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  if (words[0] === '--version' || words[0] === '-v') {
    print(io.stdout, BERTH_VERSION);
    return EXIT_OK;
  }
  const command = findCommand(words);
  if (!command) {
    print(io.stderr, `berth: unknown command "${words.slice(0, 2).join(' ')}"\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  const rest = words.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    print(io.stdout, commandHelp(command));
    return EXIT_OK;
  }

  let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
    checkArity(command, parsed.positionals);
  } catch (error) {
    print(io.stderr, `berth: ${(error as Error).message}\nusage: ${command.usage}`);
    return EXIT_USAGE;
  }

  // Loaded here, not at the top: `--version`, `--help` and usage errors answer without loading (or
  // parsing) the services, the API and the engines behind them, a separate chunk of the bundle.
  const { createBackend } = await import('../api/backend');
  const backend = await createBackend({
    transport: 'cli',
    env: io.env,
    // --debug echoes the log (e.g. why a file read streamed its layer instead of a Range request).
    ...(debug ? { logEcho: io.stderr } : {}),
    onInternalError: (name, error) => {
      if (debug) print(io.stderr, `[debug] ${name}: ${(error as Error)?.stack ?? String(error)}`);
    },
  });
  const progressListeners = new Set<(p: OperationProgress) => void>();
  const ctx: CliContext = {
    args: parsed.positionals,
    flags: parsed.values,
    async call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>> {
      const outcome = await backend.dispatcher.call(
        name,
        input,
        (event, payload) => {
          if (event === 'operation.progress') for (const l of progressListeners) l(payload as OperationProgress);
        },
        io.signal,
      );
      if (!outcome.ok) throw new BerthError(outcome.error.code, outcome.error.message, outcome.error.details);
      return outcome.value as RequestResult<K>;
    },
    onProgress(listener) {
      progressListeners.add(listener);
      return () => progressListeners.delete(listener);
    },
    services: backend.services,
    dispatcher: backend.dispatcher,
    stdout: io.stdout,
    stderr: io.stderr,
    stdin: io.stdin,
    isTTY: io.isTTY,
    debug,
    signal: io.signal,
  };
  try {
    return (await command.run(ctx)) ?? EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      print(io.stderr, `berth: ${error.message}\nusage: ${command.usage}`);
      return EXIT_USAGE;
    }
    if (error instanceof BerthError) {
      print(io.stderr, `berth: ${error.message}${debug ? ` [${error.code}]` : ''}`);
      return EXIT_FAILED;
    }
    // A bug, not an operation failure: say so plainly; the stack only with --debug.
    print(io.stderr, `berth: unexpected error: ${(error as Error)?.message ?? String(error)}`);
    if (debug) print(io.stderr, (error as Error)?.stack ?? '');
    return EXIT_FAILED;
  } finally {
    await backend.close();
  }
}

function findCommand(words: string[]): CliCommand | undefined {
  const matches = commands.filter((c) => c.path.every((w, i) => words[i] === w));
  return matches.sort((a, b) => b.path.length - a.path.length)[0];
}

function checkArity(command: CliCommand, positionals: string[]): void {
  if (command.minArgs !== undefined && positionals.length < command.minArgs) throw new UsageError('missing arguments');
  if (command.maxArgs !== undefined && positionals.length > command.maxArgs)
    throw new UsageError(`unexpected argument "${positionals[command.maxArgs]}"`);
}
