// Bundles the `berth` CLI (and `berth serve`) for plain Node: one ESM file, dependencies left in
// node_modules (keytar is native, undici/ws are large and already installed).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main/cli/main.ts'],
  outfile: 'out/cli/berth.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
