import type { RequestInput, RequestName, RequestResult } from '../../shared/contract';
import type { OperationProgress } from '../../shared/types/operations';
import type { Dispatcher } from '../api/dispatcher';
import type { Services } from '../services';

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string; description?: string };

/** The `--json` flag most commands take. */
export const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'print JSON' };

export interface CliContext {
  /** Positional arguments after the command's words. */
  args: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
  /** Goes through the same dispatcher as the UI; throws BerthError on failure (the runner prints it, exit 1). */
  call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestResult<K>>;
  onProgress(listener: (progress: OperationProgress) => void): () => void;
  services: Services;
  /** For commands that host a transport (serve). */
  dispatcher: Dispatcher;
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** True when stdout is a terminal (progress bars); plain lines otherwise. */
  isTTY: boolean;
  debug: boolean;
  /** Aborted on SIGINT. */
  signal: AbortSignal;
}

export interface CliCommand {
  /** The words that select it: ['tags'], ['docker', 'pull']. */
  path: string[];
  /** e.g. "berth tags REPOSITORY [--json]" */
  usage: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  minArgs?: number;
  maxArgs?: number;
  /** Returns the exit code (0 when omitted). Throwing a BerthError exits 1 with its message. */
  run(ctx: CliContext): Promise<number | void>;
}

/** Thrown for a usage error: the runner prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
