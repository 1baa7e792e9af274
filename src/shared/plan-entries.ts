import { z } from 'zod';

/**
 * A list of plan entries. Plans run to tens of thousands of entries, and at the serve door's worst-case
 * escaping (6 bytes a character, see src/main/serve/frame-limit.ts) a `.max()` that large would raise the
 * WebSocket frame limit to gigabytes. So the count is checked by a refinement, which the frame-limit
 * analysis does not read: over serve such a list is bounded by the frame limit (about 15 MB, some 50,000
 * entries of a real plan), and in-process callers (a plan file given to the CLI) by the count.
 */
export function planEntries<T extends z.ZodType>(entry: T, max: number) {
  return z.array(entry).refine((list) => list.length <= max, `at most ${max.toLocaleString('en-US')} entries`);
}
