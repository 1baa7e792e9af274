/**
 * Least recently used map with a budget counted by a cost function (bytes, entries, rows). The one LRU of
 * the main process: the registry client's manifest and config caches and the layer engine's tables and
 * trees all use it.
 */
export interface LruOptions<V> {
  /** What all entries together may cost. */
  budget: number;
  costOf: (value: V) => number;
  /** An entry costing more than this is not kept at all (default: the whole budget), so one huge value
   * cannot flush everything else. */
  maxEntryCost?: number;
}

export class LruMap<V> {
  private readonly entries = new Map<string, { value: V; cost: number }>();
  private used = 0;
  private readonly maxEntryCost: number;

  constructor(private readonly options: LruOptions<V>) {
    this.maxEntryCost = Math.min(options.maxEntryCost ?? options.budget, options.budget);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V): void {
    const cost = this.options.costOf(value);
    if (cost > this.maxEntryCost) return;
    this.delete(key);
    this.entries.set(key, { value, cost });
    this.used += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.options.budget) break;
      this.entries.delete(oldest);
      this.used -= entry.cost;
    }
  }

  delete(key: string): boolean {
    const old = this.entries.get(key);
    if (!old) return false;
    this.used -= old.cost;
    return this.entries.delete(key);
  }
}
