/**
 * `operation.progress` for every request that reports progress, once: the throttle and the final event.
 * The dispatcher creates one per call of a contract entry that declares a progress kind; the handler passes
 * `report` to its service; the dispatcher ends it with the call's outcome. The sequence is documented at
 * `OperationProgress` (src/shared/types/operations.ts).
 */
import type { ErrorData } from '../../shared/errors';
import type { FinalStatus, OperationKind, OperationProgress, ProgressState } from '../../shared/types/operations';

/**
 * Shortest time between two events of one operation: services report per engine line or per chunk
 * (hundreds a second), a person reads a few updates a second, and every event crosses IPC or the WebSocket.
 */
export const PROGRESS_INTERVAL_MS = 100;

export interface ProgressOptions {
  operationId: string;
  kind: OperationKind;
  send: (event: OperationProgress) => void;
  /** Default `PROGRESS_INTERVAL_MS`; 0 sends every report (tests that check each phase a service reports). */
  intervalMs?: number;
}

export interface Progress {
  /** The state now. The first report goes out at once, later ones at most every interval (the latest wins). */
  report(state: ProgressState): void;
  /** The final event (none if nothing was sent); later reports are ignored. `error` when the request failed. */
  end(error?: ErrorData): void;
}

export function createProgress(options: ProgressOptions): Progress {
  const interval = options.intervalMs ?? PROGRESS_INTERVAL_MS;
  let latest: ProgressState | undefined;
  let sentAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;

  // Copied when sent: a service may report a state it keeps changing (per-layer counters).
  const event = (state: ProgressState, done: boolean): OperationProgress => ({
    operationId: options.operationId,
    kind: options.kind,
    status: state.status,
    current: state.current,
    total: state.total,
    ...(state.items ? { items: state.items.map((item) => ({ ...item })) } : {}),
    done,
  });

  const flush = () => {
    timer = undefined;
    sentAt = Date.now();
    options.send(event(latest!, false));
  };

  return {
    report(state) {
      if (ended) return;
      latest = state;
      if (timer) return;
      const wait = sentAt === undefined ? 0 : sentAt + interval - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    end(error) {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      timer = undefined;
      if (sentAt === undefined || !latest) return;
      const status: FinalStatus = !error ? 'Done' : error.code === 'cancelled' ? 'Cancelled' : 'Failed';
      const last = event(latest, true);
      options.send(error ? { ...last, status, error } : { ...last, status, current: last.total });
    },
  };
}
