// Preloaded (`node --import`) by the start-up test: records every module the CLI process loads, ESM through
// a load hook (on the loader thread) and CommonJS through the require cache at exit, one URL or path a line.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.BERTH_TEST_LOAD_LOG;
register(new URL('./record-loads-hooks.mjs', import.meta.url).href, { data: { log } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(log, `${Object.keys(cache).join('\n')}\n`));
