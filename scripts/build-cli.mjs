// Bundles the `berth` CLI (and `berth serve`) for plain Node into ESM files. Dependencies are bundled
// too: resolving and loading hundreds of small ESM files from node_modules dominated start-up, and the
// CLI is started once per command. Only native modules stay external: they find their .node binary relative
// to their own folder (keytar; classic-level through node-gyp-build, which needs its own __dirname).
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const result = await build({
  entryPoints: { berth: 'src/main/cli/main.ts' },
  outdir: 'out/cli',
  // Split at dynamic imports: `berth --version`/`--help` load only the small entry and the command list;
  // the services, the API and each domain's engine are chunks loaded when a command needs them. Chunks sit
  // beside the entry, so `import.meta.url`-relative paths (serve's out/renderer) stay the same.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The CycloneDX library's optional plug-ins (XML, schema validation) are loaded on use only, and Berth
  // uses none of them: leave them out of the bundle. ajv itself stays in: the settings store (conf) needs it
  // on every command, and loading it from node_modules file by file cost start-up.
  external: ['keytar', 'classic-level', 'electron', 'xmlbuilder2', 'libxmljs2', 'ajv-formats-draft2019'],
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
// of one. Chunks are named by content hash and written before the entry that imports them; chunks of older
// builds stay (a running `berth` may still import them) and are pruned once an hour old.
const entry = join(process.cwd(), 'out/cli/berth.mjs');
const files = [...result.outputFiles].sort((a, b) => Number(a.path === entry) - Number(b.path === entry));
for (const file of files) {
  const partial = `${file.path}.${process.pid}.partial`;
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(partial, file.contents);
  await rename(partial, file.path);
}
const written = new Set(files.map((file) => file.path));
for (const name of await readdir('out/cli')) {
  const path = join(process.cwd(), 'out/cli', name);
  if (!name.startsWith('chunk-') || written.has(path) || written.has(path.replace(/\.map$/, ''))) continue;
  if (Date.now() - (await stat(path)).mtimeMs > 60 * 60 * 1000) await rm(path, { force: true });
}
