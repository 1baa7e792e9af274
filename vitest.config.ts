import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** Renderer tests that drive the real backend against the world's registries carry this suffix. */
const WORLD_RENDERER = 'test/renderer/**/*.world.test.tsx';

// Two projects. `unit`: unit and renderer tests with no services, the fast inner loop
// (`npm run test:unit`). `world`: integration, end-to-end and real-backend renderer tests, with the shared
// world (registries, dockerd) that test/env/global-setup.ts starts. `npm test` runs both. Time limits are
// generous: real services on a 2-core machine; speed is measured in `npm run bench`, not asserted here.
export default defineConfig({
  plugins: [react()],
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/renderer/**/*.test.{ts,tsx}'],
          exclude: [WORLD_RENDERER],
        },
      },
      {
        extends: true,
        test: {
          name: 'world',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', WORLD_RENDERER],
          globalSetup: ['test/env/global-setup.ts'],
        },
      },
    ],
  },
});
