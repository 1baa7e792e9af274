/**
 * Vulnerabilities in the UI: the scan reports attached to an image (`vulns.attached`, for the tag table's
 * severity counts, asked for the rows on screen and kept by reference), OSV matching of one image
 * (`vulns.scan`) and the imported OSV database (`vulns.database`, `vulns.importDatabase`).
 */
import type { AttachedReports, OsvDatabaseInfo, VulnerabilityScan } from '../../shared/types/vulns';
import { apiStore } from './api-store';
import { track, type Loadable } from './loadable';

export interface VulnsState {
  /** By pinned reference (`host/repository@digest`). */
  attached: Record<string, Loadable<AttachedReports>>;
  scans: Record<string, Loadable<VulnerabilityScan>>;
  database?: Loadable<OsvDatabaseInfo | null>;
  /** Asks once for the attached reports of `reference` (a few at a time). */
  wantAttached(reference: string): void;
  scan(reference: string): Promise<void>;
  loadDatabase(): Promise<void>;
  importDatabase(path: string): Promise<void>;
}

/** Reports read at once: each lists referrers and verifies attestations. */
const CONCURRENCY = 3;

export const useVulns = apiStore<VulnsState>((api) => (set, get) => {
  const queue: string[] = [];
  let running = 0;

  const pump = () => {
    while (running < CONCURRENCY && queue.length > 0) {
      const reference = queue.shift()!;
      running++;
      void track(
        get().attached[reference],
        (next) => set((s) => ({ attached: { ...s.attached, [reference]: next } })),
        () => api.call('vulns.attached', { reference }),
      ).finally(() => {
        running--;
        pump();
      });
    }
  };

  return {
    attached: {},
    scans: {},
    wantAttached(reference) {
      if (get().attached[reference] || queue.includes(reference)) return;
      queue.push(reference);
      pump();
    },
    async scan(reference) {
      await track(
        get().scans[reference],
        (next) => set((s) => ({ scans: { ...s.scans, [reference]: next } })),
        () => api.call('vulns.scan', { reference }),
      );
    },
    async loadDatabase() {
      await track(
        get().database,
        (database) => set({ database }),
        async () => (await api.call('vulns.database', {})).database,
      );
    },
    async importDatabase(path) {
      await track(
        get().database,
        (database) => set({ database }),
        () => api.call('vulns.importDatabase', { path }),
      );
    },
  };
});
