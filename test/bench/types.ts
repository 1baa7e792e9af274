import type { RunningRegistry } from '../env/registry';

/** One line of `npm run bench`: Berth and the reference tool measured side by side in the same run. */
export interface BenchRow {
  name: string;
  berthMs: number;
  /** The reference tool's time (skopeo, tar, gzip), or the target when there is no reference tool. */
  referenceMs: number;
  /** berthMs / referenceMs: below 1 means Berth is faster. */
  ratio: number;
  note?: string;
}

/** What the runner (test/bench/run.ts) prepares once and hands to every bench module. */
export interface BenchContext {
  /** An anonymous registry seeded with the test images (test/env/seed.ts), 2,000-tag repository included. */
  registry: RunningRegistry;
  /** A second, empty anonymous registry: the target of cross-registry copies. */
  registryB: RunningRegistry;
  /** A scratch folder removed after the run. */
  tmpDir: string;
  /** `node bin/berth.mjs` arguments prefix, to run the real CLI as a child process. */
  berth: { command: string; args: string[] };
  /** Environment for berth child processes (own BERTH_CONFIG_DIR and cache). */
  env: NodeJS.ProcessEnv;
  log(message: string): void;
}

export function row(name: string, berthMs: number, referenceMs: number, note?: string): BenchRow {
  return {
    name,
    berthMs,
    referenceMs,
    ratio: referenceMs > 0 ? berthMs / referenceMs : Number.NaN,
    ...(note ? { note } : {}),
  };
}
