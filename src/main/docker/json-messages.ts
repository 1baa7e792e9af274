import { BerthError } from '../../shared/errors';

/**
 * One message of the engine's progress stream (moby pkg/jsonmessage.JSONMessage), as sent by
 * `/images/create` and `/images/{name}/push`.
 */
export interface JsonMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { code?: number; message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/** A line longer than this is not a progress message: a peer that is not an engine, or a broken one. */
const MAX_LINE_BYTES = 1024 * 1024;

/** Splits the stream into JSON messages (one per line; Go's json.Encoder ends each with "\n"). */
export async function* readJsonMessages(body: AsyncIterable<Buffer | string>): AsyncGenerator<JsonMessage> {
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line.length > 0) yield parseLine(line);
    }
    if (pending.length > MAX_LINE_BYTES)
      throw new BerthError(
        'bad_response',
        'The Docker engine sent a progress line over 1 MiB; it is not a progress stream.',
      );
  }
  const last = pending.trim();
  if (last.length > 0) yield parseLine(last);
}

function parseLine(line: string): JsonMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BerthError(
      'bad_response',
      `The Docker engine sent a progress line that is not JSON: ${JSON.stringify(line.slice(0, 80))}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BerthError(
      'bad_response',
      `The Docker engine sent a progress line that is not a message: ${JSON.stringify(line.slice(0, 80))}`,
    );
  }
  return value as JsonMessage;
}
