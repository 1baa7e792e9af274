import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// One run covers unit, integration (real registries, dockerd, keyring started by test/env) and the
// end-to-end journeys in Chromium through `berth serve`. Time limits are generous: these are real services
// on a 2-core machine; speed is measured in `npm run bench`, not asserted here.
export default defineConfig({
  plugins: [react()],
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/env/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
