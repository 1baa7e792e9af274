import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, type CliCommand } from '../command';

/** The built renderer sits beside the built CLI: out/cli/berth.mjs -> out/renderer. */
function defaultRendererDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}

export const serveCommands: CliCommand[] = [
  {
    path: ['serve'],
    usage: 'berth serve [--port PORT]',
    summary: 'Serve the Berth UI to a browser on 127.0.0.1 (token-protected)',
    options: { port: { type: 'string', description: 'port to listen on (default: a free one)' } },
    maxArgs: 0,
    async run(ctx) {
      const port = ctx.flags.port === undefined ? 0 : Number(ctx.flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be 0..65535, got ${String(ctx.flags.port)}`);
      const rendererDir = ctx.services.app.env.BERTH_RENDERER_DIR ?? defaultRendererDir();
      // The HTTP/WebSocket server is loaded only by the command that runs it (a chunk of the CLI bundle).
      const { startServe } = await import('../../serve/server');
      const serve = await startServe({ dispatcher: ctx.dispatcher, rendererDir, port });
      ctx.stdout.write(`Berth UI: ${serve.url}\n`);
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      await serve.close();
    },
  },
];
