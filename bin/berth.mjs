#!/usr/bin/env node
// The `berth` command. The CLI is bundled to out/cli/berth.mjs by `npm run build` (done on install).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'berth.mjs');
if (!existsSync(built)) {
  process.stderr.write('berth: the CLI is not built yet: run `npm run build` in the Berth folder.\n');
  process.exit(1);
}
await import(pathToFileURL(built).href);
