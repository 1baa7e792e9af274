// Copies the e2e journeys' screenshots that the docs show from test-results/ into docs/screenshots/.
// The journeys take the pictures themselves (test/env/browser.ts `screenshot`), so the docs picture exactly
// what the tests drove through the real UI. Run after the journeys:
//   npm run build && npx vitest run test/e2e && node scripts/update-screenshots.mjs
// Each e2e file starts its own test world; running browse-journeys alone keeps namespaces that other
// journeys create (prod-e2e-*, scratch/) out of the sidebar in tags.png and image.png.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
const docs = join(root, 'docs', 'screenshots');
// Pictures are committed: keep the repository small.
const MAX_BYTES = 300 * 1024;

/** docs name <- the screenshot an e2e journey saves, and the journey that takes it. */
const SCREENSHOTS = [
  { docs: 'tags.png', source: 'e2e-browse-many-tags-by-date.png', journey: 'test/e2e/browse-journeys.test.ts' },
  { docs: 'image.png', source: 'e2e-browse-platform-image.png', journey: 'test/e2e/browse-journeys.test.ts' },
  { docs: 'compare.png', source: 'e2e-compare-text-diff.png', journey: 'test/e2e/compare.test.ts' },
  { docs: 'layers.png', source: 'e2e-layers.png', journey: 'test/e2e/compare.test.ts' },
  { docs: 'lanes.png', source: 'e2e-promote-board.png', journey: 'test/e2e/promote.test.ts' },
  { docs: 'promote-plan.png', source: 'e2e-promote-overwrite-refused.png', journey: 'test/e2e/promote.test.ts' },
  { docs: 'docker.png', source: 'e2e-docker-push.png', journey: 'test/e2e/docker.test.ts' },
];

const missing = SCREENSHOTS.filter((shot) => !existsSync(join(results, shot.source)));
if (missing.length > 0) {
  const journeys = [...new Set(missing.map((shot) => shot.journey))];
  console.error(`Missing in test-results/: ${missing.map((shot) => shot.source).join(', ')}`);
  console.error(`Run: npm run build && npx vitest run ${journeys.join(' ')}`);
  process.exit(1);
}

// A screenshot older than the build shows a UI that may have changed since.
const built = join(root, 'out', 'renderer', 'index.html');
const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
let oversize = 0;
mkdirSync(docs, { recursive: true });
for (const shot of SCREENSHOTS) {
  const from = join(results, shot.source);
  const { size, mtimeMs } = statSync(from);
  copyFileSync(from, join(docs, shot.docs));
  const notes = [];
  // Only a warning: the tree may have been rebuilt since without changing what the picture shows.
  if (mtimeMs < builtAt) notes.push(`older than the last build: run ${shot.journey} again if the UI changed`);
  if (size > MAX_BYTES)
    notes.push(
      `over ${MAX_BYTES / 1024} KB: shrink it, e.g. pngquant --force --ext .png docs/screenshots/${shot.docs}`,
    );
  if (size > MAX_BYTES) oversize++;
  console.log(
    `${shot.docs.padEnd(17)} <- ${shot.source} (${Math.round(size / 1024)} KB)${notes.length ? `  WARNING: ${notes.join('; ')}` : ''}`,
  );
}
process.exit(oversize > 0 ? 1 : 0);
