// Bundles the `berth` CLI (and `berth serve`) for plain Node into one ESM file. Dependencies are bundled
// too: resolving and loading hundreds of small ESM files from node_modules dominated start-up, and the
// CLI is started once per command. Only native modules stay external: they find their .node binary relative
// to their own folder (keytar; classic-level through node-gyp-build, which needs its own __dirname).
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['src/main/cli/main.ts'],
  outfile: 'out/cli/berth.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['keytar', 'classic-level', 'electron'],
  // Bundled CommonJS dependencies call require() for Node built-ins; give the ESM bundle a require.
  banner: {
    js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);",
  },
  minifySyntax: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
});
// Each file is written beside its place and renamed over it (atomic on one file system): a `berth` started
// while the bundle is rebuilt (parallel tests, a second terminal) loads the old or the new file, never half
// of one.
for (const file of result.outputFiles) {
  const partial = `${file.path}.${process.pid}.partial`;
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(partial, file.contents);
  await rename(partial, file.path);
}
