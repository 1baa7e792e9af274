// Bundles the `berth` CLI (and `berth serve`) for plain Node into one ESM file. Dependencies are bundled
// too: resolving and loading hundreds of small ESM files from node_modules dominated start-up, and the
// CLI is started once per command. Only native modules stay external: they find their .node binary relative
// to their own folder (keytar; classic-level through node-gyp-build, which needs its own __dirname).
import { build } from 'esbuild';

await build({
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
});
