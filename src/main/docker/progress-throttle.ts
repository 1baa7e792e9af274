import type { TransferChange, TransferSnapshot } from './transfer-progress';

const PHASE_INTERVAL_MS = 50;
const BYTES_INTERVAL_MS = 250;

/**
 * Bounds how often progress goes out: the engine sends a line per chunk (hundreds a second), the UI needs a
 * few frames a second. A skipped update is sent later by a trailing timer, so the last state is never lost.
 */
export class ProgressThrottle {
  private lastSent = 0;
  private trailing: NodeJS.Timeout | undefined;

  constructor(
    private readonly snapshot: () => TransferSnapshot,
    private readonly send: ((snapshot: TransferSnapshot) => void) | undefined,
  ) {}

  changed(change: TransferChange): void {
    if (!this.send || change === 'none') return;
    const interval = change === 'phase' ? PHASE_INTERVAL_MS : BYTES_INTERVAL_MS;
    const wait = this.lastSent + interval - Date.now();
    if (wait <= 0) {
      this.flush();
    } else {
      this.trailing ??= setTimeout(() => this.flush(), wait);
    }
  }

  /** Sends the current state now (the final one, or after an error) and stops the timer. */
  flush(): void {
    this.stop();
    if (!this.send) return;
    this.lastSent = Date.now();
    this.send(this.snapshot());
  }

  stop(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
  }
}
