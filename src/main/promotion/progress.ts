import type { ItemProgress } from '../../shared/types/operations';

/** One promotion's progress as the UI shows it: a phase, bytes (or steps) done of total, one item per blob. */
export interface PromotionSnapshot {
  status: string;
  current: number;
  total: number;
  items: ItemProgress[];
  done: boolean;
}

export type PromotionProgressListener = (snapshot: PromotionSnapshot) => void;

const INTERVAL_MS = 200;

/**
 * Collects per-blob progress and sends snapshots at most every 200 ms (a copy reports per chunk, hundreds a
 * second); a phase change or an item finishing goes out at once, and a trailing timer sends the last state.
 */
export class PromotionProgress {
  private readonly items = new Map<string, ItemProgress>();
  private status = 'Planning';
  private lastSent = 0;
  private trailing: NodeJS.Timeout | undefined;

  constructor(private readonly listener: PromotionProgressListener | undefined) {}

  phase(status: string): void {
    this.status = status;
    this.flush();
  }

  /** Lists every item at once (one event, however many blobs). */
  register(items: ItemProgress[]): void {
    for (const item of items) this.items.set(item.id, { ...item });
    this.flush();
  }

  item(id: string, status: string, current: number, total: number): void {
    const previous = this.items.get(id);
    this.items.set(id, { id, status, current, total });
    if (previous?.status !== status) this.flush();
    else this.soon();
  }

  /** Bytes moved for an item, without a status change (throttled). */
  bytes(id: string, current: number): void {
    const item = this.items.get(id);
    if (!item) return;
    item.current = current;
    this.soon();
  }

  /** Takes over another tracker's state (the Docker engine's pull and push), under `phase`. */
  mirror(phase: string, snapshot: { status: string; items: ItemProgress[] }): void {
    const phaseChanged = this.status !== `${phase}: ${snapshot.status}`;
    this.status = `${phase}: ${snapshot.status}`;
    this.items.clear();
    for (const item of snapshot.items) this.items.set(item.id, { ...item });
    if (phaseChanged) this.flush();
    else this.soon();
  }

  finish(status: string): void {
    this.status = status;
    this.flush(true);
  }

  stop(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = undefined;
  }

  private soon(): void {
    if (!this.listener) return;
    const wait = this.lastSent + INTERVAL_MS - Date.now();
    if (wait <= 0) this.flush();
    else this.trailing ??= setTimeout(() => this.flush(), wait);
  }

  private flush(done = false): void {
    this.stop();
    if (!this.listener) return;
    this.lastSent = Date.now();
    const items = [...this.items.values()].map((item) => ({ ...item }));
    const current = items.reduce((sum, item) => sum + item.current, 0);
    const total = items.reduce((sum, item) => sum + item.total, 0);
    this.listener({ status: this.status, current, total, items, done });
  }
}
