import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { RequestInput, RequestName, RequestResult } from '../../src/shared/contract';
import type { ServerMessage } from '../../src/shared/wire';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../src/shared/wire';
import { startCli } from './cli';

export interface RunningBerthServe {
  url: string;
  origin: string;
  port: number;
  token: string;
  configDir: string;
  /** The serve process (bin/berth.mjs runs the CLI in-process), e.g. to read its memory. */
  pid: number;
  stop(): Promise<number>;
  output(): string;
}

/** The line `berth serve` prints: origin, port, token. */
export const SERVE_URL_LINE = /Berth UI: (http:\/\/127\.0\.0\.1:(\d+))\/#token=([0-9a-f]{64})/;

/** Starts the real `berth serve` (the built CLI, or `cli`: another clone's bin/berth.mjs) with its own config folder. */
export async function startBerthServe(
  env: NodeJS.ProcessEnv = {},
  options: { cli?: string } = {},
): Promise<RunningBerthServe> {
  const configDir = env.BERTH_CONFIG_DIR ?? (await mkdtemp(join(tmpdir(), 'berth-config-')));
  const serve = await startCli(['serve'], SERVE_URL_LINE, {
    env: { ...env, BERTH_CONFIG_DIR: configDir },
    ...(options.cli ? { script: options.cli } : {}),
  });
  const [, origin, port, token] = serve.match as unknown as [string, string, string, string];
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port: Number(port),
    token,
    configDir,
    pid: serve.pid,
    stop: serve.stop,
    output: serve.output,
  };
}

/** A WebSocket client of the serve transport, recording every frame (for leak tests). */
export async function connectApi(
  serve: { port: number; token: string },
  options: { origin?: string; token?: string } = {},
) {
  const frames: string[] = [];
  const ws = new WebSocket(
    `ws://127.0.0.1:${serve.port}/api`,
    [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${options.token ?? serve.token}`],
    {
      headers: options.origin ? { origin: options.origin } : {},
    },
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (m: ServerMessage) => void>();
  const events: ServerMessage[] = [];
  ws.on('message', (data) => {
    const text = data.toString();
    frames.push(text);
    const message = JSON.parse(text) as ServerMessage;
    if (message.type === 'result') pending.get(message.id)?.(message);
    else events.push(message);
  });
  return {
    frames,
    events,
    /** Resolves with the outcome as data (ok/value or error), exactly as the UI receives it. */
    call<K extends RequestName>(name: K, input: RequestInput<K> | Record<string, unknown>) {
      const id = nextId++;
      const text = JSON.stringify({ type: 'call', id, name, input });
      frames.push(text);
      return new Promise<
        { ok: true; value: RequestResult<K> } | { ok: false; error: { code: string; message: string } }
      >((resolve) => {
        pending.set(id, (m) => resolve(m as never));
        ws.send(text);
      });
    },
    send: (text: string) => ws.send(text),
    close: () => ws.close(),
    ws,
  };
}
