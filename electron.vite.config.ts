import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// electron-vite builds the three Electron parts into out/: main (the shell + Node services), the sandboxed
// preload (CommonJS, as sandboxed preloads must be) and the renderer. The CLI is bundled separately
// (scripts/build-cli.mjs) for plain Node.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // keytar is an optional dependency (absent where its native build failed): load it at run time.
      rollupOptions: { input: { index: resolve('src/main/shell/main.ts') }, external: ['keytar'] },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() packages: bundle what it uses (the contract's names).
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/main/shell/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
