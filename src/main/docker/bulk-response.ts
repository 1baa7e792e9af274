import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/**
 * A large response body (an image export) read with wide flow control. undici's own body stream pauses the
 * HTTP parser whenever the body is full and resumes it as soon as one chunk is taken; each resume takes
 * everything the socket holds with `socket.read()` (concatenating it), parses one chunk of the engine's
 * chunked encoding (32 KiB), and `unshift`s the rest back. Emptying the socket's buffer lets it read another
 * 64 KiB from the kernel, so the buffer grows by about one chunk per cycle and every cycle copies all of it:
 * a 180 MB export held 86 MB in the socket and copied 232 GB (55 s, where `docker save` takes 0.9 s).
 * Here the parser is paused only when HIGH_WATER bytes wait unread, and resumed when fewer than LOW_WATER
 * do, so each resume drains the socket and a cycle moves megabytes, not one chunk.
 */
const HIGH_WATER = 8 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

export interface BulkResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Destroying it before the end aborts the request (closing the connection is what stops the engine). */
  body: Readable;
}

/**
 * Sends a request through `dispatcher` and resolves at the response headers. `fail` turns a transport error
 * (or the signal's abort) into the error thrown, or the one the body is destroyed with after the headers.
 */
export function bulkRequest(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  fail: (error: unknown) => Error,
  signal?: AbortSignal,
): Promise<BulkResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(fail(signal.reason));
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let started = false;
    let finished = false;
    let paused = false;
    const onAbort = () => controller?.abort(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    const done = () => {
      finished = true;
      signal?.removeEventListener('abort', onAbort);
    };
    // The readable's own mark is the low one: `_read` (the wish for more) comes only once the reader took
    // the buffer below it; pushes beyond it are kept, up to HIGH_WATER.
    const body = new Readable({
      highWaterMark: LOW_WATER,
      read() {
        if (!paused) return;
        paused = false;
        controller?.resume();
      },
      destroy(error, callback) {
        if (!finished) {
          done();
          controller?.abort(error ?? new Error('The response body was closed before its end.'));
        }
        callback(error);
      },
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    dispatcher.dispatch(options, {
      onRequestStart(requestController) {
        controller = requestController;
        if (signal?.aborted) onAbort();
      },
      onResponseStart(_controller, statusCode, headers) {
        started = true;
        resolve({ statusCode, headers, body });
      },
      onResponseData(responseController, chunk) {
        body.push(chunk);
        if (body.readableLength >= HIGH_WATER) {
          paused = true;
          responseController.pause();
        }
      },
      onResponseEnd() {
        done();
        body.push(null);
      },
      onResponseError(_controller, error) {
        const wasFinished = finished;
        done();
        if (!started) reject(fail(error));
        else if (!wasFinished && !body.destroyed) body.destroy(fail(error));
      },
    });
  });
}
