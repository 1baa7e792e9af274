import type { ItemProgress } from '../../shared/types/operations';

/** One promotion's progress as the UI shows it: a phase, bytes (or steps) done of total, one item per blob. */
export interface PromotionSnapshot {
  status: string;
  current: number;
  total: number;
  items: ItemProgress[];
}

export type PromotionProgressListener = (snapshot: PromotionSnapshot) => void;

/**
 * Collects per-blob progress and reports every change; how often that reaches the UI is the API's one
 * throttle (src/main/api/progress.ts), which also sends the final event.
 */
export class PromotionProgress {
  private readonly items = new Map<string, ItemProgress>();
  private status = 'Planning';

  constructor(private readonly listener: PromotionProgressListener | undefined) {}

  phase(status: string): void {
    this.status = status;
    this.send();
  }

  /** Lists every item at once (one report, however many blobs). */
  register(items: ItemProgress[]): void {
    for (const item of items) this.items.set(item.id, { ...item });
    this.send();
  }

  item(id: string, status: string, current: number, total: number): void {
    this.items.set(id, { id, status, current, total });
    this.send();
  }

  /** Bytes moved for an item, without a status change. */
  bytes(id: string, current: number): void {
    const item = this.items.get(id);
    if (!item) return;
    item.current = current;
    this.send();
  }

  /** Takes over another tracker's state (the Docker engine's pull and push), under `phase`. */
  mirror(phase: string, snapshot: { status: string; items: ItemProgress[] }): void {
    this.status = `${phase}: ${snapshot.status}`;
    this.items.clear();
    for (const item of snapshot.items) this.items.set(item.id, { ...item });
    this.send();
  }

  private send(): void {
    if (!this.listener) return;
    const items = [...this.items.values()].map((item) => ({ ...item }));
    const current = items.reduce((sum, item) => sum + item.current, 0);
    const total = items.reduce((sum, item) => sum + item.total, 0);
    this.listener({ status: this.status, current, total, items });
  }
}
