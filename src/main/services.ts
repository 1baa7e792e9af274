/**
 * Wires the Node-side services together. The Electron shell, `berth serve`, the CLI and the tests all
 * build their services here, passing paths and options in, so tests run real services on temp folders
 * and loopback ports. Nothing here imports electron.
 */
import { createLogger, type Logger } from './logging/logger';
import { resolvePaths, type BerthPaths } from './paths';
import { BERTH_VERSION } from './version';

export interface ServicesOptions {
  transport: 'electron' | 'serve' | 'cli';
  env?: NodeJS.ProcessEnv;
  paths?: Partial<BerthPaths>;
  /** Echo log lines here too (the CLI's --debug). */
  logEcho?: NodeJS.WritableStream;
}

export interface AppContext {
  version: string;
  transport: ServicesOptions['transport'];
  paths: BerthPaths;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}

export interface Services {
  app: AppContext;
  /** Releases sockets, timers and child processes. */
  close(): Promise<void>;
}

export async function createServices(options: ServicesOptions): Promise<Services> {
  const env = options.env ?? process.env;
  const paths = { ...resolvePaths(env), ...options.paths };
  const logger = createLogger({ dir: paths.logDir, echo: options.logEcho });
  const app: AppContext = { version: BERTH_VERSION, transport: options.transport, paths, env, logger };
  const closers: (() => Promise<void> | void)[] = [];
  return {
    app,
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}
